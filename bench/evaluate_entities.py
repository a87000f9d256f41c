"""Evaluate entity extraction: facet precision/recall on the seed gold, mention P/R on NER gold, speed.

Run: python bench/evaluate_entities.py [--max-sentences N]

1. Seed gold (../shared/eval/seed-entities.json), scored as its 'about' says:
   precision = correct extracted values / extracted values, where extracted
   values that are 'optional' count as neither right nor wrong (and an 'accept'
   alternative counts as its canonical value); recall = required values found
   / required values.
2. Sentence-level NER gold (../shared/ner/*.conll, PER and ORG): a predicted
   person/organization mention is right when a gold PER/ORG span of the same
   sentence has the same (folded) text. This is strict: the extractor is
   built for document facets, not for tagging every mention. Also per
   pseudo-document (blocks of 10 consecutive sentences, distinct names).
   The files split elisions ("D' Alema", "l' Italia"); sentences and gold
   spans are scored with them joined, as articles write them.
3. Speed: articles per second on the seed articles and on ../shared/corpora samples.
"""
from __future__ import annotations

import argparse
import bisect
import itertools
import json
import platform
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.analysis import fold  # noqa: E402
from index.entities import extract_entities  # noqa: E402
from index.knowledge import load_knowledge, tokens_of  # noqa: E402
from index.train_tagger import TRAINING_SETS  # noqa: E402
from index.train_tagger import read_conll as conll_sentences  # noqa: E402
from index.train_tagger import split as held_out_split  # noqa: E402

TAGGER_TRAINING_FILES = {data.file for data in TRAINING_SETS}
ELIDED_SPACE = re.compile(r"(\b[^\W\d_]{1,3}['’]) (?=[^\W\d_])")  # "D' Alema" → "D'Alema", "l' Italia" → "l'Italia"

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FACETS = (("person", "people"), ("country", "countries"), ("org", "orgs"))
NER_SETS = {
    "it": ["it_kind_wikinews_dev.conll", "it_wikineural_test.conll"],
    "fr": ["fr_newseye_historical_dev.conll", "fr_europeana_bnf_ocr.conll", "fr_wikineural_test.conll"],
    "sv": ["sv_webbnyheter2012_train.conll", "sv_newseye_historical_dev.conll", "sv_newseye_historical_train.conll"],
}


def seed_scores(corpus: Path, gold_path: Path) -> dict[str, tuple[float, float, list[str]]]:
    gold = json.loads(gold_path.read_text())["documents"]
    totals = {kind: [0, 0, 0, 0] for kind, _ in FACETS}  # correct, extracted (scored), found required, required
    errors: dict[str, list[str]] = {kind: [] for kind, _ in FACETS}
    for name, doc in gold.items():
        extraction = extract_entities((corpus / name).read_text(), doc["lang"])
        accept = {alt: canonical for canonical, alts in doc.get("accept", {}).items() for alt in alts}
        for kind, gold_key in FACETS:
            required, optional = set(doc[gold_key]["required"]), set(doc[gold_key]["optional"])
            got = {accept.get(value, value) for value in extraction.values(kind)}
            scored = got - optional
            correct = scored & required
            totals[kind][0] += len(correct)
            totals[kind][1] += len(scored)
            totals[kind][2] += len(got & required)
            totals[kind][3] += len(required)
            errors[kind] += [f"{name}: extra {v!r}" for v in sorted(scored - required)]
            errors[kind] += [f"{name}: missed {v!r}" for v in sorted(required - got)]
    return {
        kind: (c / e if e else 1.0, f / r if r else 1.0, errors[kind])
        for kind, (c, e, f, r) in totals.items()
    }


def read_conll(path: Path, limit: int, held_out_only: bool = False, split: str = "all"):
    """Sentences as (text, {"PER": {folded spans}, "ORG": {...}}).

    Read with the tagger's own reader, so that ``held_out_only`` picks exactly
    the sentences its training held out (every 5th), for the files it trained on.
    ``split`` then keeps the even-numbered sentences ("dev", for tuning and
    reading errors) or the odd-numbered ones ("test", for reporting), so that
    rules are never fitted to the sentences they are measured on; "all" keeps all.
    """
    sentences = conll_sentences(path)
    if held_out_only:
        sentences = held_out_split(sentences)[1]
    sentences = split_sentences(sentences, split)
    return [(joined(words), _gold_spans(words, labels)) for words, labels in sentences[:limit]]


