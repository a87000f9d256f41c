"""Indexing speed, index size and peak memory: Corpus Search against plain Whoosh and SQLite FTS5.

Run: python bench/bench_index.py --size 10000   (or 100000)

Each system indexes the same articles in its own process, in the same run;
the output gives articles/s, MB/s, index size (and its ratio to the raw text)
and peak memory, then the ratios between systems. The indexes stay under
$CORPUS_SEARCH_BENCH for bench/bench_query.py.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpora import CACHE, bench_corpus, corpus_bytes, folder_size, machine, read_articles  # noqa: E402


def ours(corpus: Path, index: Path) -> dict:
    """Every core, as `corpus-search index --workers N` on a machine that serves no searches meanwhile
    (the default leaves one core to searches)."""
    from index import build_index

    report = build_index(corpus, index, rebuild=True, workers=os.cpu_count() or 1)
    return {"articles": report.documents_indexed}


def ours_with_whoosh_writer(corpus: Path, index: Path) -> dict:
    """The same, every segment written through Whoosh's own writer (``procs``): the baseline of the bulk writer."""
    from index import build_index

    report = build_index(corpus, index, rebuild=True, workers=os.cpu_count() or 1, whoosh_writer=True)
    return {"articles": report.documents_indexed}


def plain_whoosh(corpus: Path, index: Path, procs: int) -> dict:
    """Whoosh as a user would set it up: StemmingAnalyzer, stored text, a language keyword."""
    from whoosh import fields, index as whoosh_index
    from whoosh.analysis import StemmingAnalyzer

    schema = fields.Schema(id=fields.ID(stored=True, unique=True), title=fields.TEXT(stored=True),
                           text=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
                           lang=fields.ID(stored=True, sortable=True))
    index.mkdir(parents=True)
    ix = whoosh_index.create_in(str(index), schema)
    writer = ix.writer(procs=procs, multisegment=procs > 1, limitmb=256)
    count = 0
    for doc_id, title, text, lang in read_articles(corpus):
        writer.add_document(id=doc_id, title=title, text=text, lang=lang or "und")
        count += 1
    writer.commit()
    return {"articles": count}


def sqlite_fts5(corpus: Path, index: Path) -> dict:
    import sqlite3

    index.mkdir(parents=True)
    db = sqlite3.connect(index / "fts.db")
    db.execute("CREATE VIRTUAL TABLE articles USING fts5(id UNINDEXED, title, text, lang UNINDEXED, "
               "tokenize='unicode61 remove_diacritics 2')")
    count = 0
    batch = []
    for row in read_articles(corpus):
        batch.append(row)
        count += 1
        if len(batch) == 1000:
            db.executemany("INSERT INTO articles VALUES (?, ?, ?, ?)", batch)
            batch = []
    db.executemany("INSERT INTO articles VALUES (?, ?, ?, ?)", batch)
    db.commit()
    db.execute("INSERT INTO articles(articles) VALUES('optimize')")
    db.commit()
    db.close()
    return {"articles": count}


SYSTEMS = {
    "corpus-search": lambda c, i: ours(c, i),
    "corpus-search, Whoosh's writer": lambda c, i: ours_with_whoosh_writer(c, i),
    "whoosh procs=1": lambda c, i: plain_whoosh(c, i, 1),
    "whoosh procs=2 multisegment": lambda c, i: plain_whoosh(c, i, 2),
    "sqlite fts5": lambda c, i: sqlite_fts5(c, i),
}


class TreeMemory:
    """The peak resident memory of this process and all its descendants together, sampled every 0.2 s:
    an indexer's worker processes count as much as the indexer."""

    def __init__(self) -> None:
        import threading

        self.peak = 0
        self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            pids = _tree(os.getpid())
            self.peak = max(self.peak, sum(_rss(pid) for pid in pids))
            self.peak_pss = max(self.peak_pss, sum(_pss(pid) for pid in pids))

    def stop(self) -> tuple[int, int]:
        """(peak of the resident sizes added up, peak of the proportional set sizes added up), bytes."""
        self._stop.set()
        self._thread.join()
        return self.peak, self.peak_pss


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            todo += [int(child) for task in Path(f"/proc/{current}/task").iterdir()
                     for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return pids


def _pss(pid: int) -> int:
    """A process's proportional set size: its share of the pages it shares with others (a forked worker
    shares the knowledge base and the language model with the indexer until it writes to them), which the
    resident sizes of the processes added up would count once per process."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def run_one(name: str, corpus: Path, index: Path) -> None:
    """In a child process: index, then print one JSON line with the figures."""
    shutil.rmtree(index, ignore_errors=True)
    sampler = TreeMemory()
    started = time.perf_counter()
    figures = SYSTEMS[name](corpus, index)
    figures["seconds"] = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    figures["peak_mb"] = max(own, children) / 1024  # the largest single process
    rss, pss = sampler.stop()
    figures["tree_peak_mb"] = rss / 1024 / 1024  # all processes together, sampled: resident sizes added up
    figures["tree_pss_mb"] = pss / 1024 / 1024  # … and their proportional set sizes, shared pages counted once
    figures["index_bytes"] = folder_size(index)
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--only", action="append", choices=list(SYSTEMS), help="run only these systems")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    corpus = bench_corpus(args.size)
    if args.child:
        run_one(args.child, corpus, CACHE / f"index-{args.size}-{args.child.replace(' ', '_')}")
        return
    raw = corpus_bytes(corpus)
    print(machine())
    print(f"corpus: {args.size:,} articles, {raw / 1e6:.0f} MB of text (../shared/corpora cycled, seeds mixed in)")
    results = {}
    for name in args.only or SYSTEMS:
        done = subprocess.run([sys.executable, __file__, "--size", str(args.size), "--child", name],
                              capture_output=True, text=True)
        if done.returncode:
            print(f"  {name}: failed\n{done.stderr[-2000:]}")
            continue
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        results[name] = figures
        print(f"  {name:30} {figures['articles'] / figures['seconds']:7.0f} articles/s  "
              f"{raw / 1e6 / figures['seconds']:5.2f} MB/s  {figures['seconds']:7.1f} s  "
              f"index {figures['index_bytes'] / 1e6:6.0f} MB ({figures['index_bytes'] / raw:.2f}× text)  "
              f"peak {figures['peak_mb']:5.0f} MB (all processes {figures['tree_peak_mb']:5.0f} MB, "
              f"PSS {figures.get('tree_pss_mb', 0):5.0f} MB)")
    if "corpus-search" in results:
        ours_s = results["corpus-search"]["seconds"]

        for name, figures in results.items():
            if name != "corpus-search":
                print(f"  corpus-search takes {ours_s / figures['seconds']:.2f}× the time of {name}")


if __name__ == "__main__":
    main()
