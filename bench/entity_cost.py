"""What entity extraction costs at indexing time, on the real documents of ../shared/corpora.

Run: python bench/entity_cost.py [--articles N]

Builds the same index twice in one run, with and without entity extraction,
and prints articles/s for both and extraction's share of the indexing time.
"""
from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index import build_index, load_knowledge  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"


def sample_corpus(folder: Path, articles: int) -> int:
    """Take the first articles of each corpus file, in equal parts; return the bytes written."""
    files = sorted((SHARED / "corpora").glob("*.jsonl"))
    size = 0
    for path in files:
        with open(path, encoding="utf-8") as source, open(folder / path.name, "w", encoding="utf-8") as out:
            for number, line in enumerate(source):
                if number >= articles // len(files):
                    break
                out.write(line)
                size += len(line.encode())
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1500)
    args = parser.parse_args()
    load_knowledge()  # loaded once per process either way: not part of the per-article cost
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        size = sample_corpus(corpus, args.articles)
        timings = {}
        for with_entities in (False, True):
            started = time.perf_counter()
            report = build_index(corpus, Path(tmp) / f"index-{with_entities}", with_entities=with_entities)
            timings[with_entities] = (time.perf_counter() - started, report.documents_indexed)
    print(f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()} · Python {platform.python_version()} · "
          f"{timings[True][1]} articles, {size / 1e6:.1f} MB from ../shared/corpora")
    for with_entities, (seconds, count) in timings.items():
        label = "with entities   " if with_entities else "without entities"
        print(f"  {label}: {seconds:6.1f} s  {count / seconds:6.0f} articles/s  {size / 1e6 / seconds:5.2f} MB/s")
    share = (timings[True][0] - timings[False][0]) / timings[True][0]
    print(f"  entity extraction: {share:.0%} of indexing time (target: at most 30%)")


if __name__ == "__main__":
    main()
