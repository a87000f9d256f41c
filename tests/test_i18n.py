"""The interface in the reader's language: complete catalogues, and pages with no English left in them."""
from __future__ import annotations

import html
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from search.syntax import MAX_CLAUSES
from web import create_app
from web.i18n import catalogue_path

ROOT = Path(__file__).resolve().parents[1]
TRANSLATED = ("it", "fr", "sv")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "Note": None}


def marked_messages() -> set[str]:
    """Every message the code marks for translation, extracted as ``python -m web.i18n`` does."""
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for folder in (ROOT / "web", ROOT / "search"):
        for *_, message, _comments, _context in extract_from_dir(folder, method_map, keywords=KEYWORDS):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalogue(lang: str):
    with open(catalogue_path(lang), "rb") as po:
        return read_po(po, locale=lang)


def placeholders(text: str) -> set[str]:
    """The ``%(name)s`` and ``{name}`` fields of a message: a translation must keep every one."""
    brace = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return set(re.findall(r"%\((\w+)\)s", text)) | brace


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_marked_message_is_translated_with_its_placeholders(lang):
    messages = {(m.id[0] if isinstance(m.id, tuple) else m.id): m for m in catalogue(lang) if m.id}
    marked = marked_messages()
    assert len(marked) > 60  # the extraction saw the templates and the notes
    missing = sorted(marked - set(messages))
    assert not missing, f"not in the {lang} catalogue (run python -m web.i18n, then translate): {missing}"
    for key in marked:
        message = messages[key]
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(forms) and "fuzzy" not in message.flags, f"{lang}: {key!r} has no reviewed translation"
        for form in forms:
            assert placeholders(form) == placeholders(key), f"{lang}: {form!r} changes the fields of {key!r}"


@pytest.fixture(scope="module")
def client(seed_index):
    return create_app(seed_index).test_client()


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'\b(?:aria-label|title|placeholder)="([^"]*)"', r"> \1 <", page)  # read aloud or shown too
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


# Words of the English interface that no translated page may show. Organizations keep their English
# names ("Korean People's Army"): data, not interface, so facet headings are checked as headings.
ENGLISH = ["Skip to", "Search the corpus", "Filters", "Dates", "Apply", "Countries", "Organizations",
           "Languages", "all of", "any of", "Leave out", "More people", "results", "Export", "Sort by",
           "relevance", "matching articles per year", "Next", "Clear filters", "Remove filter", "no person named",
           "in the index", "Back to results", "Similar articles", "Entities in this article", "Error", "Start a new"]
TRANSLATED_WORDS = {"it": ["Vai ai risultati", "Filtri", "Persone", "Paesi", "Esporta", "Ordina per", "risultati",
                           "nessuna persona di nome 'Nobody Atall' nell'indice", "Torna ai risultati"],
                    "fr": ["Aller aux résultats", "Filtres", "Personnes", "Pays", "Exporter", "Trier par", "résultats",
                           "aucune personne nommée 'Nobody Atall' dans l'index", "Retour aux résultats"],
                    "sv": ["Hoppa till träffarna", "Filter", "Personer", "Länder", "Exportera", "Sortera efter",
                           "träffar", "ingen person som heter 'Nobody Atall' i indexet", "Tillbaka till träffarna"]}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_a_page_in_another_language_has_no_english_left(client, lang):
    results = visible_text(client.get(f"/?q=Poutine&person=Vladimir+Putin&not_country=XX&ui={lang}").get_data(True))
    unknown = visible_text(client.get(f"/?q=Poutine&person=Nobody+Atall&ui={lang}").get_data(True))
    hit = re.search(r'href="(/article/[^"?]+)', client.get(f"/?q=Poutine&ui={lang}").get_data(True)).group(1)
    article = visible_text(client.get(f"{hit}?q=Poutine&ui={lang}").get_data(True))
    error = visible_text(client.get(f"/article/no-such-id?ui={lang}").get_data(True))
    pages = " | ".join((results, unknown, article, error))
    same = {form for m in catalogue(lang) if m.id for form in (m.string if isinstance(m.string, tuple) else (m.string,))}
    left = [word for word in ENGLISH if re.search(rf"(?<![\w']){re.escape(word)}(?![\w'])", pages)
            and word not in same]  # French "Dates" is "Dates"
    assert "<h2>People" not in client.get(f"/?q=Poutine&ui={lang}").get_data(True)
    assert not left, f"English left on the {lang} pages: {left}"
    for word in TRANSLATED_WORDS[lang][:7]:
        assert word in results, word
    assert TRANSLATED_WORDS[lang][7] in unknown  # the engine's note, from the catalogue
    assert TRANSLATED_WORDS[lang][8] in article


