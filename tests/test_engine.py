"""The query engine on real indexes: matching, ranking, browsing, paging, snippets, bad queries."""
from __future__ import annotations

import json

import pytest

from conftest import write_corpus
from index import build_index
from search import DocumentNotFound, QueryError, fragments_to_text, open_engine
from search.query import MAX_EXPANSIONS

SHOIGU_DOCS = ["001_736f248895fc9a9a.txt", "003_479425f1d2741736.txt", "004_60e6953ebaf8c9e4.txt"]


def ids(result):
    return sorted(hit.id for hit in result.hits)


@pytest.fixture
def small_engine(tmp_path):
    """A handful of short articles built to isolate one behaviour each."""

    def build(files: dict[str, str]):
        corpus = write_corpus(tmp_path / "corpus", files)
        build_index(corpus, tmp_path / "index")
        return open_engine(tmp_path / "index")

    return build


def test_words_are_all_required(seed_engine):
    assert ids(seed_engine.search("Wang Lavrov")) == ["000_79ca7bfaaf628c67.txt", "002_f821f3d7de1c528f.txt"]
    assert ids(seed_engine.search("Wang Trump")) == ["003_479425f1d2741736.txt"]
    assert ids(seed_engine.search("Wang Biden")) == []


def test_or_and_not(seed_engine):
    assert ids(seed_engine.search("Trump OR Biden")) == ["003_479425f1d2741736.txt", "004_60e6953ebaf8c9e4.txt"]
    assert ids(seed_engine.search("Shoigu -Trump")) == ["001_736f248895fc9a9a.txt", "004_60e6953ebaf8c9e4.txt"]
    assert ids(seed_engine.search("Shoigu NOT (Trump OR Biden)")) == ["001_736f248895fc9a9a.txt"]
    assert len(seed_engine.search("-Shoigu").hits) == 2  # a query of exclusions only


def test_phrase_matches_words_in_order(seed_engine):
    assert ids(seed_engine.search('"Consiglio di sicurezza"')) == ["000_79ca7bfaaf628c67.txt"]
    assert ids(seed_engine.search('"sicurezza Consiglio"')) == []


def test_prefix_and_fuzzy(seed_engine):
    assert "004_60e6953ebaf8c9e4.txt" in ids(seed_engine.search("sanz*"))
    assert ids(seed_engine.search("Shoigy~")) == SHOIGU_DOCS  # one letter off
    assert ids(seed_engine.search("Shoigy")) == []


def test_title_and_lang_fields(seed_engine):
    assert ids(seed_engine.search("title:Shoigu")) == ["003_479425f1d2741736.txt"]
    assert ids(seed_engine.search("Putin lang:sv")) == ["002_f821f3d7de1c528f.txt"]
    assert ids(seed_engine.search("Putin", filters={"lang": ["sv", "fr"]}, expand_entities=False)) == [
        "002_f821f3d7de1c528f.txt"]


def test_elided_article_matches_bare_noun(seed_engine):
    assert "000_79ca7bfaaf628c67.txt" in ids(seed_engine.search("aggressione"))  # the text: "l'aggressione"
    assert "000_79ca7bfaaf628c67.txt" in ids(seed_engine.search("dell'Ucraina"))


def test_compound_is_findable_by_parts_and_whole(seed_engine):
    for query in ("cinesi", "russo-cinesi", "russocinesi", '"relazioni russo-cinesi"'):
        assert "001_736f248895fc9a9a.txt" in ids(seed_engine.search(query)), query


def test_exact_match_ranks_above_stem_only_match(small_engine):
    engine = small_engine({
        "stem.txt": "Notizie\nLe nuove sanzioni colpiscono il commercio.",
        "exact.txt": "Notizie\nLa nuova sanzione colpisce il commercio.",
    })
    result = engine.search("sanzione")
    assert [hit.id for hit in result.hits] == ["exact.txt", "stem.txt"]
    assert result.hits[0].score > result.hits[1].score


def test_title_match_ranks_above_body_match(small_engine):
    engine = small_engine({
        "body.txt": "Cronaca\nIl ministro ha parlato di sanzioni oggi.",
        "title.txt": "Sanzioni\nIl ministro ha parlato di commercio oggi.",
    })
    assert [hit.id for hit in engine.search("sanzioni").hits] == ["title.txt", "body.txt"]