def joined(words: list[str]) -> str:
    """The sentence as an article writes it: the files split elisions ("D' Alema", "l' Italia"), articles do not."""
    return ELIDED_SPACE.sub(r"\1", " ".join(words))


def split_sentences(sentences: list, split: str) -> list:
    """The dev (even index), test (odd index) or all sentences, in the order read."""
    if split == "all":
        return sentences
    return sentences[{"dev": 0, "test": 1}[split] :: 2]


def _gold_spans(words: list[str], labels: list[str], kinds: tuple[str, ...] = ("PER", "ORG")) -> dict[str, set[str]]:
    """The folded text of each span of those kinds in one sentence (an I- without its B- starts nothing)."""
    spans: dict[str, set[str]] = {kind: set() for kind in kinds}
    current = None
    for word, tag in zip(words, labels):
        if current and not (tag.startswith("I-") and tag[2:] == current[0]):
            spans[current[0]].add(fold(joined(current[1])))
            current = None
        if tag.startswith("B-") and tag[2:] in spans:
            current = (tag[2:], [word])
        elif tag.startswith("I-") and current:
            current[1].append(word)
    if current:
        spans[current[0]].add(fold(joined(current[1])))
    return spans


def ner_scores(path: Path, lang: str, limit: int, block: int = 10,
               use_tagger: bool = True, split: str = "all") -> dict[str, dict[str, tuple[float, float, int]]]:
    """Precision and recall of people and organizations, per sentence and per pseudo-document.

    "mention": each sentence's distinct names. "document": the distinct names
    of each block of ``block`` consecutive sentences (the files keep articles'
    sentences in order), closer to what a facet shows: a name found once in
    the block counts for all its mentions.
    """
    kinds = {"PER": "person", "ORG": "org"}
    counts = {level: {label: [0, 0, 0] for label in kinds} for level in ("mention", "document")}  # right, predicted, gold
    block_predicted = {label: set() for label in kinds}
    block_gold = {label: set() for label in kinds}
    sentences = read_conll(path, limit, held_out_only=path.name in TAGGER_TRAINING_FILES, split=split)
    for number, (text, gold) in enumerate(sentences, start=1):
        extraction = extract_entities(text, lang, use_tagger=use_tagger)
        for label, kind in kinds.items():
            predicted = {fold(" ".join(m.text.split())) for m in extraction.mentions if m.kind == kind}
            _add(counts["mention"][label], predicted, gold[label])
            block_predicted[label] |= predicted
            block_gold[label] |= gold[label]
        if number % block == 0 or number == len(sentences):
            for label in kinds:
                _add(counts["document"][label], block_predicted[label], block_gold[label])
                block_predicted[label], block_gold[label] = set(), set()
    return {
        level: {label: (right / predicted if predicted else 0.0, right / gold_count if gold_count else 0.0, gold_count)
                for label, (right, predicted, gold_count) in by_label.items()}
        for level, by_label in counts.items()
    }


