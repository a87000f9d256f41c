"""The embedded backend before and after a change: the same corpus indexed, the same queries timed, by two checkouts.

Run: python bench/before_after.py --code OLD_CHECKOUT [--size 10000] [--rounds 3]

Each checkout indexes the benchmark corpus (``bench/corpora.py``) into its own
fresh Whoosh folder, in its own process, one after the other (never two heavy
jobs at once), then times the query mix of ``bench/bench_query.py`` on both
indexes, alternating rounds so that neither profits from a warmer machine.
Prints wall time and articles/s of each build, and p50/p95 of the queries.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import bench_corpus, machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[1] + "/bench")
from bench_query import MIX
task, corpus, index = sys.argv[2], sys.argv[3], sys.argv[4]
if task == "index":
    from index import build_index
    import os
    started = time.perf_counter()
    report = build_index(corpus, index, rebuild=True, workers=os.cpu_count() or 1)
    print(json.dumps({"seconds": time.perf_counter() - started, "articles": report.documents_indexed}))
else:
    from search import open_engine
    engine = open_engine(index)
    engine.search(MIX[0][1])
    times = []
    for label, query, filters, page in MIX:
        started = time.perf_counter()
        engine.search(query, filters=filters, limit=10, offset=(page - 1) * 10)
        times.append((time.perf_counter() - started) * 1000)
    print(json.dumps({"times": times}))
"""


def run(code: Path, task: str, corpus: Path, index: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", CHILD, str(code), task, str(corpus), str(index)],
                            capture_output=True, text=True, cwd=code, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, required=True, help="the other checkout (the 'before')")
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="query rounds per checkout (each a fresh process)")
    args = parser.parse_args()
    corpus = bench_corpus(args.size)
    checkouts = {"before": args.code.resolve(), "after": ROOT}
    print(machine())
    print(f"corpus: {args.size:,} articles; before = {checkouts['before']}, after = {ROOT}")
    with tempfile.TemporaryDirectory(prefix="before-after-") as tmp:
        indexes = {name: Path(tmp) / name for name in checkouts}
        for name, code in checkouts.items():
            built = run(code, "index", corpus, indexes[name])
            print(f"  {name:6} indexing: {built['seconds']:.1f} s, {built['articles'] / built['seconds']:.0f} articles/s")
        times = {name: [] for name in checkouts}
        for _ in range(args.rounds):
            for name, code in checkouts.items():
                times[name] += run(code, "query", corpus, indexes[name])["times"]
        for name, values in times.items():
            print(f"  {name:6} queries ({len(values)}): p50 {percentile(values, 50):.1f} ms, "
                  f"p95 {percentile(values, 95):.1f} ms, mean {statistics.mean(values):.1f} ms")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
