"""Did you mean, measured: how often a typo of a real word is corrected back to it, and how fast.

Run: python bench/bench_suggest.py --index DIR [--words 400] [--seed 1]

Words are drawn at random from the index's own vocabulary (5 letters or more,
in at least 5 articles), so the figures hold for the corpus at hand rather
than for hand-picked examples. Each gets one typo of each kind a reader makes
(a letter dropped, doubled, replaced, two swapped) and, separately, two
typos at once; each typo is searched through the engine like a user's query.
Printed: the share of misses that get a suggestion, the share corrected to
the very word, the share of suggestions that return results (must be all),
and the time of a miss with its suggestion (p50/p95), against the time of
the same words spelled right.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpora import machine  # noqa: E402

KINDS = ("drop", "double", "replace", "swap")
LETTERS = "abcdefghilmnoprstuv"


def typo(word: str, kind: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "replace":
        return word[:i] + rng.choice([c for c in LETTERS if c != word[i]]) + word[i + 1:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from index.spelling import load_spelling
    from search import open_engine

    engine = open_engine(args.index)
    table = load_spelling(engine._current().folder)
    rng = random.Random(args.seed)
    pool = [i for i in range(len(table.documents)) if table.documents[i] >= 5 and len(table.word(i)) >= 5]
    words = [table.word(i) for i in rng.sample(pool, min(args.words, len(pool)))]
    documents = engine.document_count()
    print(f"{machine()} · index of {documents:,} documents · {len(words)} words drawn from {len(pool):,}")

    right = []
    for word in words:
        started = time.perf_counter()
        engine.search(word)
        right.append((time.perf_counter() - started) * 1000)
    for label, make in [(kind, lambda w, k=kind: typo(w, k, rng)) for kind in KINDS] + [
            ("two typos", lambda w: typo(typo(w, rng.choice(KINDS), rng), rng.choice(KINDS), rng))]:
        misses = suggested = exact = with_results = 0
        times = []
        for word in words:
            typed = make(word)
            started = time.perf_counter()
            result = engine.search(typed)
            elapsed = (time.perf_counter() - started) * 1000
            if result.total:
                continue  # the typo is itself a word of the corpus (or stems to one)
            misses += 1
            times.append(elapsed)
            if result.suggestion:
                suggested += 1
                exact += result.suggestion == word
                with_results += engine.search(result.suggestion).total > 0
        if misses:
            print(f"  {label:10} {misses:4} misses: suggestion for {suggested / misses:6.1%}, the very word "
                  f"{exact / misses:6.1%}, suggestions with results {with_results / max(suggested, 1):6.1%}; "
                  f"miss + suggestion p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 95):.1f} ms")
    print(f"  the same words spelled right: p50 {statistics.median(right):.1f} ms, p95 {percentile(right, 95):.1f} ms")
    engine.close()


if __name__ == "__main__":
    main()
