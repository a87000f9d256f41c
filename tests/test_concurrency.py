"""Many readers at once on one engine: nobody waits for another's search, answers stay right."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import search.highlight
from index import build_index
from search import open_engine

SLOW_QUERY = "Shoigu"
FAST_QUERY = "Malta"


def test_a_slow_search_does_not_hold_up_a_fast_one(seed_index, monkeypatch):
    """One search is held inside the engine (its snippets never finish); another must still answer."""
    engine = open_engine(seed_index)
    release = threading.Event()
    entered = threading.Event()
    real_snippet = search.highlight.snippet

    def snippet(text, lang, highlight, spans, **options):
        if "shoigu" in highlight.exact:
            entered.set()
            assert release.wait(30), "the slow search was never released"
        return real_snippet(text, lang, highlight, spans, **options)

    monkeypatch.setattr(search.highlight, "snippet", snippet)
    finished: list[str] = []
    slow = threading.Thread(target=lambda: finished.append(engine.search(SLOW_QUERY).query))
    slow.start()
    try:
        assert entered.wait(10), "the slow search did not start"
        started = time.perf_counter()
        fast = engine.search(FAST_QUERY)  # would wait forever behind a lock held by the slow search
        assert time.perf_counter() - started < 5
        assert fast.total == 2 and not finished  # the fast one answered while the slow one was still running
        assert engine.searchers_open == 2  # each search had a searcher of its own
    finally:
        release.set()
        slow.join(30)
    assert finished == [SLOW_QUERY]
    engine.close()


def test_threads_searching_at_once_get_the_answers_of_one_thread(seed_index):
    engine = open_engine(seed_index)
    queries = ["Putin", "Wang Yi Malta", "", "Shoigu -Trump", '"Consiglio di sicurezza"', "sanzione", "Poutine"]
    expected = {q: [(h.id, round(h.score, 6)) for h in engine.search(q).hits] for q in queries}
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda q: (q, [(h.id, round(h.score, 6)) for h in engine.search(q).hits]),
                                queries * 20))
    assert all(hits == expected[q] for q, hits in answers)
    assert engine.searchers_open <= 8  # searchers are reused, not opened per search
    engine.close()


def test_home_page_counts_equal_a_fresh_count_and_follow_updates(tmp_path, fresh_corpus):
    index_dir = tmp_path / "index"
    build_index(fresh_corpus, index_dir)
    engine = open_engine(index_dir)

    def fresh_counts():
        """Facet counts walked from every document's stored values, independently of the engine."""
        counts: dict[str, dict[str, int]] = {"person": {}, "country": {}, "org": {}, "lang": {}}
        for doc_id in [h.id for h in engine.search("", limit=1000).hits]:
            article = engine.show(doc_id)
            for facet in ("person", "country", "org"):
                for value in getattr(article, facet):
                    counts[facet][value] = counts[facet].get(value, 0) + 1
            counts["lang"][article.lang] = counts["lang"].get(article.lang, 0) + 1
        return counts

    def engine_counts():
        result = engine.search("", facet_limit=1000)
        return result.total, {f: {v.value: v.count for v in result.facets[f]} for f in ("person", "country", "org", "lang")}

    assert engine_counts() == (5, fresh_counts())
    assert engine_counts() == (5, fresh_counts())  # the second visit is answered from the cache: the same
    (fresh_corpus / "extra.txt").write_text("Zelensky a Kiev\nIl presidente ucraino Volodymyr Zelensky ha incontrato "
                                            "il segretario della NATO a Kiev.\n", encoding="utf-8")
    build_index(fresh_corpus, index_dir)
    total, counts = engine_counts()
    assert total == 6 and counts == fresh_counts()
    assert counts["person"].get("Volodymyr Zelenskyy") == 1 and counts["org"]["NATO"] >= 1
    engine.close()


def test_browse_order_is_newest_first_with_undated_last_in_id_order(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = [
        '{"id": "a10", "text": "Notizia senza data numero dieci."}',
        '{"id": "a9", "text": "Notizia senza data numero nove."}',
        '{"id": "b", "date": "2021-03-01", "text": "Notizia di marzo."}',
        '{"id": "c", "date": "2023-01-05", "text": "Notizia di gennaio."}',
        '{"id": "a100", "text": "Notizia senza data numero cento."}',
    ]
    (corpus / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    build_index(corpus, tmp_path / "index")
    engine = open_engine(tmp_path / "index")
    browsed = [h.id.split("#")[-1] for h in engine.search("").hits]
    assert browsed == ["c", "b", "a9", "a10", "a100"]
    by_date = [h.id.split("#")[-1] for h in engine.search("notizia", sort="date").hits]
    assert by_date == browsed
    assert [h.id.split("#")[-1] for h in engine.search("", offset=2, limit=2).hits] == ["a9", "a10"]
    engine.close()


def test_a_search_over_its_time_limit_answers_partially_and_says_so(seed_index):
    hurried = open_engine(seed_index, timeout_s=0.0)
    result = hurried.search("Putin OR Shoigu OR Malta")
    assert any("cut short" in note for note in result.notes)
    assert result.suggestion is None  # a partial miss is no reason to suggest
    assert hurried.search("").total == 5  # browsing reads no terms: nothing to cut
    patient = open_engine(seed_index)
    assert patient.search("Putin OR Shoigu OR Malta").notes == ()
    assert hurried.search("").total == 5
    hurried.close()
    patient.close()


def test_fuzzy_and_prefix_expansion_stops_at_the_time_limit(real_index):
    """Expanding a fuzzy word walks the vocabulary: 64 of them must not outlast the limit by much."""
    engine = open_engine(real_index, timeout_s=0.05)
    started = time.perf_counter()
    result = engine.search(" ".join(f"{letter}a~2" for letter in ("bcdfglmnprstv" * 5)[:64]))
    assert time.perf_counter() - started < 5
    assert any("cut short" in note for note in result.notes)
    engine.close()
    patient = open_engine(real_index)
    assert patient.search("carabinier~1").total > 0 and patient.search("carabinier~1").notes == ()
    patient.close()
