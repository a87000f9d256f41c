"""The tokenizer and the per-language chains, one row per behaviour."""
from __future__ import annotations

import pytest

from index import analyzer_for, exact_analyzer, fold, has_stemmer, stemmer_for
from index.analysis import terms


def exact_terms(text: str) -> list[str]:
    return terms(exact_analyzer(), text)


def stems(lang: str, text: str) -> set[str]:
    return set(terms(analyzer_for(lang), text))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("l'aggressione", ["aggressione"]),  # Italian article, straight apostrophe
        ("dell’Ucraina", ["ucraina"]),  # articulated preposition, curly apostrophe
        ("d'archivio", ["archivio"]),
        ("qu'il", ["il"]),  # French conjunction
        ("l’OTAN", ["otan"]),
        ("jusqu'à", ["a"]),
        ("O'Brien", ["o", "obrien", "brien"]),  # not an elision: parts and whole
    ],
)
def test_elided_particle_is_dropped(text, expected):
    assert exact_terms(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("russo-cinesi", ["russo", "russocinesi", "cinesi"]),
        ("sino-russe", ["sino", "sinorusse", "russe"]),
        ("Cina–Russia", ["cina", "cinarussia", "russia"]),  # en dash
        ("dual-use", ["dual", "dualuse", "use"]),
    ],
)
def test_hyphenated_compound_gives_parts_and_whole(text, expected):
    assert exact_terms(text) == expected


def test_compound_whole_shares_the_first_parts_position():
    tokens = [(t.text, t.pos) for t in exact_analyzer()("relazioni russo-cinesi oggi", positions=True)]
    assert tokens == [("relazioni", 0), ("russo", 1), ("russocinesi", 1), ("cinesi", 2), ("oggi", 3)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2022", ["2022"]),
        ("46.000 persone", ["46.000", "persone"]),  # thousands separator kept inside the number
        ("3,5 miliardi", ["3,5", "miliardi"]),
        ("G20", ["g20"]),
        ("Covid 19", ["covid", "19"]),
        ("fine.Poi", ["fine", "poi"]),  # a full stop between words splits them
    ],
)
def test_numbers(text, expected):
    assert exact_terms(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Sécurité", ["securite"]),
        ("PÉKIN", ["pekin"]),
        ("Rysslands länder", ["rysslands", "lander"]),
        ("Ørsted straße Łódź", ["orsted", "strasse", "lodz"]),
        ("perché città", ["perche", "citta"]),
    ],
)
def test_case_and_accents_are_folded(text, expected):
    assert exact_terms(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("FN:s generalförsamling", ["fn", "generalforsamling"]), ("USA:s", ["usa"]), ("EU:n", ["eu"])],
)
def test_swedish_genitive_after_colon_is_dropped(text, expected):
    assert exact_terms(text) == expected


def test_character_offsets_point_at_the_original_words():
    text = "Il ministro dell’Ucraina, russo-cinesi"
    spans = [(t.text, text[t.startchar : t.endchar]) for t in exact_analyzer()(text, chars=True)]
    assert ("ucraina", "Ucraina") in spans
    assert ("russocinesi", "russo-cinesi") in spans


def test_absurdly_long_token_is_dropped():
    assert exact_terms("a" * 500 + " putin") == ["putin"]


@pytest.mark.parametrize(
    "lang, variants",
    [
        ("it", ["colloqui", "colloquio"]),
        ("it", ["sanzioni", "sanzione"]),
        ("it", ["droni", "drone"]),
        ("fr", ["sécurité", "sécurités"]),
        ("fr", ["chinois", "chinoise", "chinoises"]),
        ("sv", ["länder", "länderna"]),
        ("sv", ["samarbete", "samarbetet"]),
        ("en", ["sanctions", "sanction"]),
        ("de", ["Sanktionen", "Sanktion"]),
    ],
)
def test_stemmer_brings_inflections_together(lang, variants):
    sets = [stems(lang, word) for word in variants]
    assert all(s & sets[0] for s in sets), sets


@pytest.mark.parametrize(
    "lang, unrelated",
    [("it", ["sanzioni", "sanità"]), ("fr", ["chinois", "chiens"]), ("sv", ["länder", "lönder"])],
)
def test_stemmer_keeps_different_words_apart(lang, unrelated):
    first, second = (stems(lang, word) for word in unrelated)
    assert not first & second


def test_query_without_accents_meets_accented_word_in_stemmed_field():
    assert stems("fr", "securite") & stems("fr", "sécurité")
    assert stems("it", "citta") & stems("it", "città")


@pytest.mark.parametrize("lang, stop", [("it", "della"), ("fr", "les"), ("sv", "eller"), ("en", "the")])
def test_stop_words_leave_the_stemmed_field(lang, stop):
    assert stems(lang, stop) == set()
    assert exact_terms(stop) == [fold(stop)]  # but stay in the exact field, for phrases


def test_stop_word_of_one_language_is_kept_by_another():
    assert stems("sv", "eller") == set()
    assert stems("it", "eller") != set()


def test_every_mapped_stemmer_runs():
    from index.analysis import SNOWBALL_LANGUAGES

    for lang in SNOWBALL_LANGUAGES:
        assert isinstance(stemmer_for(lang)("testing"), str)


def test_stemmers_run_on_pystemmer():
    import snowballstemmer

    assert type(snowballstemmer.stemmer("italian")).__module__ == "Stemmer"


def test_language_without_stemmer_has_no_stemming_chain():
    assert not has_stemmer("zh")
    assert analyzer_for("zh") is None
    assert has_stemmer("it")


@pytest.mark.parametrize(
    "lang, text",
    [
        ("it", "Il ministro dell’Ucraina: relazioni russo-cinesi e 46.000 sanzioni, l'aggressione. Il ministro!"),
        ("fr", "Le président Vladimir Poutine, qu'il a reçu à Pékin; la sécurité et les sécurités."),
        ("sv", "Kinas toppdiplomat och FN:s generalförsamling, eller USA:s länder."),
        ("zh", "中国外交部长 王毅 抵达 莫斯科"),
        ("en", "O'Brien's e-mail about G20 — 3,5 and " + "x" * 150),
    ],
)
def test_fast_postings_equal_the_schema_analyzers(lang, text):
    from index.prepare import text_postings
    from index.schema import EXACT, build_schema, stemmed_field

    schema = build_schema()
    exact, stemmed = text_postings(text, lang, schema)
    assert sorted(exact) == sorted(schema[EXACT].index(text))
    if stemmed is None:
        assert not has_stemmer(lang)
    else:
        assert sorted(stemmed) == sorted(schema[stemmed_field(lang)].index(text))
