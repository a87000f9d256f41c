"""Entity facets in the engine: filters, counts over the whole result set, cross-lingual expansion."""
from __future__ import annotations

import json

import pytest

from conftest import write_corpus
from index import build_index
from search import open_engine

PUTIN_DOCS = ["001_736f248895fc9a9a.txt", "002_f821f3d7de1c528f.txt", "003_479425f1d2741736.txt",
              "004_60e6953ebaf8c9e4.txt"]


def ids(result):
    return sorted(hit.id for hit in result.hits)


def counts(result, facet):
    return {v.value: v.count for v in result.facets[facet]}


def test_filter_by_one_and_by_several_values(seed_engine):
    assert ids(seed_engine.search("", filters={"person": ["Vladimir Putin"]})) == PUTIN_DOCS
    both = seed_engine.search("", filters={"person": ["Sergei Shoigu"], "country": ["KP"]})
    assert ids(both) == ["004_60e6953ebaf8c9e4.txt"]  # all values must hold
    assert ids(seed_engine.search("", filters={"person": ["Sergei Shoigu", "Jake Sullivan"]})) == []


def test_filter_values_may_be_any_alias(seed_engine):
    assert ids(seed_engine.search("", filters={"person": ["Poutine"]})) == PUTIN_DOCS
    assert ids(seed_engine.search("", filters={"country": ["Nordkorea"]})) == ["004_60e6953ebaf8c9e4.txt"]
    assert ids(seed_engine.search("", filters={"country": ["kp"]})) == ["004_60e6953ebaf8c9e4.txt"]
    assert ids(seed_engine.search("", filters={"org": ["OTAN"]})) == ids(seed_engine.search("", filters={"org": ["NATO"]}))


def test_facets_in_the_query_language(seed_engine):
    assert ids(seed_engine.search('person:"Vladimir Putin" country:KP')) == ["004_60e6953ebaf8c9e4.txt"]
    assert ids(seed_engine.search("armi org:NATO")) == ["001_736f248895fc9a9a.txt"]
    assert ids(seed_engine.search("person:Poutine -country:KP")) == PUTIN_DOCS[:3]


def test_counts_cover_the_whole_result_set_with_more_on_request(seed_engine):
    result = seed_engine.search("", limit=1, facet_limit=3)
    assert len(result.hits) == 1
    assert counts(result, "person") == {"Xi Jinping": 5, "Vladimir Putin": 4, "Sergei Shoigu": 3}
    more = seed_engine.search("", limit=1, facet_limit=100)
    assert len(more.facets["person"]) > 3 and counts(more, "country")["MT"] == 2


def test_country_values_carry_their_name_in_the_asked_language(seed_engine):
    labels = {v.value: v.label for v in seed_engine.search("Malta", language="it").facets["country"]}
    assert labels["MT"] == "Malta" and labels["US"] == "Stati Uniti"
    labels = {v.value: v.label for v in seed_engine.search("Malta", language="sv").facets["country"]}
    assert labels["KR"] == "Sydkorea"


def test_hits_and_show_carry_entities(seed_engine):
    [hit] = seed_engine.search("Nordkorea").hits
    assert "Kim Jong Un" in hit.person and "KP" in hit.country and "Wagner Group" in hit.org
    article = seed_engine.show("003_479425f1d2741736.txt")
    putin = next(e for e in article.entities if e.value == "Vladimir Putin")
    assert {text for _, _, text in putin.mentions} == {"Vladimir Poutine"}
    for start, end, text in putin.mentions:
        assert article.text[start:end] == text


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Poutine", PUTIN_DOCS),  # French spelling: Italian and Swedish articles too
        ("Nordkorea", ["004_60e6953ebaf8c9e4.txt"]),  # Swedish name, Italian article
        ("OTAN", ["001_736f248895fc9a9a.txt", "003_479425f1d2741736.txt"]),  # French acronym, Italian NATO
        ("Corée du Nord", ["004_60e6953ebaf8c9e4.txt"]),  # several words naming one country
    ],
)
def test_a_name_in_one_language_finds_the_entity_in_all(seed_engine, query, expected):
    assert ids(seed_engine.search(query)) == expected