def test_numbers_are_written_as_the_language_writes_them(client):
    from jinja2 import Environment

    from web.i18n import page_languages

    languages = page_languages(Environment(), ("en", "it", "fr", "sv"))
    assert [languages[lang].number(12345) for lang in ("en", "it", "sv")] == ["12,345", "12.345", "12\xa0345"]
    assert languages["fr"].number(12345) in ("12\u202f345", "12\xa0345")  # CLDR's narrow no-break space
    assert '<span id="total">4</span> risultati' in client.get("/?q=Poutine&ui=it").get_data(True)


def test_the_singular_and_plural_come_from_the_catalogue():
    from web.i18n import load_translations

    for lang, one, many in (("it", "risultato", "risultati"), ("fr", "résultat", "résultats"),
                            ("sv", "träff", "träffar")):
        translations = load_translations(lang)
        singular, plural = '<span id="total">%(num)s</span> result', '<span id="total">%(num)s</span> results'
        assert translations.ngettext(singular, plural, 1).endswith(one)
        assert translations.ngettext(singular, plural, 7).endswith(many)


def test_without_ui_the_page_follows_the_browsers_language_and_says_it_varies(client):
    french = client.get("/?q=Poutine", headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"})
    assert '<html lang="fr">' in french.get_data(True) and "Filtres" in french.get_data(True)
    assert "Accept-Language" in french.headers["Vary"]
    unknown = client.get("/?q=Poutine", headers={"Accept-Language": "ja"}).get_data(True)
    assert '<html lang="en">' in unknown and "Filters" in unknown
    chosen = client.get("/?q=Poutine&ui=sv", headers={"Accept-Language": "fr"}).get_data(True)
    assert '<html lang="sv">' in chosen and "Filter" in chosen  # ui= wins


def test_the_api_keeps_english_notes_for_scripts(client):
    data = client.get("/api/search?q=Poutine&person=Nobody+Atall&ui=it").get_json()
    assert data["notes"] == ["no person named 'Nobody Atall' in the index"]


def test_a_translated_note_escapes_the_values_it_was_given(client):
    page = client.get("/?q=x&person=%3Cscript%3Ealert(1)%3C/script%3E&ui=fr").get_data(True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "aucune personne nommée" in page


def test_a_note_is_its_english_text_everywhere_text_is_expected():
    import json
    import pickle

    from search.notes import Note

    note = Note("no article from {value}", value=1999)
    assert note == "no article from 1999" and json.dumps([note]) == '["no article from 1999"]'
    copy = pickle.loads(pickle.dumps(note))
    assert copy == note and copy.message == "no article from {value}" and copy.values == {"value": 1999}
    assert note.translated(lambda message: "nessun articolo del {value}") == "nessun articolo del 1999"
    far = Note("there are {total:,} results: offset {offset:,} is past the last one", total=29, offset=9980)
    assert far == "there are 29 results: offset 9,980 is past the last one"
    italian = far.translated(lambda message: "ci sono {total:,} risultati: la posizione {offset:,} è oltre l'ultimo",
                             number=lambda n: f"{n:,}".replace(",", "."))
    assert italian == "ci sono 29 risultati: la posizione 9.980 è oltre l'ultimo"


def test_numbers_in_a_translated_note_are_written_the_languages_way(client):
    page = client.get("/?q=Poutine&page=999&ui=it").get_data(True)
    assert "la posizione 9.980 è oltre l&#39;ultimo" in page


@pytest.mark.parametrize("lang, expected", [
    ("it", "sort deve essere uno tra relevance, date, non &#39;bogus&#39;"),
    ("fr", "sort doit valoir relevance, date, pas &#39;bogus&#39;"),
    ("sv", "sort måste vara en av relevance, date, inte &#39;bogus&#39;"),
])
def test_what_is_wrong_with_a_request_is_said_in_the_readers_language(client, lang, expected):
    response = client.get(f"/?q=x&sort=bogus&ui={lang}")
    assert response.status_code == 400 and expected in response.get_data(True)
    dated = client.get(f"/?q=x&from=yesterday&ui={lang}").get_data(True)  # named as the URL names it
    reason = {"it": "from deve essere una data come 2024", "fr": "from doit être une date comme 2024",
              "sv": "from måste vara ett datum som 2024"}[lang]
    assert reason in dated and "must be a date" not in dated
    words = "+".join(f"w{n}" for n in range(MAX_CLAUSES + 1))
    nested = client.get(f"/?q={words}&ui={lang}").get_data(True)  # a query error holding its reason
    said = {"it": ("impossibile eseguire la ricerca", f"ha {MAX_CLAUSES + 1} termini"),
            "fr": ("impossible de lancer la recherche", f"elle a {MAX_CLAUSES + 1} termes"),
            "sv": ("kan inte köra sökningen", f"den har {MAX_CLAUSES + 1} termer")}[lang]
    assert all(part in nested for part in said) and "cannot run query" not in nested
    api = client.get(f"/api/search?q=x&sort=bogus&ui={lang}").get_json()
    assert api["error"] == "sort must be one of relevance, date, not 'bogus'"  # scripts keep English