def test_stop_word_in_some_language_does_not_exclude(small_engine):
    engine = small_engine({
        "it.txt": "Notizie\nIl Cremlino ha risposto a Pechino.",
        "sv.txt": "Nyheter\nKreml svarade Peking igår eller idag.",
    })
    assert ids(engine.search("eller Cremlino")) == ["it.txt"]  # 'eller' is Swedish for 'or'
    assert ids(engine.search("il Cremlino")) == ["it.txt"]
    assert ids(engine.search("eller")) == ["sv.txt"]  # alone, it is what is searched


def test_accents_are_folded_both_ways(small_engine):
    engine = small_engine({"fr.txt": "Info\nLa sécurité de l'État.", "fr2.txt": "Info\nLa securite sans accents."})
    assert ids(engine.search("securite")) == ["fr.txt", "fr2.txt"]
    assert ids(engine.search("sécurité")) == ["fr.txt", "fr2.txt"]
    assert ids(engine.search("etat")) == ["fr.txt"]


def test_browse_lists_everything_newest_first(small_engine):
    engine = small_engine({
        "old.md": "---\ndate: 2021-01-01\n---\n# Vecchio\ntesto",
        "new.md": "---\ndate: 2024-05-01\n---\n# Nuovo\ntesto",
        "undated.txt": "Senza data\ntesto",
    })
    assert [hit.id for hit in engine.search("").hits] == ["new.md", "old.md", "undated.txt"]
    assert [hit.id for hit in engine.search("testo", sort="date").hits] == ["new.md", "old.md", "undated.txt"]


def test_undated_articles_come_last_in_the_order_of_the_numbers_in_their_ids(small_engine):
    engine = small_engine({f"dice-{n}.txt": f"Notizia {n}\ntesto" for n in (10024, 1003, 999, 20)} |
                          {"dated.md": "---\ndate: 2020-01-01\n---\n# Datata\ntesto"})
    expected = ["dated.md", "dice-20.txt", "dice-999.txt", "dice-1003.txt", "dice-10024.txt"]
    assert [hit.id for hit in engine.search("testo", sort="date").hits] == expected  # not dice-10024 before dice-1003
    assert [hit.id for hit in engine.search("").hits] == expected


def test_browse_with_filters_lists_what_they_allow(seed_engine):
    result = seed_engine.search("", filters={"lang": ["it"]}, limit=100)
    assert result.total == 3 and {hit.lang for hit in result.hits} == {"it"}


def test_paging_covers_every_hit_once(seed_engine):
    pages = [seed_engine.search("", limit=2, offset=offset) for offset in (0, 2, 4, 6)]
    seen = [hit.id for page in pages for hit in page.hits]
    assert len(seen) == len(set(seen)) == 5
    assert pages[3].hits == () and pages[3].total == 5


def test_facet_counts_cover_all_hits_not_just_the_page(seed_engine):
    result = seed_engine.search("Putin", limit=1)
    assert len(result.hits) == 1
    assert {v.value: v.count for v in result.facets["lang"]} == {"it": 2, "fr": 1, "sv": 1}
    assert sum(v.count for v in result.facets["lang"]) == result.total


def test_snippet_marks_the_form_the_article_uses(seed_engine):
    [hit] = seed_engine.search("sanzione").hits
    marked = {f.text for f in hit.snippet if f.is_match}
    assert marked and marked <= {"sanzioni", "sanzionate"}  # both forms of the stem 'sanzion'
    [hit] = seed_engine.search("securite").hits
    assert "sécurité" in {f.text for f in hit.snippet if f.is_match}
    assert "<mark>sécurité</mark>" in hit.to_json()["snippet"]


def test_snippet_marks_a_phrase_only_where_it_occurs(seed_engine):
    [hit] = seed_engine.search('"Consiglio di sicurezza"').hits
    text = "".join(f"[{f.text}]" if f.is_match else f.text for f in hit.snippet)
    assert "[Consiglio] [di] [sicurezza]" in text
    assert "[di] Nikolai" not in text  # 'di' alone is not the phrase