def test_literal_matches_rank_first_and_expansion_can_be_turned_off(seed_engine):
    result = seed_engine.search("Poutine")
    assert result.hits[0].id == "003_479425f1d2741736.txt"
    assert result.hits[0].score > 2 * result.hits[1].score
    assert ids(seed_engine.search("Poutine", expand_entities=False)) == ["003_479425f1d2741736.txt"]


def test_lower_case_acronym_that_is_a_word_is_not_expanded(seed_engine):
    # 'un' is Italian and French for 'a': it must not turn into the United Nations.
    assert seed_engine.search("un").total == seed_engine.search("un", expand_entities=False).total


def test_reindexing_applies_new_entities(tmp_path):
    corpus = write_corpus(tmp_path / "c", {"a.txt": "Titolo\nIl ministro Sergei Lavrov ha incontrato Wang Yi."})
    build_index(corpus, tmp_path / "ix")
    engine = open_engine(tmp_path / "ix")
    assert counts(engine.search(""), "person") == {"Sergei Lavrov": 1, "Wang Yi": 1}
    write_corpus(corpus, {"a.txt": "Titolo\nIl ministro Sergei Lavrov ha incontrato Kim Jong Un."})
    build_index(corpus, tmp_path / "ix")
    assert counts(engine.search(""), "person") == {"Sergei Lavrov": 1, "Kim Jong Un": 1}


def test_entity_report_lists_frequent_unknown_and_proposed(tmp_path):
    corpus = write_corpus(tmp_path / "c", {
        "a.txt": "Titolo\nIl ministro degli Esteri indiano Vikram Misri ha incontrato Serhii Lavrov.",
        "b.txt": "Titolo\nIl ministro Vikram Misri ha parlato con Wang Yi.",
    })
    build_index(corpus, tmp_path / "ix")
    report = open_engine(tmp_path / "ix").entity_report(limit=10)
    assert ("Vikram Misri", 2) in [(v.value, v.count) for v in report.unknown["person"]]
    assert ("Wang Yi", 1) in [(v.value, v.count) for v in report.frequent["person"]]
    assert ("Wang Yi", 1) not in [(v.value, v.count) for v in report.unknown["person"]]
    assert any(m.name == "Serhii Lavrov" and m.candidate == "Sergei Lavrov" for m in report.merges)


def test_a_capital_finds_that_city_in_every_language_not_every_article_about_its_country(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {
        "it-city.txt": "Vertice a Stoccolma\nI ministri si sono riuniti a Stoccolma per discutere del clima e della pesca.",
        "sv-city.txt": "Möte i Stockholm\nMinistrarna träffades i Stockholm för att diskutera klimatet och fisket.",
        "sv-country.txt": "Sveriges ekonomi\nRegeringen i Sverige presenterade en ny budget för skolan och vården.",
        "it-country.txt": "L'economia della Svezia\nIl governo svedese ha presentato un nuovo bilancio per la scuola.",
    })
    build_index(corpus, tmp_path / "index")
    engine = open_engine(tmp_path / "index")
    city = engine.search("stoccolma", limit=10)
    assert [hit.id for hit in city.hits] == ["it-city.txt", "sv-city.txt"]  # the literal match first
    assert engine.search("stoccolma", expand_entities=False).total == 1
    assert engine.search("Stockholm").total == 2
    assert {hit.id for hit in engine.search("Svezia").hits} == {"it-city.txt", "sv-city.txt", "sv-country.txt",
                                                                "it-country.txt"}  # the country: every article
    assert engine.search("", filters={"country": ["Stoccolma"]}).total == 4  # as a filter it still names Sweden
    marked = "".join(f.text for f in city.hits[1].snippet if f.is_match)
    assert "Stockholm" in marked  # the other language's name is what is marked
    engine.close()


