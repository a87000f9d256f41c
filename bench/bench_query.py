"""Query latency with facet counts, and CLI start-to-result time, against plain Whoosh, SQLite FTS5 and grep.

Run: python bench/bench_query.py --size 10000   (after bench/bench_index.py --size 10000)

The query mix: a rare word, a common word, two and three words, a phrase,
one and two facet filters, a filter-only query and a page-5 query. Every
system computes facet counts over the whole result set for every query, as
the product does: Corpus Search its people/countries/organizations/language
facets; plain Whoosh and SQLite the language facet (with Whoosh's own
``groupedby`` on a column, and SQL ``GROUP BY``); their facet filters use the
entities Corpus Search extracted, loaded into a side table (SQLite, with a
correlated ``EXISTS``) or keyword fields are absent (Whoosh: language filter).
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpora import CACHE, bench_corpus, machine  # noqa: E402

# (label, query, filters, page)
MIX = [
    ("rare word", "Sjamsoeddin", {}, 1),
    ("common word", "governo", {}, 1),
    ("two words", "Wang Yi", {}, 1),
    ("three words", "Wang Yi Malta", {}, 1),
    ("phrase", '"Consiglio di sicurezza"', {}, 1),
    ("one facet filter", "sanzioni", {"country": ["RU"]}, 1),
    ("two facet filters", "ministro", {"country": ["RU"], "person": ["Vladimir Putin"]}, 1),
    ("filter only", "", {"country": ["CN"]}, 1),
    ("page 5", "regeringen", {}, 5),
]
ROUNDS = 5


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)

    def at(p):
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    return f"p50 {at(50):7.1f} ms  p95 {at(95):7.1f} ms  p99 {at(99):7.1f} ms"


def time_mix(run) -> tuple[list[float], dict[str, float]]:
    times, by_query = [], {}
    run(*MIX[0][1:])  # warm up: open files, load the knowledge base
    for _ in range(ROUNDS):
        for label, query, filters, page in MIX:
            started = time.perf_counter()
            run(query, filters, page)
            elapsed = (time.perf_counter() - started) * 1000
            times.append(elapsed)
            by_query[label] = min(by_query.get(label, elapsed), elapsed)
    return times, by_query


def ours(index: Path):
    from search import open_engine

    engine = open_engine(index)

    def run(query, filters, page):
        return engine.search(query, filters=filters, limit=10, offset=(page - 1) * 10).total

    return run


def plain_whoosh(index: Path):
    from whoosh import index as whoosh_index
    from whoosh import query as wq
    from whoosh import sorting
    from whoosh.qparser import QueryParser

    searcher = whoosh_index.open_dir(str(index)).searcher()
    parser = QueryParser("text", searcher.schema)
    lang = sorting.FieldFacet("lang")

    def run(query, filters, page):
        q = parser.parse(query) if query else wq.Every()
        if filters:
            q = wq.And([q, wq.Term("lang", "it")])  # no entities here: the language is its only facet
        results = searcher.search_page(q, page, pagelen=10, groupedby={"lang": lang})
        return len(results), {k: len(v) for k, v in results.results.groups("lang").items()}

    return run


def sqlite_fts5(index: Path, ours_index: Path):
    db = sqlite3.connect(index / "fts.db", check_same_thread=False)
    if not db.execute("SELECT name FROM sqlite_master WHERE name='entities'").fetchone():
        _load_entities(db, ours_index)

    def run(query, filters, page):
        where, params = [], []
        if query:
            where.append("articles MATCH ?")
            params.append(_fts_query(query))
        for facet, values in filters.items():
            for value in values:
                where.append("EXISTS (SELECT 1 FROM entities e WHERE e.doc = articles.rowid AND e.kind = ? "
                             "AND e.value = ?)")
                params += [facet, value]
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        order = "ORDER BY rank" if query else ""
        hits = db.execute(f"SELECT rowid, id FROM articles {clause} {order} LIMIT 10 OFFSET ?",
                          params + [(page - 1) * 10]).fetchall()
        matched = f"SELECT rowid FROM articles {clause}"
        total = db.execute(f"SELECT count(*) FROM ({matched})", params).fetchone()[0]
        facets = db.execute(f"SELECT e.kind, e.value, count(*) FROM entities e WHERE e.doc IN ({matched}) "
                            f"GROUP BY e.kind, e.value ORDER BY 3 DESC LIMIT 40", params).fetchall()
        return len(hits), total, len(facets)

    return run


def _fts_query(query: str) -> str:
    if query.startswith('"'):
        return query
    return " ".join(f'"{word}"' for word in query.split())


def _load_entities(db, ours_index: Path) -> None:
    """Copy the entities Corpus Search extracted into SQLite (not timed: extraction is ours)."""
    from whoosh.index import open_dir

    from index.store import current_generation

    rowids = dict(db.execute("SELECT id, rowid FROM articles"))
    db.execute("CREATE TABLE entities (doc INTEGER, kind TEXT, value TEXT)")
    rows = []
    with open_dir(str(current_generation(ours_index).path)).reader() as reader:
        everything = list(reader.all_stored_fields())
    for stored in everything:
        doc_id = stored["id"].replace("#", "#", 1)
        rowid = rowids.get(doc_id)
        if rowid is None:
            continue
        for kind in ("person", "country", "org"):
            rows += [(rowid, kind, v) for v in (stored.get(kind) or "").split(",") if v]
    db.executemany("INSERT INTO entities VALUES (?, ?, ?)", rows)
    db.execute("CREATE INDEX entities_doc ON entities(doc, kind, value)")
    db.execute("CREATE INDEX entities_value ON entities(kind, value, doc)")
    db.commit()


def cli_times(corpus: Path, index: Path, runs: int = 5) -> tuple[list[float], list[float]]:
    script = Path(sys.executable).with_name("corpus-search")
    env = {**os.environ, "CORPUS_SEARCH_INDEX": str(index), "CORPUS_SEARCH_CORPUS": str(corpus)}
    ours_times, grep_times = [], []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(script), "Wang Yi Malta"], env=env, capture_output=True, check=True)
        ours_times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        subprocess.run(["grep", "-ril", "wang yi", str(corpus)], capture_output=True)
        grep_times.append((time.perf_counter() - started) * 1000)
    return ours_times, grep_times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    args = parser.parse_args()
    corpus = bench_corpus(args.size)
    indexes = {name: CACHE / f"index-{args.size}-{name}" for name in
               ("corpus-search", "corpus-search,_Whoosh's_writer", "whoosh_procs=2_multisegment", "sqlite_fts5")}
    if not indexes["corpus-search"].exists():
        raise SystemExit(f"build the indexes first: python bench/bench_index.py --size {args.size}")
    print(machine())
    print(f"corpus: {args.size:,} articles; {len(MIX)} queries × {ROUNDS} rounds, facet counts on every query")
    runs = {"corpus-search": ours(indexes["corpus-search"])}
    if indexes["corpus-search,_Whoosh's_writer"].exists():  # the same index written by Whoosh's own writer
        runs["cs, Whoosh's writer"] = ours(indexes["corpus-search,_Whoosh's_writer"])
    if indexes["whoosh_procs=2_multisegment"].exists():
        runs["plain whoosh"] = plain_whoosh(indexes["whoosh_procs=2_multisegment"])
    if indexes["sqlite_fts5"].exists():
        runs["sqlite fts5"] = sqlite_fts5(indexes["sqlite_fts5"], indexes["corpus-search"])
    medians = {}
    for name, run in runs.items():
        times, by_query = time_mix(run)
        medians[name] = statistics.median(times)
        print(f"  {name:14} {percentiles(times)}")
        print("                 " + "  ".join(f"{label}: {ms:.1f}" for label, ms in by_query.items()))
    for name in [name for name in runs if name != "corpus-search"]:
        print(f"  corpus-search p50 is {medians['corpus-search'] / medians[name]:.2f}× {name}'s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory of this process (all three systems loaded): {peak:.0f} MB")

    ours_cli, grep_cli = cli_times(corpus, indexes["corpus-search"])
    print(f"CLI, cold process, warm disk: corpus-search \"Wang Yi Malta\" median {statistics.median(ours_cli):.0f} ms "
          f"(min {min(ours_cli):.0f}); grep -ril median {statistics.median(grep_cli):.0f} ms; "
          f"ratio {statistics.median(ours_cli) / statistics.median(grep_cli):.1f}×")
    if shutil.which("grep") is None:
        print("  (grep not found)")


if __name__ == "__main__":
    main()
