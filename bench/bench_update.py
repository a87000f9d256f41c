"""Incremental update: change some articles of an indexed corpus, time the run that brings the index up to date.

The corpus (``bench/corpora.py``) is copied to a scratch folder and indexed
once (or the index of an earlier run of this bench is reused, when its corpus
copy is unchanged); then ``--changed`` articles of one corpus file get a new
sentence, and ``build_index`` runs again. Its report says what it indexed
again (the changed articles, and the first of their file, which carries the
file's new record), and each phase is timed from a profile of a second such run. As the baseline, the same run on an
index with nothing to do (the scan, the checks, no writer).

    python bench/bench_update.py --size 100000 --changed 1000
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpora import CACHE, bench_corpus, machine  # noqa: E402
from index.writer import build_index  # noqa: E402

# Functions whose cumulative time the report breaks the run into.
PHASES = {
    "checksums read (verify)": "verify",
    "articles prepared and written": "build_segments",
    "deletes and commit": "commit",
    "facet store": "save_store",
    "facet tables": "build_tables",
    "spelling table": "build_spelling",
    "seal (checksums written)": "seal",
}


def scratch(size: int) -> tuple[Path, Path]:
    """A private copy of the bench corpus and its index, built once and kept for the next run."""
    folder = CACHE / f"update-{size}"
    corpus, index = folder / "corpus", folder / "index"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(bench_corpus(size), corpus)
        started = time.monotonic()
        build_index(corpus, index, workers=os.cpu_count() or 1)
        print(f"  (index built in {time.monotonic() - started:.0f} s, kept in {folder})")
        (folder / ".complete").touch()
    return corpus, index


def change_articles(corpus: Path, count: int, stamp: str) -> Path:
    """Append a sentence to the text of ``count`` articles of the first batch file; returns that file."""
    path = sorted(corpus.glob("batch-*.jsonl"))[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    for i in range(min(count, len(lines))):
        record = json.loads(lines[i])
        record["text"] = f"{record['text']}\n\nAggiornamento {stamp}: la notizia è stata corretta."
        lines[i] = json.dumps(record, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def timed_run(corpus: Path, index: Path) -> tuple[float, dict]:
    started = time.monotonic()
    report = build_index(corpus, index)
    return time.monotonic() - started, report.to_json()


def profiled_run(corpus: Path, index: Path) -> pstats.Stats:
    """The same run under cProfile (slower: its figures say where the time goes, the timed run how much)."""
    profile = cProfile.Profile()
    profile.runcall(build_index, corpus, index)
    return pstats.Stats(profile)


def phase_times(stats: pstats.Stats) -> dict[str, float]:
    cumulative: dict[str, float] = {}
    for (_, _, function), (_, _, _, total, _) in stats.stats.items():
        for label, name in PHASES.items():
            if function == name:
                cumulative[label] = max(cumulative.get(label, 0.0), total)
    return cumulative


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=1000, help="articles changed (in one corpus file)")
    args = parser.parse_args()
    print(machine())
    corpus, index = scratch(args.size)
    build_index(corpus, index)  # anything a previous run left to do
    idle_s, _ = timed_run(corpus, index)
    path = change_articles(corpus, args.changed, f"{time.time():.0f}a")
    took_s, report = timed_run(corpus, index)
    change_articles(corpus, args.changed, f"{time.time():.0f}b")
    stats = profiled_run(corpus, index)
    print(f"corpus: {args.size:,} articles; {args.changed:,} changed in {path.name}")
    print(f"  nothing to do (baseline)   {idle_s:6.1f} s")
    print(f"  update                     {took_s:6.1f} s   {report['documents_indexed']:,} articles indexed again, "
          f"{report['updated_files']} file(s) updated")
    for label, seconds in phase_times(stats).items():
        print(f"    {label:28} {seconds:6.1f} s (profiled)")


if __name__ == "__main__":
    main()