def test_a_city_that_is_no_capital_names_its_country_and_is_found_in_every_language(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {
        "it.txt": "Colloqui a Ginevra\nLe delegazioni si sono riunite a Ginevra per una tregua.",
        "fr.txt": "Pourparlers à Genève\nLes délégations se sont réunies à Genève pour une trêve.",
        "de.txt": "Gespräche in Genf\nDie Delegationen trafen sich in Genf zu einer Waffenruhe.",
        "sv.txt": "Ekonomin i Schweiz\nSchweiz regering presenterade en ny budget.",
        "it-gene.txt": "Ricerca sui geni\nI ricercatori hanno studiato il gene della memoria.",  # Italian stem "gen"
        "en.txt": "Talks in Geneva\nThe delegations met in Geneva for a truce.",
    })
    build_index(corpus, tmp_path / "index")
    with open_engine(tmp_path / "index") as engine:
        city = engine.search("ginevra")
        assert city.hits[0].id == "it.txt"  # the literal match first
        assert ids(city) == ["de.txt", "en.txt", "fr.txt", "it.txt"]  # not every article about Switzerland,
        # nor the Italian words that the Italian stemmer cuts "Geneva" to ("gen")
        assert set(ids(engine.search("", filters={"country": ["CH"]}))) == {"it.txt", "fr.txt", "de.txt", "sv.txt",
                                                                            "en.txt"}


def test_facets_hold_when_an_update_adds_articles_that_name_nobody(tmp_path):
    corpus = write_corpus(tmp_path / "c", {"a.txt": "Titolo\nIl ministro Sergei Lavrov ha parlato a lungo."})
    build_index(corpus, tmp_path / "ix")
    write_corpus(corpus, {"b.txt": "Pioggia\nOggi piove molto e fa freddo in pianura."})
    build_index(corpus, tmp_path / "ix")  # a segment without any person column
    write_corpus(corpus, {"c.txt": "Titolo\nIl ministro Wang Yi ha risposto subito."})
    build_index(corpus, tmp_path / "ix")
    with open_engine(tmp_path / "ix") as engine:
        assert counts(engine.search(""), "person") == {"Sergei Lavrov": 1, "Wang Yi": 1}
        assert ids(engine.search("", filters={"person": ["Wang Yi"]})) == ["c.txt"]
        assert counts(engine.search("pioggia"), "person") == {}
    assert build_index(corpus, tmp_path / "plain", with_entities=False).documents_indexed == 3


@pytest.mark.parametrize("filters, note", [
    ({"person": ["Nobody Atall"]}, "no person named 'Nobody Atall'"),
    ({"country": ["Narnia"]}, "no article mentions the country 'Narnia'"),
    ({"lang": ["xx"]}, "no article in the language 'xx'"),
    ({"org": ["Ministry of Silly Walks"]}, "no organization named 'Ministry of Silly Walks'"),
    ({"year": ["1850"]}, "no article from 1850"),
])
def test_a_filter_value_no_article_has_is_said_in_notes_not_a_silent_zero(seed_engine, filters, note):
    result = seed_engine.search("", filters=filters)
    assert result.total == 0 and any(note in n for n in result.notes), result.notes
    known = seed_engine.search("", filters={"person": ["Sergei Shoigu"], **filters})
    assert [n for n in known.notes if "Shoigu" in n] == []  # only the unknown value is named


def test_known_filter_values_and_their_aliases_give_no_note(seed_engine):
    result = seed_engine.search("", filters={"person": ["Poutine"], "country": ["RU"], "lang": ["fr"]})
    assert result.notes == ()


def test_paging_past_the_end_says_how_many_results_there_are(seed_engine, run_cli, seed_index):
    total = seed_engine.search("Putin").total
    assert any(f"there are {total:,} results" in n for n in seed_engine.search("Putin", offset=50).notes)
    assert seed_engine.search("Putin", offset=0).notes == ()
    code, out, err = run_cli("Putin", "--offset", "50", "--json", "--index", str(seed_index))
    assert code == 0 and any("past the last one" in n for n in json.loads(out)["notes"])


@pytest.fixture(scope="module")
def dated_engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dated")
    dates = ["2023-12-31", "2024-01-01", "2024-03-01", "2024-03-31", "2024-04-01", "2025-06-15", None, None]
    lines = [json.dumps({"id": f"a{n}", "title": f"Titolo {n}", "text": f"Il porto di Genova, giorno {n}.",
                         **({"date": date} if date else {})}) for n, date in enumerate(dates)]
    corpus = write_corpus(folder / "corpus", {"news.jsonl": "\n".join(lines)})
    build_index(corpus, folder / "index")
    return folder / "index", open_engine(folder / "index")