def article_scores(path: Path, lang: str, limit: int, block: int = 10,
                   split: str = "all") -> dict[str, dict[str, tuple[float, float, int]]]:
    """Precision and recall of people and organizations with each sentence read inside its article.

    The product extracts from whole articles, where a surname alone follows the full name ("Simon Lee …
    Lee ha affermato"), so the sentence scores above undercount what a facet finds. The files keep
    their articles' sentences in order without marking where an article ends: each block of ``block``
    consecutive sentences is read as one article (one sentence per line) and every mention is scored
    in the sentence it falls in ("in article"), and per block ("article"). ``split`` keeps the
    even-numbered blocks (dev) or the odd-numbered ones (test), so blocks, not sentences, are held out.
    """
    kinds = {"PER": "person", "ORG": "org"}
    counts = {level: {label: [0, 0, 0] for label in kinds} for level in ("in article", "article")}
    sentences = [(joined(words), _gold_spans(words, labels)) for words, labels in conll_sentences(path)]
    blocks = _blocks(sentences, block, split)
    for sentences_of_block in blocks[: max(1, limit // block)]:
        text = "\n".join(sentence for sentence, _ in sentences_of_block)
        ends = list(itertools.accumulate(len(sentence) + 1 for sentence, _ in sentences_of_block))
        extraction = extract_entities(text, lang)
        for label, kind in kinds.items():
            per_sentence = [set() for _ in sentences_of_block]
            for mention in extraction.mentions:
                if mention.kind == kind:
                    per_sentence[bisect.bisect_right(ends, mention.start)].add(fold(" ".join(mention.text.split())))
            for predicted, (_, gold) in zip(per_sentence, sentences_of_block):
                _add(counts["in article"][label], predicted, gold[label])
            _add(counts["article"][label], set().union(*per_sentence),
                 set().union(*(gold[label] for _, gold in sentences_of_block)))
    return {
        level: {label: (right / predicted if predicted else 0.0, right / gold_count if gold_count else 0.0, gold_count)
                for label, (right, predicted, gold_count) in by_label.items()}
        for level, by_label in counts.items()
    }


def country_recall(path: Path, lang: str, limit: int, knowledge, block: int = 10,
                   split: str = "all") -> tuple[float, int]:
    """Recall of the countries facet per pseudo-article (blocks of ``block`` sentences, held out as in
    `article_scores`): the gold are the LOC spans that are a country's name by the knowledge base (not a
    city's or an adjective's: the files tag names), the prediction the block's countries facet. Countries
    only have a recall target: the gold does not say which countries a city or an adjective names."""
    found = gold_count = 0
    for sentences_of_block in _blocks(conll_sentences(path), block, split)[: max(1, limit // block)]:
        gold = set()
        for words, labels in sentences_of_block:
            for span in _gold_spans(words, labels, ("LOC",))["LOC"]:
                for alias in knowledge.aliases.get(tokens_of(span), ()):
                    if alias.entity.kind == "country" and not alias.place and any(alias.case):
                        gold.add(alias.entity.value)
        if not gold:
            continue
        text = "\n".join(joined(words) for words, _ in sentences_of_block)
        predicted = set(extract_entities(text, lang).country)
        found += len(predicted & gold)
        gold_count += len(gold)
    return (found / gold_count if gold_count else 0.0), gold_count


def _blocks(sentences: list, block: int, split: str) -> list[list]:
    """Consecutive sentences in blocks of ``block``, each read as one article; ``split`` keeps the dev or
    test blocks (`split_sentences`), so that blocks, not sentences, are held out."""
    return split_sentences([sentences[i:i + block] for i in range(0, len(sentences), block)], split)


def _add(count: list[int], predicted: set, gold: set) -> None:
    count[0] += len(predicted & gold)
    count[1] += len(predicted)
    count[2] += len(gold)


def speed(texts: list[tuple[str, str]]) -> float:
    start = time.perf_counter()
    for text, lang in texts:
        extract_entities(text, lang)
    return len(texts) / (time.perf_counter() - start)


def corpus_sample(limit: int) -> list[tuple[str, str]]:
    texts = []
    for path in sorted((SHARED / "corpora").glob("*.jsonl")):
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f):
                if number >= limit:
                    break
                record = json.loads(line)
                texts.append((f"{record.get('title') or ''}\n{record['text']}", record.get("lang") or ""))
    return texts


def parallel_agreement(path: Path, part: str = "stories",
                       languages: tuple[str, ...] = ()) -> tuple[dict[str, float], list[str]]:
    """Mean Jaccard per facet between the languages of each story, and what differs.

    ``part``: "stories" (for development) or "held_out" (only measured), or the file's other keys;
    ``languages``: only these versions of each story (all by default).
    """
    stories = json.loads(path.read_text(encoding="utf-8"))[part]
    totals = {kind: [] for kind in ("person", "country", "org")}
    differences = []
    for number, story in enumerate(stories, start=1):
        found = {lang: extract_entities(text, lang) for lang, text in story.items()
                 if not languages or lang in languages}
        for kind in totals:
            for a, b in itertools.combinations(sorted(found), 2):
                left, right = set(found[a].values(kind)), set(found[b].values(kind))
                totals[kind].append(len(left & right) / len(left | right) if left | right else 1.0)
            sets = {lang: set(found[lang].values(kind)) for lang in found}
            common = set.intersection(*sets.values())
            extra = {lang: sorted(values - common) for lang, values in sets.items() if values - common}
            if extra:
                differences.append(f"story {number} {kind}: only in " + "; ".join(f"{lang} {v}" for lang, v in extra.items()))
    return {kind: sum(values) / len(values) for kind, values in totals.items()}, differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-sentences", type=int, default=3000, help="per NER file")
    parser.add_argument("--speed-articles", type=int, default=500, help="per corpus file")
    parser.add_argument("--split", choices=("all", "dev", "test"), default="all",
                        help="NER sentences scored: dev (even index, for tuning), test (odd, for reporting) or all")
    args = parser.parse_args()
    started = time.perf_counter()
    knowledge = load_knowledge()
    print(f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.node()} · {platform.machine()} · Python {platform.python_version()}")
    print(f"knowledge base: {len(knowledge.people)} people, {len(knowledge.orgs)} organizations, "
          f"{len(knowledge.aliases)} aliases (loaded in {time.perf_counter() - started:.2f} s)")

    print("\nSeed gold (5 articles), document-level facets:")
    for kind, (precision, recall, errors) in seed_scores(ROOT / "corpus", SHARED / "eval" / "seed-entities.json").items():
        print(f"  {kind:8} precision {precision:.3f}  recall {recall:.3f}")
        for error in errors:
            print(f"           {error}")

    print(f"\nNER gold ({args.split} split, first {args.max_sentences} sentences per file; exact span text), "
          "per sentence (mention), per block of 10 sentences (document), per sentence without the tagger, and, for the "
          "files the tagger did not train on, each block of 10 read as one article (mentions scored per sentence: "
          "'in article'; per block: 'article'; blocks held out by the split); for the files the tagger trained on, "
          "only the sentences it held out:")
    for lang, files in NER_SETS.items():
        for name in files:
            path = SHARED / "ner" / name
            if not path.exists():
                continue
            if name in TAGGER_TRAINING_FILES:
                name += " (held out)"
            rows = ner_scores(path, lang, args.max_sentences, split=args.split)
            rows["no tagger"] = ner_scores(path, lang, args.max_sentences, use_tagger=False,
                                           split=args.split)["mention"]
            if path.name not in TAGGER_TRAINING_FILES:  # its held-out sentences are no article's run of sentences
                rows.update(article_scores(path, lang, args.max_sentences, split=args.split))
            for level, scores in rows.items():
                cells = "  ".join(f"{label} P {p:.3f} R {r:.3f} (n={n})" for label, (p, r, n) in scores.items())
                print(f"  {name:47} {level:9} {cells}")
            if path.name not in TAGGER_TRAINING_FILES:
                recall, n = country_recall(path, lang, args.max_sentences, knowledge, split=args.split)
                print(f"  {name:47} countries R {recall:.3f} (n={n}: per article, the LOC names of countries)")

    print("\nOne story in three languages (bench/data/parallel-stories.json), mean Jaccard of the facets over "
          "language pairs:")
    for part, label in (("stories", "development"), ("held_out", "held out")):
        agreement, disagreements = parallel_agreement(ROOT / "bench" / "data" / "parallel-stories.json", part)
        print(f"  {label:12} " + "  ".join(f"{kind} {value:.3f}" for kind, value in agreement.items()))
        for line in disagreements if part == "stories" else ():  # held-out stories are measured, not read
            print(f"    {line}")
    six = ROOT / "bench" / "data" / "six-language-stories.json"
    print(f"\nOne story in six languages ({six.relative_to(ROOT)}: it, fr, sv, de, es, en), mean Jaccard over "
          "language pairs, and over it, fr and sv alone:")
    for part, label in (("six_languages", "development"), ("six_languages_held_out", "held out")):
        for languages in ((), ("it", "fr", "sv")):
            agreement, disagreements = parallel_agreement(six, part, languages)
            print(f"  {label:12} {'/'.join(languages) or 'all six':9} "
                  + "  ".join(f"{kind} {value:.3f}" for kind, value in agreement.items()))
            for line in disagreements if part == "six_languages" and not languages else ():
                print(f"    {line}")

    seeds = [(p.read_text(), "") for p in sorted((ROOT / "corpus").iterdir())]
    sample = corpus_sample(args.speed_articles)
    print("\nSpeed (one process):")
    print(f"  seed articles: {speed(seeds * 20):.0f} articles/s")
    if sample:
        size = sum(len(t) for t, _ in sample) / len(sample)
        print(f"  ../shared/corpora sample: {speed(sample):.0f} articles/s over {len(sample)} articles (avg {size:.0f} chars)")


if __name__ == "__main__":
    main()
