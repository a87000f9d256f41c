"""One suite of query cases on both backends: the embedded Whoosh index and a cluster of two real searchd nodes.

The same corpus (the seed articles and a few dated ones) is indexed into a
Whoosh folder and into a two-node Sphinx cluster, each node holding part of
it. Every case runs on both through `open_engine`, the one entry point of the
API, CLI and page: the same hits, the same totals, the same facet counts.
What the cluster cannot do the same is listed at the end and tested as such.
"""
from __future__ import annotations

import json
import os
import shutil

import pytest

from conftest import SEED_CORPUS, write_corpus
from index import build_index
from index.sphinx_client import document_number, node_of
from index.sphinx_nodes import start_cluster, stop_cluster
from search import open_engine
from search.sphinx_engine import DIFFERENCES
from test_cluster import _free_range
from test_seed_queries import SEED_QUERIES, check_case

if shutil.which("searchd") is None:
    if os.environ.get("CI"):
        pytest.fail("searchd is missing: .ci/run installs it (apt-get install sphinxsearch)", pytrace=False)
    pytestmark = pytest.mark.skip(reason="searchd is not installed (apt-get install sphinxsearch)")

DATED = [  # articles of the suite's own, with dates, in three languages
    {"id": "d-1", "title": "Il vertice di Malta", "text": "Wang Yi e Jake Sullivan si sono incontrati a Malta.",
     "lang": "it", "date": "2023-09-17"},
    {"id": "d-2", "title": "Sommet à Moscou", "text": "Vladimir Poutine a reçu Wang Yi à Moscou. La sécurité "
     "de l'Europe était au programme.", "lang": "fr", "date": "2024-02-03"},
    {"id": "d-3", "title": "Möte i Stockholm", "text": "Ulf Kristersson träffade Jens Stoltenberg från Nato i "
     "Stockholm.", "lang": "sv", "date": "2024-03-15"},
    {"id": "d-4", "title": "Sanzioni", "text": "Le nuove sanzioni contro la Russia colpiscono le banche.",
     "lang": "it", "date": "2022-05-01"},
]