@pytest.mark.parametrize("since, until, expected", [
    ("2024", "2024", {"a1", "a2", "a3", "a4"}),  # a year: all of it, both ends included
    ("2024-03", "2024-03", {"a2", "a3"}),  # a month: from its first to its last day
    ("2024-03-31", None, {"a3", "a4", "a5"}),
    (None, "2024-01-01", {"a0", "a1"}),
    ("2026", None, set()),
])
def test_a_date_range_keeps_the_dated_articles_between_its_ends(dated_engine, since, until, expected):
    _, engine = dated_engine
    result = engine.search("porto", since=since, until=until, limit=100)
    assert {hit.id.split("#")[1] for hit in result.hits} == expected and result.total == len(expected)
    years = {v.value: v.count for v in result.facets["year"]}  # counts follow the range
    assert sum(years.values()) == len(expected)


def test_a_date_range_through_cli_api_and_page(dated_engine, run_cli):
    from web import create_app

    index_dir, _ = dated_engine
    code, out, _ = run_cli("porto", "--since", "2024-03", "--until", "2024-03", "--json", "--index", str(index_dir))
    answer = json.loads(out)
    assert code == 0 and answer["total"] == 2 and (answer["since"], answer["until"]) == ("2024-03", "2024-03")
    code, _, err = run_cli("porto", "--since", "March", "--index", str(index_dir))
    assert code == 2 and "since must be a date" in err
    client = create_app(index_dir).test_client()
    assert client.get("/api/search?q=porto&from=2024-03&to=2024-03").get_json()["total"] == 2
    assert client.get("/api/search?q=porto&from=yesterday").status_code == 400
    page = client.get("/?q=porto&from=2024-03&to=2024-03").get_data(as_text=True)
    assert '<span id="total">2</span>' in page and 'value="2024-03"' in page and "2024-03 – 2024-03" in page
    assert "from=2024-03" in page  # kept in the page's links (paging, facets, sort)


def test_an_inverted_range_says_so(dated_engine):
    _, engine = dated_engine
    result = engine.search("porto", since="2025", until="2024")
    assert result.total == 0 and any("after until" in note for note in result.notes)


def test_the_timeline_counts_matches_per_year_with_empty_years_and_the_page_draws_it(dated_engine):
    import re

    from web import create_app

    index_dir, engine = dated_engine
    assert engine.search("porto").timeline == (("2023", 1), ("2024", 4), ("2025", 1))
    assert engine.search("porto", since="2024-03").timeline == (("2024", 3), ("2025", 1))
    assert engine.search("porto", filters={"year": ["2023", "2025"]}).timeline == (("2023", 1), ("2024", 0),
                                                                                    ("2025", 1))
    client = create_app(index_dir).test_client()
    assert client.get("/api/search?q=porto").get_json()["timeline"] == [
        {"year": "2023", "count": 1}, {"year": "2024", "count": 4}, {"year": "2025", "count": 1}]
    page = client.get("/?q=porto").get_data(as_text=True)
    bars = re.findall(r'<a href="([^"]+)" aria-label="(\d{4}): (\d+)"><rect class="bar"', page)
    assert [(year, int(n)) for _, year, n in bars] == [("2023", 1), ("2024", 4), ("2025", 1)]
    assert "(2 undated)" in page
    href = bars[1][0].replace("&amp;", "&")
    assert "from=2024" in href and "to=2024" in href and client.get(href).status_code == 200


