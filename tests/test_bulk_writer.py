"""The bulk segment writer (index/bulk_writer.py) against Whoosh's own writer, on the same articles.

The same corpus (the seeds, dated articles, and 1,000 real ones, enough for the
worker processes) is indexed three ways: through Whoosh's own writer, through
the bulk writer in worker processes, and through the bulk writer with a tiny
memory budget (many segments). Every query of the engine's cases must give the
same articles in the same order, with the same scores and facet counts; and
stock Whoosh must open the bulk-written index and answer from it as from its own.
"""
from __future__ import annotations

import json
import shutil

import pytest
from whoosh import index as whoosh_index
from whoosh.qparser import QueryParser

from conftest import REAL_CORPORA, SEED_CORPUS, write_corpus
from index import build_index
from index import bulk_writer
from index.store import current_generation
from search import open_engine
from test_backends import DATED, ENGINE_CASES

MORE_CASES = [  # phrases, prefixes, fuzzy words and facets on the real articles
    ("carabinieri", {}), ('"polizia municipale"', {}), ("furto Modena", {}), ("regeringen", {}),
    ("rapin*", {}), ("carabineri~", {}), ("title:furto", {}), ("", {"filters": {"lang": ["sv"]}}),
    ("Modena", {"filters": {"country": ["IT"]}}), ("", {"sort": "date", "limit": 50}),
    ("arrestato", {"offset": 20, "limit": 30}),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bulk") / "corpus"
    shutil.copytree(SEED_CORPUS, folder)
    with open(REAL_CORPORA / "news_it_dice_crime_NC.jsonl", encoding="utf-8") as source:
        real = [line for _, line in zip(range(1000), source)]
    return write_corpus(folder, {"dated.jsonl": "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in DATED),
                                 "real.jsonl": "".join(real)})


@pytest.fixture(scope="module")
def indexes(tmp_path_factory, corpus):
    root = tmp_path_factory.mktemp("indexes")
    build_index(corpus, root / "whoosh", whoosh_writer=True, workers=2)
    build_index(corpus, root / "bulk", workers=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bulk_writer, "SEGMENT_MEMORY_BYTES", 2_000_000)  # a new segment every few hundred articles
        build_index(corpus, root / "segments", workers=0)
    return {name: root / name for name in ("whoosh", "bulk", "segments")}


def _answer(result) -> dict:
    # Articles of equal score come in the order of their segments, which the writers lay out differently:
    # the order compared is by score, then id.
    hits = sorted(((hit.id, round(hit.score, 5)) for hit in result.hits), key=lambda hit: (-hit[1], hit[0]))
    return {"hits": hits, "total": result.total,
            "facets": {name: [(v.value, v.count) for v in values] for name, values in result.facets.items()},
            "timeline": result.timeline, "suggestion": result.suggestion, "notes": list(result.notes)}


@pytest.mark.parametrize("query, arguments", ENGINE_CASES + MORE_CASES,
                         ids=[f"{q!r} {a}" for q, a in ENGINE_CASES + MORE_CASES])
def test_every_query_answers_the_same_as_from_whoosh_s_own_writer(query, arguments, indexes):
    answers = {}
    for name, folder in indexes.items():
        with open_engine(folder) as engine:
            answers[name] = _answer(engine.search(query, **{"limit": 5000, **arguments}))  # every hit: no tie cut
    assert answers["bulk"] == answers["whoosh"]
    assert answers["segments"] == answers["whoosh"]


def test_the_cases_find_articles(indexes):
    with open_engine(indexes["bulk"]) as engine:
        found = [query for query, arguments in ENGINE_CASES + MORE_CASES if engine.search(query, **arguments).total]
    assert len(found) >= len(ENGINE_CASES + MORE_CASES) - 8


def _whoosh_answers(folder) -> dict:
    """What stock Whoosh finds in an index, with its own reader, parser and scoring."""
    ix = whoosh_index.open_dir(str(current_generation(folder).path))
    with ix.searcher() as searcher:
        answers = {"documents": searcher.doc_count(), "segments": len(ix._segments())}
        for field, text in (("exact", "carabinieri"), ("exact", '"polizia municipale"'), ("text_it", "arrest"),
                            ("title", "furto"), ("person", "Sergei Lavrov"), ("lang", "sv")):
            hits = searcher.search(QueryParser(field, ix.schema).parse(text), limit=None)
            answers[(field, text)] = sorted((hit["id"], round(hit.score, 5)) for hit in hits)
        answers["lexicon"] = sum(1 for _ in searcher.reader().all_terms())
    return answers


def test_stock_whoosh_reads_the_bulk_written_index_as_its_own(indexes):
    ours, theirs, several = (_whoosh_answers(indexes[name]) for name in ("bulk", "whoosh", "segments"))
    assert ours["documents"] == theirs["documents"] > 1000
    assert several["segments"] > 3  # the small budget did make many segments
    for key in theirs:
        if key != "segments":
            assert ours[key] == theirs[key], key
            assert several[key] == theirs[key], key
    assert ours[("exact", "carabinieri")]  # the comparisons were not of empty answers


def test_whoosh_s_own_merge_of_bulk_written_segments_answers_as_the_merge_of_its_own(indexes, tmp_path):
    """Whoosh's merge copies the postings of our segments (inlined ones, compactly pickled blocks) into its
    own blocks; merged, ours must read as Whoosh's own segments merged (a merge sums the field lengths from
    their one-byte approximations, so scores move a little, the same way for both)."""
    merged = {}
    for name in ("segments", "whoosh"):
        shutil.copytree(indexes[name], tmp_path / name)
        whoosh_index.open_dir(str(current_generation(tmp_path / name).path)).optimize()
        merged[name] = _whoosh_answers(tmp_path / name)
    assert merged["segments"]["segments"] == merged["whoosh"]["segments"] == 1
    assert merged["segments"] == merged["whoosh"]
    assert merged["segments"][("exact", "carabinieri")]
    with open_engine(tmp_path / "segments") as ours, open_engine(tmp_path / "whoosh") as theirs:
        for query, arguments in MORE_CASES:
            assert (_answer(ours.search(query, **{"limit": 5000, **arguments}))
                    == _answer(theirs.search(query, **{"limit": 5000, **arguments}))), query


def test_many_small_updates_merge_their_segments(tmp_path):
    """Each update adds a segment; Whoosh's merge policy merges the small ones, inlined postings and all."""
    folder = write_corpus(tmp_path / "corpus", {"seed.txt": "Titolo\nIl ministro Rossi ha parlato a Roma."})
    build_index(folder, tmp_path / "index", workers=0)
    for number in range(12):
        write_corpus(folder, {f"new{number}.txt": f"Titolo {number}\nIl ministro Bianchi parla a Modena {number}."})
        report = build_index(folder, tmp_path / "index", workers=0)
        assert report.added_files == 1
    ix = whoosh_index.open_dir(str(current_generation(tmp_path / "index").path))
    assert len(ix._segments()) < 13  # segments were merged
    with open_engine(tmp_path / "index") as engine:
        assert engine.search("Bianchi").total == 12
        assert engine.search("Rossi").total == 1


def test_an_update_through_the_bulk_writer_matches_a_fresh_build(tmp_path, corpus):
    folder = tmp_path / "corpus"
    shutil.copytree(corpus, folder)
    build_index(folder, tmp_path / "updated", workers=0)
    (folder / "dated.jsonl").unlink()
    write_corpus(folder, {"new.txt": "Nuovo arrivo\nI carabinieri di Modena hanno arrestato Sergei Lavrov."})
    report = build_index(folder, tmp_path / "updated", workers=0)
    assert (report.added_files, report.removed_files) == (1, 1)
    build_index(folder, tmp_path / "fresh", whoosh_writer=True, workers=0)
    for query, arguments in MORE_CASES + [("Lavrov", {}), ("Malta", {})]:
        with open_engine(tmp_path / "updated") as updated, open_engine(tmp_path / "fresh") as fresh:
            a = updated.search(query, **{"limit": 100, **arguments})
            b = fresh.search(query, **{"limit": 100, **arguments})
            assert sorted(hit.id for hit in a.hits) == sorted(hit.id for hit in b.hits), query
            assert a.total == b.total and a.facets == b.facets, query


def test_a_failing_worker_stops_the_run_at_once_and_the_index_stays_as_it_was(tmp_path, monkeypatch):
    import time

    from index import writer

    corpus = write_corpus(tmp_path / "corpus", {f"{i}.txt": f"Titolo {i}\nIl mare è calmo {i}." for i in range(40)})
    monkeypatch.setattr(writer, "PARALLEL_MIN_BYTES", 0)  # worker processes even for a small corpus
    build_index(corpus, tmp_path / "index", workers=2)
    write_corpus(corpus, {"bad.txt": "Rotto\nQuesto articolo fa fallire chi lo prepara."})
    prepare = bulk_writer.prepare_document

    def failing(document, with_entities=True):
        if document.path == "bad.txt":
            raise ValueError("boom")
        return prepare(document, with_entities)

    monkeypatch.setattr(bulk_writer, "prepare_document", failing)  # the workers are forked: they inherit it
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="boom"):
        build_index(corpus, tmp_path / "index", workers=2)
    assert time.monotonic() - started < 60
    with open_engine(tmp_path / "index") as engine:
        assert engine.search("mare").total == 40