# The engine's own cases: (query, search arguments).
ENGINE_CASES = [
    ("Wang Lavrov", {}), ("Wang Trump", {}), ("Shoigu -Trump", {}), ("Shoigu NOT (Trump OR Biden)", {}),
    ("-Shoigu", {}), ("sanz*", {}), ("title:Malta", {}), ("lang:sv", {}), ("Malta", {"filters": {"lang": ["it"]}}),
    ("", {"filters": {"country": ["RU"]}, "sort": "date"}),
    ("Wang", {"since": "2024"}), ("", {"since": "2023", "until": "2024-02"}),
    ("", {"filters": {"person": ["Wang Yi", "Vladimir Putin"]}}),
    ("", {"filters": {"person": ["Wang Yi", "Ulf Kristersson"]}, "any_of": ["person"]}),
    ("", {"exclude": {"country": ["RU"]}}), ("Wang", {"exclude": {"lang": ["it"]}}),
    ("Poutine", {"expand_entities": False}), ("Poutine", {}), ("person:\"Vladimir Putin\" OR Malta", {}),
    ("\"Consiglio di sicurezza\" OR Stoltenberg", {}), ("", {"filters": {"person": ["Nobody Atall"]}}),
    ("securite", {}), ("sanzione", {}), ("", {"offset": 3, "limit": 2, "sort": "date"}),
    ("Putim", {}), ("sanzoni russia", {}), ("Malta Putim", {}),  # did you mean: Putin, sanzioni russia, …
    ("Wang e Malta", {}), ("Wang och Malta", {}), ("il e", {}),  # stop words: optional beside other words
    # What Sphinx's match syntax would read as operators is searched as text, on both backends alike.
    ("Malta|Lavrov", {}), ("@title Malta", {}), ('"Wang Yi', {}), ("Malta) OR (", {}), ("=Malta", {}),
    ("Malta^ $Lavrov", {}), ("'; SHOW TABLES; --", {}), ("\\Malta", {}), ("Wang << Yi", {}), ("Malta/2", {}),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("backends") / "corpus"
    shutil.copytree(SEED_CORPUS, folder)
    return write_corpus(folder, {"dated.jsonl": "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in DATED)})


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, corpus):
    """Two nodes holding the corpus between them; yields (data folder, location)."""
    data = tmp_path_factory.mktemp("nodes")
    states = start_cluster(data, nodes=2, first_port=_free_range(4))
    location = "sphinx://" + ",".join(f"127.0.0.1:{state.node.sql_port}" for state in states)
    build_index(corpus, location, workers=0)
    yield data, location
    stop_cluster(data)


@pytest.fixture(scope="module")
def engines(tmp_path_factory, corpus, cluster):
    index_dir = tmp_path_factory.mktemp("whoosh") / "index"
    build_index(corpus, index_dir)
    with open_engine(index_dir) as whoosh, open_engine(cluster[1]) as sphinx:
        yield {"whoosh": whoosh, "sphinx": sphinx}


def _answer(result) -> dict:
    """What must be the same on both backends: which articles, how many, every facet count, the notes
    (but those that say how the cluster differs, tested apart) and the suggestion."""
    return {"ids": sorted(hit.id for hit in result.hits), "total": result.total,
            "facets": {name: sorted((v.value, v.count) for v in values) for name, values in result.facets.items()},
            "timeline": result.timeline, "suggestion": result.suggestion,
            "notes": sorted(note for note in result.notes if getattr(note, "message", None) not in DIFFERENCES.values())}


def _partial(notes) -> bool:
    return any("answered in part" in note or "does not answer" in note for note in notes)


def _seed_cases():
    cases = json.loads(SEED_QUERIES.read_text())["cases"]
    return [pytest.param(case, id=f"{case['query']!r} {case.get('lang', '')} {case.get('filters', '')}".strip())
            for case in cases if case["level"] in ("core", "facet")]


@pytest.mark.parametrize("case", _seed_cases())
def test_a_seed_query_answers_the_same_on_both_backends(case, engines):
    filters = dict(case.get("filters", {}))
    if "lang" in case:
        filters["lang"] = [case["lang"]]
    answers = {}
    for name, engine in engines.items():
        result = engine.search(case["query"], filters=filters, limit=100)
        seed_only = [hit for hit in result.hits if not hit.id.startswith("dated.jsonl")]
        check_case(case, {"total": len(seed_only), "hits": [{"id": hit.id} for hit in seed_only]})
        answers[name] = _answer(result)
    assert answers["sphinx"] == answers["whoosh"]


@pytest.mark.parametrize("query, arguments", ENGINE_CASES, ids=[f"{q!r} {a}" for q, a in ENGINE_CASES])
def test_an_engine_case_answers_the_same_on_both_backends(query, arguments, engines):
    answers = {name: _answer(engine.search(query, **{"limit": 100, **arguments})) for name, engine in engines.items()}
    assert answers["sphinx"] == answers["whoosh"]


def test_the_engine_cases_are_not_vacuous(engines):
    """Equal answers prove little if they are empty: most cases find articles (or a correction)."""
    found = [query for query, arguments in ENGINE_CASES
             if (result := engines["whoosh"].search(query, **arguments)).total or result.suggestion]
    assert len(found) >= len(ENGINE_CASES) - 6, sorted(set(q for q, _ in ENGINE_CASES) - set(found))


def test_date_order_and_paging_are_the_same_on_both_backends(engines):
    pages = {name: [[hit.id for hit in engine.search("", sort="date", limit=3, offset=offset).hits]
                    for offset in (0, 3, 6)] for name, engine in engines.items()}
    assert pages["whoosh"][0] == ["dated.jsonl#d-3", "dated.jsonl#d-2", "dated.jsonl#d-1"]
    assert pages["sphinx"] == pages["whoosh"]  # then the undated ones, in the order of their ids


def test_an_article_shows_the_same_on_both_backends(engines):
    articles = {name: engine.show("002_f821f3d7de1c528f.txt") for name, engine in engines.items()}
    assert articles["sphinx"].text == articles["whoosh"].text and articles["sphinx"].person == articles["whoosh"].person
    marked = {name: [s.text for s in engine.annotate("004_60e6953ebaf8c9e4.txt", "sanzione") if s.is_match]
              for name, engine in engines.items()}
    assert marked["sphinx"] == marked["whoosh"] and marked["sphinx"]


def test_the_corpus_is_split_between_the_nodes_by_a_hash_of_each_id(cluster, corpus):
    from index.sphinx_client import connect

    data, location = cluster
    ports = [int(node.split(":")[1]) for node in location.removeprefix("sphinx://").split(",")]
    held = []
    for number, port in enumerate(ports):
        with connect("127.0.0.1", port) as connection, connection.cursor() as cursor:
            ids = set()
            for index in ("rt_it", "rt_fr", "rt_sv"):
                cursor.execute(f"SELECT doc_id FROM {index} LIMIT 100")
                ids |= {row[0] for row in cursor.fetchall()}
        held.append(ids)
        assert all(node_of(document_number(doc_id), 2) == number for doc_id in ids)
    assert held[0] and held[1] and not held[0] & held[1] and len(held[0] | held[1]) == 9


def test_what_the_cluster_cannot_do_the_same_is_said_in_notes(engines):
    fuzzy = engines["sphinx"].search("Shoygu~")
    assert any("no fuzzy matching" in note for note in fuzzy.notes) and fuzzy.total == 0
    assert engines["whoosh"].search("Shoygu~").total == 3  # the embedded index finds Shoigu
    assert engines["sphinx"].search("Shoigu", filters={"lang": ["it"]}).notes == ()  # nothing said when nothing differs
    mixed = engines["sphinx"].search("Wang")  # Italian, French and Swedish hits: ranked per language
    assert len({hit.lang for hit in mixed.hits}) > 1 and any("ranks each language" in n for n in mixed.notes)
    assert not any("ranks each language" in n for n in engines["sphinx"].search("Wang", sort="date").notes)


def test_an_update_rewrites_only_what_changed_and_deletes_what_is_gone(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "Primo\nMalta e Roma.", "b.txt": "Secondo\nMalta."})
    data = tmp_path / "nodes"
    states = start_cluster(data, nodes=2, first_port=_free_range(4))
    location = "sphinx://" + ",".join(f"127.0.0.1:{state.node.sql_port}" for state in states)
    try:
        first = build_index(corpus, location, workers=0)
        assert (first.added_files, first.documents_indexed) == (2, 2)
        (corpus / "b.txt").write_text("Secondo\nStoccolma.", encoding="utf-8")
        (corpus / "a.txt").unlink()
        write_corpus(corpus, {"c.txt": "Terzo\nMalta."})
        second = build_index(corpus, location, workers=0)
        assert (second.added_files, second.updated_files, second.removed_files, second.unchanged_files) == (1, 1, 1, 0)
        with open_engine(location) as engine:
            assert sorted(hit.id for hit in engine.search("Malta").hits) == ["c.txt"]
            assert [hit.id for hit in engine.search("Stoccolma", expand_entities=False).hits] == ["b.txt"]
        assert build_index(corpus, location, workers=0).changed is False
    finally:
        stop_cluster(data)


def test_with_a_node_stopped_a_search_returns_the_other_nodes_part_with_a_note_and_a_restart_restores_it(
        cluster, engines, cli):
    data, location = cluster
    whole = engines["sphinx"].search("Ukraine OR Malta OR Stockholm", limit=100)
    stop_cluster(data, 2)
    try:
        part = engines["sphinx"].search("Ukraine OR Malta OR Stockholm", limit=100)
        assert 0 < part.total < whole.total
        assert {hit.id for hit in part.hits} < {hit.id for hit in whole.hits}
        assert any("answered in part" in note for note in part.notes)
        shown = cli("search", "Ukraine OR Malta OR Stockholm", "--index", location, "--json")
        assert shown.exit_code == 0 and any("answered in part" in n for n in json.loads(shown.stdout)["notes"])
        text = cli("search", "Ukraine OR Malta OR Stockholm", "--index", location)
        assert text.exit_code == 0 and "note: the cluster answered in part" in text.stderr
    finally:
        start_cluster(data)
    again = engines["sphinx"].search("Ukraine OR Malta OR Stockholm", limit=100)
    assert again.total == whole.total and again.notes == whole.notes and not _partial(again.notes)


def test_the_first_node_down_the_second_answers_for_the_cluster(cluster, engines):
    data, location = cluster
    stop_cluster(data, 1)
    try:
        result = engines["sphinx"].search("Shoigu")
        assert result.total and any("does not answer" in note for note in result.notes)
    finally:
        start_cluster(data)


@pytest.fixture
def cli():
    from click.testing import CliRunner

    from cli import main

    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


def test_the_search_page_serves_a_cluster_and_shows_a_missing_node(cluster):
    """`corpus-search serve --index sphinx://…`, over real HTTP: results, then the note when a node is down."""
    import subprocess
    import sys
    import urllib.parse
    import urllib.request

    from conftest import ROOT
    from test_server import free_port, serving

    data, location = cluster
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--index", location, "--port", str(port),
                                "--workers", "1"], cwd=ROOT, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def get(path: str) -> str:
        return urllib.request.urlopen(base + path, timeout=30).read().decode("utf-8")

    try:
        assert serving(base)
        answer = json.loads(get("/api/search?" + urllib.parse.urlencode({"q": "Malta OR Stockholm"})))
        assert answer["total"] == 4 and not _partial(answer["notes"])
        page = get("/?" + urllib.parse.urlencode({"q": "Malta OR Stockholm"}))
        assert '<span id="total">4</span>' in page
        article = get("/article/002_f821f3d7de1c528f.txt?q=Malta")  # the article page: text, marks, similar
        assert "<mark>Malta</mark>" in article and "Wang Yi" in article
        exported = get("/export.csv?" + urllib.parse.urlencode({"q": "Malta OR Stockholm"}))
        assert len(exported.strip().splitlines()) == 1 + 4
        stop_cluster(data, 2)
        try:
            answer = json.loads(get("/api/search?" + urllib.parse.urlencode({"q": "Malta OR Stockholm"})))
            assert 0 < answer["total"] < 4 and any("answered in part" in note for note in answer["notes"])
            assert "the cluster answered in part" in get("/?" + urllib.parse.urlencode({"q": "Malta OR Stockholm"}))
        finally:
            start_cluster(data)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_wrong_cluster_location_or_a_cluster_that_does_not_answer_is_one_line(cli):
    wrong = cli("search", "Malta", "--index", "sphinx://127.0.0.1:port")
    assert wrong.exit_code == 2 and "is not a cluster location" in wrong.stderr and "Traceback" not in wrong.stderr
    port = _free_range(1)
    down = cli("search", "Malta", "--index", f"sphinx://127.0.0.1:{port}")
    assert down.exit_code == 1 and "no node of the cluster" in down.stderr and "Traceback" not in down.stderr


