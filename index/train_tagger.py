"""Train the shipped named-entity tagger (``index/data/tagger.crfsuite``) from licence-compatible data only.

Run: ``PYTHONPATH=. python -m index.train_tagger`` (deterministic: the same
data, split and parameters give the same model). It prints the data used with
their licences, the split, held-out scores per file and type, the model size.

Only data whose licence allows commercial use train the model (see
``index/data/tagger.SOURCES.md``); every 5th sentence of each file is held out
for measuring. Non-commercial sets are never read here: ``bench/evaluate_tagger.py``
measures on them.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, replace
from pathlib import Path

from index.knowledge import load_knowledge
from index.tagger import (DEFAULT_MODEL, LABELS, FeatureConfig, Featurizer, bio_spans, config_path, gazetteer,
                          open_tagger, sentence_starts, windows)

NER_DIR = Path(__file__).resolve().parents[2] / "shared" / "ner"


@dataclass(frozen=True)
class DataSet:
    file: str
    lang: str
    licence: str
    attribution: str


# Licence-compatible (commercial use allowed) training data. Nothing else may be added here.
TRAINING_SETS = (
    DataSet("sv_webbnyheter2012_train.conll", "sv", "CC BY 4.0",
            "Swedish NER corpus, Andreas Klintberg (github.com/klintan/swedish-ner-corpus), CC BY 4.0"),
    DataSet("sv_newseye_historical_train.conll", "sv", "CC BY 4.0",
            "NewsEye Swedish historical newspapers (HIPE-2022 v2.1 newseye-sv), CC BY 4.0"),
    DataSet("sv_newseye_historical_dev.conll", "sv", "CC BY 4.0",
            "NewsEye Swedish historical newspapers (HIPE-2022 v2.1 newseye-sv), CC BY 4.0"),
    DataSet("fr_europeana_bnf_ocr.conll", "fr", "CC0",
            "Europeana Newspapers NER corpora, BnF French (github.com/EuropeanaNewspapers/ner-corpora), CC0"),
)
HOLD_OUT_EVERY = 5  # sentence i is held out when i % 5 == 4


@dataclass(frozen=True)
class TrainConfig:
    """How the model is trained (the features are in `FeatureConfig`, stored with the model)."""

    c1: float = 1.0  # L1: most weights go to zero, which keeps the model small
    c2: float = 0.1
    max_iterations: int = 150
    min_freq: int = 2
    misc: bool = True  # keep MISC as a label (dropped by `tag`) rather than calling those names O
    gold_anchors: bool = True  # training windows also around gold entity tokens, so no entity is cut
    windows_only: bool = True  # train on the tagged windows only (False: whole sentences)
    delexicalized_copy: bool = True  # each sequence twice, once without word and affix features


Sentence = tuple[list[str], list[str]]  # words, BIO labels


def read_conll(path: Path) -> list[Sentence]:
    """Sentences of a ``token<TAB>tag`` file, blank-line separated."""
    sentences, words, labels = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if words:
                sentences.append((words, labels))
            words, labels = [], []
            continue
        word, _, label = line.partition("\t")
        words.append(word)
        labels.append(label.strip() or "O")
    if words:
        sentences.append((words, labels))
    return sentences


def split(sentences: list[Sentence]) -> tuple[list[Sentence], list[Sentence]]:
    """(train, held out): every 5th sentence held out, by position (the files' order is fixed)."""
    train = [s for i, s in enumerate(sentences) if i % HOLD_OUT_EVERY != HOLD_OUT_EVERY - 1]
    held = [s for i, s in enumerate(sentences) if i % HOLD_OUT_EVERY == HOLD_OUT_EVERY - 1]
    return train, held


def training_items(sentence: Sentence, lang: str, featurizer: Featurizer, train: TrainConfig):
    """(features, labels) sequences of one sentence: its windows, or the whole sentence."""
    words, labels = sentence
    if not train.misc:
        labels = ["O" if label.endswith("MISC") else label for label in labels]
    starts = sentence_starts(words)
    if train.windows_only:
        gold = [label != "O" for label in labels] if train.gold_anchors else None
        ranges = windows(words, starts, featurizer.config, featurizer.gazetteer, gold)
    else:
        ranges = [(0, len(words))]
    for first, end in ranges:
        xseq = featurizer.features(words, starts, first, end, lang)
        yield xseq, labels[first:end]
        if train.delexicalized_copy:
            yield [[f for f in item if not _is_lexical(f)] for item in xseq], labels[first:end]


_LEXICAL = ("p2=", "p3=", "x2=", "x3=")


def _is_lexical(feature: str) -> bool:
    """A word or affix feature (punctuation marks are the same in every language: not lexical)."""
    name = feature[3:] if feature[:1] in "+-" and feature[2:3] == ":" else feature
    return name.startswith(_LEXICAL) or (name.startswith("w=") and name[2:3].isalnum())


def train_model(data: list[tuple[list[Sentence], str]], features: FeatureConfig, train: TrainConfig,
                model_path: Path, knowledge=None) -> dict:
    """Train a model on ``data`` ((sentences, lang) pairs) into ``model_path`` and its ``.json``."""
    import pycrfsuite

    featurizer = Featurizer(features, gazetteer(knowledge or load_knowledge()))
    trainer = pycrfsuite.Trainer(verbose=False)
    items = tokens = 0
    for sentences, lang in data:
        for sentence in sentences:
            for xseq, yseq in training_items(sentence, lang, featurizer, train):
                trainer.append(xseq, yseq)
                items += 1
                tokens += len(yseq)
    trainer.set_params({
        "c1": train.c1, "c2": train.c2, "max_iterations": train.max_iterations,
        "feature.minfreq": train.min_freq, "feature.possible_transitions": True,
    })
    model_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    trainer.train(str(model_path))
    config_path(model_path).write_text(features.to_json() + "\n", encoding="utf-8")
    return {"sequences": items, "tokens": tokens, "seconds": time.perf_counter() - started}


# --- scoring --------------------------------------------------------------------------------------------


def score(tagger, sentences: list[Sentence], lang: str = "") -> dict[str, tuple[int, int, int]]:
    """Per type (and "all"): (correct, predicted, gold) exact span matches, for PER / ORG / LOC."""
    counts = {kind: [0, 0, 0] for kind in (*LABELS, "all")}
    for words, labels in sentences:
        gold = {s for s in bio_spans(labels) if s[2] in LABELS}
        predicted = {s for s in bio_spans(tagger.tag_words(words, lang)) if s[2] in LABELS}
        for kind in LABELS:
            g = {s for s in gold if s[2] == kind}
            p = {s for s in predicted if s[2] == kind}
            for key in (kind, "all"):
                counts[key][0] += len(g & p)
                counts[key][1] += len(p)
                counts[key][2] += len(g)
    return {kind: tuple(c) for kind, c in counts.items()}


def prf(correct: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p = correct / predicted if predicted else 0.0
    r = correct / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def format_scores(name: str, counts: dict[str, tuple[int, int, int]]) -> str:
    """One line per data set: P/R/F1 per type, then the micro average."""
    cells = []
    for kind in (*LABELS, "all"):
        p, r, f = prf(*counts[kind])
        cells.append(f"{kind} {100 * p:5.1f}/{100 * r:5.1f}/{100 * f:5.1f} (n={counts[kind][2]})")
    return f"{name:38s} " + "  ".join(cells)


# --- the command ----------------------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_MODEL, help="model path (config beside it, .json)")
    parser.add_argument("--ner-dir", type=Path, default=NER_DIR)
    parser.add_argument("--lexical", choices=("all", "function", "none"), default=FeatureConfig.lexical)
    parser.add_argument("--no-affixes", action="store_true")
    parser.add_argument("--no-neighbour-lexical", action="store_true")
    parser.add_argument("--radius", type=int, default=FeatureConfig.radius)
    parser.add_argument("--initial-anchors", choices=("none", "known", "all"), default=FeatureConfig.initial_anchors)
    parser.add_argument("--language", action="store_true", help="the language code as a feature")
    parser.add_argument("--c1", type=float, default=TrainConfig.c1)
    parser.add_argument("--c2", type=float, default=TrainConfig.c2)
    parser.add_argument("--max-iterations", type=int, default=TrainConfig.max_iterations)
    parser.add_argument("--min-freq", type=int, default=TrainConfig.min_freq)
    parser.add_argument("--no-misc", action="store_true")
    parser.add_argument("--no-gold-anchors", action="store_true")
    parser.add_argument("--whole-sentences", action="store_true", help="train on whole sentences, not windows")
    parser.add_argument("--no-delexicalized-copy", action="store_true")
    parser.add_argument("--only", nargs="*", help="train on these files only (an ablation)")
    return parser.parse_args(argv)


def configs(args) -> tuple[FeatureConfig, TrainConfig]:
    features = replace(FeatureConfig(), lexical=args.lexical, affixes=not args.no_affixes, radius=args.radius,
                       initial_anchors=args.initial_anchors, language=args.language,
                       neighbour_lexical=not args.no_neighbour_lexical)
    train = TrainConfig(c1=args.c1, c2=args.c2, max_iterations=args.max_iterations, min_freq=args.min_freq,
                        misc=not args.no_misc, gold_anchors=not args.no_gold_anchors,
                        windows_only=not args.whole_sentences, delexicalized_copy=not args.no_delexicalized_copy)
    return features, train


def main(argv=None) -> None:
    args = parse_args(argv)
    features, train = configs(args)
    sets = [d for d in TRAINING_SETS if not args.only or d.file in args.only]
    print("Training data (licence-compatible only):")
    data, held_out = [], []
    for dataset in sets:
        train_part, held = split(read_conll(args.ner_dir / dataset.file))
        data.append((train_part, dataset.lang))
        held_out.append((dataset, held))
        print(f"  {dataset.file:38s} {dataset.lang}  {dataset.licence:10s} train {len(train_part):6d}"
              f"  held out {len(held):5d} (every {HOLD_OUT_EVERY}th sentence)")
    print(f"Features: {features}\nTraining: {train}")
    stats = train_model(data, features, train, args.output)
    size = args.output.stat().st_size
    print(f"Trained on {stats['sequences']} sequences, {stats['tokens']} tokens in {stats['seconds']:.1f} s;"
          f" model {args.output} {size / 1024:.0f} KiB")
    tagger = open_tagger(args.output)
    print(f"Held-out scores, exact spans, P/R/F1 % ({len(tagger.featurizer.known)} attributes in the model):")
    for dataset, held in held_out:
        print("  " + format_scores(dataset.file, score(tagger, held, dataset.lang)))


if __name__ == "__main__":
    main()
