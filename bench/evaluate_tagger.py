"""Evaluate the named-entity tagger: span P/R/F1 per language and data set, and articles per second.

Run: PYTHONPATH=. python bench/evaluate_tagger.py [--model PATH] [--max-sentences 3000] [--articles 200]

1. Exact-span precision / recall / F1 for PER, ORG and LOC (gold MISC is not
   scored, predicted MISC is dropped as `tag` drops it), on gold tokens:
   - the held-out fifth of each training file (every 5th sentence, as
     ``index/train_tagger.py`` splits them);
   - the measure-only sets (non-commercial or unclear licences: they never
     train the model), each capped at ``--max-sentences`` sentences taken
     evenly through the file.
2. Speed: `Tagger.tag` on real articles from ../shared/corpora (the ``text``
   field), single-threaded, after one warm-up pass (the per-word feature cache
   is warm in a long indexing run too; the cold figure is printed as well).
"""
from __future__ import annotations

import argparse
import datetime
import itertools
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.tagger import DEFAULT_MODEL, open_tagger  # noqa: E402
from index.train_tagger import TRAINING_SETS, format_scores, read_conll, score, split  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# Measure only: never used for training.
MEASURE_SETS = (
    ("it", "it_kind_wikinews_dev.conll", "annotations CC BY-NC 4.0"),
    ("it", "it_wikineural_test.conll", "CC BY-NC-SA 4.0 (silver)"),
    ("fr", "fr_wikineural_test.conll", "CC BY-NC-SA 4.0 (silver)"),
    ("fr", "fr_newseye_historical_dev.conll", "bundle licence unclear"),
)
CORPORA = ("opinion_sv_absabank_imm.jsonl", "parliament_sv_riksdagen_interpellations.jsonl",
           "news_it_dice_crime_NC.jsonl")


def evenly(items: list, limit: int) -> list:
    """At most ``limit`` items spread evenly through ``items`` (deterministic)."""
    if len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def articles(count: int) -> list[str]:
    """``count`` article texts, taken in turn from each corpus (the first lines of each file)."""
    per_file = -(-count // len(CORPORA))
    texts = []
    for name in CORPORA:
        with open(SHARED / "corpora" / name, encoding="utf-8") as lines:
            texts += [json.loads(line)["text"] for line in itertools.islice(lines, per_file)]
    return texts[:count]


def speed(tagger, texts: list[str]) -> tuple[float, float, int]:
    """(cold articles/s, warm articles/s, spans found) for ``tagger.tag`` over ``texts``."""
    started = time.perf_counter()
    for text in texts:
        tagger.tag(text)
    cold = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    spans = sum(len(tagger.tag(text)) for text in texts)
    warm = len(texts) / (time.perf_counter() - started)
    return cold, warm, spans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--max-sentences", type=int, default=3000)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args()
    print(f"{platform.node()} · {platform.processor() or platform.machine()} · {os.cpu_count()} cores · "
          f"Python {platform.python_version()} · {datetime.datetime.now():%Y-%m-%d %H:%M}")
    tagger = open_tagger(args.model)
    print(f"model {args.model} ({args.model.stat().st_size / 1024:.0f} KiB, "
          f"{len(tagger.featurizer.known)} attributes) · {tagger.config}")
    print("Exact-span P/R/F1 % (n = gold spans)")
    print("held out (every 5th sentence of the training files):")
    for dataset in TRAINING_SETS:
        _, held = split(read_conll(SHARED / "ner" / dataset.file))
        print(f"  {dataset.lang} " + format_scores(f"{dataset.file} [{len(held)}]", score(tagger, held, dataset.lang)))
    print("measure only (never trained on):")
    for lang, name, licence in MEASURE_SETS:
        sentences = evenly(read_conll(SHARED / "ner" / name), args.max_sentences)
        print(f"  {lang} " + format_scores(f"{name} [{len(sentences)}]", score(tagger, sentences, lang))
              + f"  · {licence}")
    if not args.no_speed:
        texts = articles(args.articles)
        chars = sum(map(len, texts))
        cold, warm, spans = speed(tagger, texts)
        per_3000 = warm * (chars / len(texts)) / 3000
        print(f"speed: {len(texts)} articles, {chars / len(texts):.0f} chars on average: "
              f"{cold:.0f} articles/s cold, {warm:.0f} articles/s warm ({1000 / warm:.2f} ms/article), "
              f"{spans} spans; scaled to 3,000-char articles: {per_3000:.0f} articles/s "
              f"({1000 / per_3000:.2f} ms/article; budget 400 articles/s, 2.5 ms)")


if __name__ == "__main__":
    main()