def test_the_entity_report_says_in_one_line_that_it_needs_an_embedded_index(cluster, cli):
    report = cli("entities", "--index", cluster[1])
    assert report.exit_code == 1 and "reads an embedded index" in report.stderr and "Traceback" not in report.stderr


def test_writing_needs_every_node_and_says_so_in_one_line(tmp_path, cli):
    data = tmp_path / "nodes"
    states = start_cluster(data, nodes=2, first_port=_free_range(4))
    location = "sphinx://" + ",".join(f"127.0.0.1:{state.node.sql_port}" for state in states)
    try:
        stop_cluster(data, 2)
        result = cli("index", "--corpus", str(SEED_CORPUS), "--index", location)
        assert result.exit_code == 1 and "every node must run to write" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        stop_cluster(data)


def test_many_threads_search_one_cluster_engine_at_once(engines):
    """One engine shared by a server's threads: each keeps its own connection, and every answer is whole."""
    from concurrent.futures import ThreadPoolExecutor

    engine = engines["sphinx"]
    queries = ["Malta", "Shoigu", "Poutine", "", "Putim", "sanz*"]
    expected = {query: _answer(engine.search(query)) for query in queries}
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda i: (queries[i % 6], _answer(engine.search(queries[i % 6]))), range(96)))
    wrong = [(query, {k: (v, expected[query][k]) for k, v in answer.items() if v != expected[query][k]})
             for query, answer in answers if answer != expected[query]]
    assert not wrong, wrong[:2]
