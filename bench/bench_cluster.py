"""The cluster backend against the embedded one, on the same articles in the same run.

Run: python bench/bench_cluster.py --size 100000 [--nodes 2]

Builds the Whoosh index and a cluster of ``--nodes`` real searchd nodes
(Sphinx 2.2.11 or Manticore, on loopback) from the same benchmark corpus
(``bench/corpora.py``), one after the other, then times the query mix of
``bench/bench_query.py`` on both through `open_engine`, facet counts
included (every search counts people, countries, organizations, languages
and years over all its hits). Prints indexing throughput, index sizes and
query p50/p95, per backend and side by side. The cluster's data is removed
at the end unless ``--keep``.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_query import MIX, ROUNDS  # noqa: E402
from corpora import CACHE, bench_corpus, corpus_bytes, folder_size, machine  # noqa: E402


def build(corpus: Path, location, workers: int) -> tuple[float, int]:
    from index import build_index

    started = time.perf_counter()
    report = build_index(corpus, location, rebuild=True, workers=workers, force=True)
    return time.perf_counter() - started, report.documents_indexed


def time_queries(location) -> tuple[list[float], dict[str, float], dict[str, int]]:
    """Every query of the mix, ``ROUNDS`` times: all times (ms), the best per query, and its total."""
    from search import open_engine

    times, best, totals = [], {}, {}
    with open_engine(location) as engine:
        engine.search(MIX[0][1])  # warm up: connections, files, the knowledge base
        for _ in range(ROUNDS):
            for label, query, filters, page in MIX:
                started = time.perf_counter()
                result = engine.search(query, filters=filters, limit=10, offset=(page - 1) * 10)
                elapsed = (time.perf_counter() - started) * 1000
                times.append(elapsed)
                best[label] = min(best.get(label, elapsed), elapsed)
                totals[label] = result.total
    return times, best, totals


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="leave the indexes and the nodes' data in place")
    args = parser.parse_args()
    if shutil.which("searchd") is None:
        sys.exit("searchd is not installed (apt-get install sphinxsearch)")
    from index.sphinx_nodes import cluster_url, start_cluster, stop_cluster

    corpus = bench_corpus(args.size)
    workers = os.cpu_count() or 1
    text_mb = corpus_bytes(corpus) / 1e6
    print(machine())
    print(f"corpus: {args.size:,} articles, {text_mb:.0f} MB of text ({corpus}); {workers} worker processes; "
          f"cluster: {args.nodes} searchd nodes on loopback")
    whoosh_dir = CACHE / f"cluster-bench-whoosh-{args.size}"
    data_dir = CACHE / f"cluster-bench-nodes-{args.size}"
    shutil.rmtree(whoosh_dir, ignore_errors=True)
    shutil.rmtree(data_dir, ignore_errors=True)
    states = start_cluster(data_dir, nodes=args.nodes)
    location = cluster_url([state.node for state in states])
    try:
        rows = {}
        for name, where in (("whoosh", whoosh_dir), ("cluster", location)):
            seconds, articles = build(corpus, where, workers)
            size = folder_size(whoosh_dir if name == "whoosh" else data_dir) / 1e6
            times, best, totals = time_queries(where)
            rows[name] = (seconds, articles, size, times, best, totals)
            print(f"{name:8} indexing {articles:,} articles in {seconds:,.0f} s: {articles / seconds:,.0f} articles/s, "
                  f"{text_mb / seconds:.2f} MB/s; index {size:,.0f} MB ({size / text_mb:.2f}× the text)")
            print(f"{'':8} queries ({len(MIX)} × {ROUNDS}, facets counted): p50 {percentile(times, 50):.1f} ms, "
                  f"p95 {percentile(times, 95):.1f} ms, mean {statistics.mean(times):.1f} ms")
        print("\nper query, best of the rounds (ms) and total hits:")
        for label, *_ in MIX:
            w, c = rows["whoosh"], rows["cluster"]
            print(f"  {label:18} whoosh {w[4][label]:7.1f} ({w[5][label]:,})   cluster {c[4][label]:7.1f} "
                  f"({c[5][label]:,})")
        w, c = rows["whoosh"], rows["cluster"]
        print(f"\ncluster / whoosh: indexing time ×{c[0] / w[0]:.2f}, index size ×{c[2] / w[2]:.2f}, "
              f"query p50 ×{percentile(c[3], 50) / percentile(w[3], 50):.2f}, "
              f"p95 ×{percentile(c[3], 95) / percentile(w[3], 95):.2f}")
    finally:
        stop_cluster(data_dir)
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
            shutil.rmtree(whoosh_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