@pytest.fixture(scope="module")
def people_engine(tmp_path_factory):
    """Articles naming Putin, Xi, both or neither, in Russia or China: small enough to count by hand."""
    folder = tmp_path_factory.mktemp("people")
    texts = {
        "putin-ru.txt": "Mosca\nIl presidente Vladimir Putin ha parlato in Russia.",
        "putin-cn.txt": "Pechino\nIl presidente Vladimir Putin è arrivato in Cina.",
        "xi-cn.txt": "Pechino\nIl presidente Xi Jinping ha parlato in Cina.",
        "both-cn.txt": "Vertice\nVladimir Putin e Xi Jinping si sono incontrati in Cina.",
        "none-fr.txt": "Parigi\nIl governo della Francia ha parlato.",
    }
    corpus = write_corpus(folder / "corpus", texts)
    build_index(corpus, folder / "index")
    return folder / "index", open_engine(folder / "index")


def _ids(result):
    return {hit.id for hit in result.hits}


def test_any_of_a_facets_values_is_or_and_its_counts_leave_its_own_filter_out(people_engine):
    _, engine = people_engine
    both = {"person": ["Vladimir Putin", "Xi Jinping"]}
    assert _ids(engine.search("", filters=both)) == {"both-cn.txt"}  # AND by default
    anyone = engine.search("", filters=both, any_of=["person"])
    assert _ids(anyone) == {"putin-ru.txt", "putin-cn.txt", "xi-cn.txt", "both-cn.txt"}
    people = {v.value: v.count for v in anyone.facets["person"]}
    assert people["Vladimir Putin"] == 3 and people["Xi Jinping"] == 2  # over all articles: what OR-ing adds
    countries = {v.value: v.count for v in anyone.facets["country"]}
    assert countries == {"CN": 3, "RU": 1}  # other facets: over the OR-ed matches
    assert anyone.to_json()["any_of"] == ["person"]


def test_excluding_a_value_leaves_out_every_article_with_it(people_engine):
    _, engine = people_engine
    result = engine.search("", filters={"person": ["Vladimir Putin"]}, exclude={"country": ["CN"]})
    assert _ids(result) == {"putin-ru.txt"}
    assert _ids(engine.search("", exclude={"person": ["Putin"]})) == {"xi-cn.txt", "none-fr.txt"}  # aliases too
    assert result.to_json()["exclude"] == {"country": ["CN"]}
    unknown = engine.search("", exclude={"org": ["Nobody Inc"]})
    assert any("Nobody Inc" in note for note in unknown.notes) and unknown.total == 5


def test_or_and_not_through_the_cli_the_api_and_the_page(people_engine, run_cli):
    from web import create_app

    index_dir, _ = people_engine
    code, out, _ = run_cli("", "--person", "Putin", "--person", "Xi Jinping", "--any-person", "--not-country", "RU",
                           "--json", "--index", str(index_dir))
    assert code == 0 and {h["id"] for h in json.loads(out)["hits"]} == {"putin-cn.txt", "xi-cn.txt", "both-cn.txt"}
    client = create_app(index_dir).test_client()
    api = client.get("/api/search?person=Putin&person=Xi+Jinping&any=person&not_country=RU").get_json()
    assert api["total"] == 3 and api["any_of"] == ["person"] and api["exclude"] == {"country": ["RU"]}
    assert client.get("/api/search?any=year").status_code == 400
    page = client.get("/?person=Vladimir+Putin").get_data(as_text=True)
    assert 'aria-pressed="false"' in page and 'href="/?person=Vladimir+Putin&amp;any=person"' in page
    assert 'href="/?person=Vladimir+Putin&amp;not_country=RU"' in page  # a "not" beside each value
    narrowed = client.get("/?person=Vladimir+Putin&not_country=RU").get_data(as_text=True)
    assert '<span id="total">2</span>' in narrowed and "Not countries" in narrowed  # putin-cn, both-cn


def test_values_tied_at_the_cut_are_the_first_by_name_whatever_order_the_index_holds_them_in():
    import numpy as np

    from index.facetstore import FacetTable

    values = tuple(f"name {letter}" for letter in "zyxwvutsrqponmlkjihgfedcba")  # held in reverse order
    table = FacetTable(values, np.arange(len(values) + 2, dtype=np.int32),
                       np.array(list(range(len(values))) + [3, 3], dtype=np.int32))  # "name w" counted 3 times
    mask = np.ones(len(values) + 2, dtype=bool)
    assert table.count(mask, 3) == [("name w", 3), ("name a", 1), ("name b", 1)]