def test_snippet_is_escaped_in_json(small_engine):
    engine = small_engine({"x.txt": "Titolo\n<script>alert('Putin')</script> & <b>Putin</b>"})
    snippet = engine.search("Putin").hits[0].to_json()["snippet"]
    assert "<script>" not in snippet and "<b>" not in snippet
    assert "&lt;script&gt;" in snippet and "<mark>Putin</mark>" in snippet


def test_prefix_expansion_is_bounded_and_said(small_engine):
    words = " ".join(f"ab{i:04}" for i in range(MAX_EXPANSIONS + 50))
    engine = small_engine({"many.txt": f"Molte parole\n{words}"})
    result = engine.search("ab*")
    assert result.total == 1
    assert any("too many" in note for note in result.notes)


def test_show_returns_the_stored_article(seed_engine):
    article = seed_engine.show("002_f821f3d7de1c528f.txt")
    assert article.lang == "sv" and article.title.startswith("Vladimir Putin och Kinas")
    assert "Jake Sullivan" in article.text
    with pytest.raises(DocumentNotFound):
        seed_engine.show("../../etc/passwd")


@pytest.mark.parametrize(
    "query",
    ['"', "(", ")", "-", "*", "~", "a~9", "**", "*a", "OR", "NOT NOT", "title:", "lang:", 'title:"', "(((", ")))",
     ":", "\\", "\x00", "🙂", "الصين", "a" * 900, "AND OR NOT", "-(", '"-"', "lang:" + "x" * 200, "~~~ ***"],
)
def test_malformed_query_gives_a_result_not_an_exception(seed_engine, query):
    result = seed_engine.search(query)
    assert result.total >= 0 and json.dumps(result.to_json())


def test_overlong_query_and_bad_arguments_raise_query_error(seed_engine):
    for call in (
        lambda: seed_engine.search("x " * 5_000),
        lambda: seed_engine.search("Putin", filters={"colour": ["red"]}),
        lambda: seed_engine.search("Putin", limit=-1),
        lambda: seed_engine.search("Putin", sort="random"),
    ):
        with pytest.raises(QueryError):
            call()


def test_titles_mark_the_query_and_a_title_made_from_the_text_is_not_repeated_by_the_snippet(tmp_path):
    from conftest import write_corpus
    from index import build_index

    text = ("Folle inseguimento tra carabinieri e ladri nella notte di San Silvestro, con tre malviventi in fuga "
            "per i campi della bassa modenese e un'auto rubata piena di refurtiva. " * 2
            + "I carabinieri hanno recuperato la refurtiva e l'auto il mattino dopo.")
    corpus = write_corpus(tmp_path / "c", {"news.jsonl": json.dumps({"id": "1", "text": text})})
    build_index(corpus, tmp_path / "index")
    with open_engine(tmp_path / "index") as engine:
        (hit,) = engine.search("carabinieri").hits
    assert hit.title.endswith(" …") and "<mark>carabinieri</mark>" in hit.to_json()["title_html"]
    shown_title = hit.title.removesuffix(" …")
    assert not fragments_to_text(hit.snippet).lstrip("… ").startswith(shown_title[:40])  # it goes on from there
    assert "carabinieri" in fragments_to_text(hit.snippet)


def test_a_facet_value_with_a_comma_is_one_value_that_filters_and_shows(small_engine, tmp_path):
    engine = small_engine({
        "bo.txt": "Boverket\nBoverket meddelade i dag nya regler för byggandet i Göteborg.",
        "tesla.txt": "Tesla\nTesla, Inc. ha annunciato nuovi prezzi.",
    })
    value = "Swedish National Board of Housing, Building and Planning"
    orgs = {v.value for v in engine.search("").facets["org"]}
    assert value in orgs and not any("  " in v for v in orgs)  # the comma kept, not turned into a gap
    assert ids(engine.search("", filters={"org": [value]})) == ["bo.txt"]
    assert ids(engine.search("", exclude={"org": [value]})) == ["tesla.txt"]
    assert value in engine.show("bo.txt").to_json()["org"]
    from web import create_app

    page = create_app(tmp_path / "index").test_client().get("/?org=" + value.replace(" ", "+").replace(",", "%2C"))
    assert '<span id="total">1</span> result' in page.get_data(True)
