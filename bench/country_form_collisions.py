"""Which country adjectives of some languages are words of others: the forms to mark "@xx" in countries.json.

Run: python bench/country_form_collisions.py [--languages de es] [--corpora ../shared/corpora]

A country's adjectives and demonyms (``index/data/countries.json``) are matched in
articles of every language, in any case, unless a form ends in "@xx": a form that
is a word of another language ("persa", Italian for "lost"; German "Ire", Italian
"anger") gives the country to articles that do not name it. For each form of the
languages asked, and the genitive "-s" the loader adds to it, this lists:

- its lower-case occurrences, folded as matching folds, in the articles of the
  other languages of the corpora (JSON lines with "text" and "lang"), and apart
  its capitalized ones inside a sentence (matching ignores case: Italian "Iren",
  a company, is German for the Irish);
- the word lists under /usr/share/dict of other languages that hold it in lower case;
- the other countries it is an adjective of (the loader refuses a form two
  countries claim, suffix or not: such a form is dropped);
- whether it is a CLDR name of a country. The file's alias hides CLDR's: another
  country's name would be lost, and its own country's would become an adjective,
  without the guards of a name (Spanish "armenia" made "Agata Patanè Armenia", a
  byline, Armenia), or, limited to some languages, lost to the others; such a
  form is dropped, unless another language's adjective hides that name already.

Occurrences that mean the same country anyway are left out: a form that is its
country's adjective in another language too ("nigeriano", Italian and Spanish),
or, capitalized, its country's name (CLDR's or the file's, or their genitive).
Prints the unmarked forms found elsewhere, the marked ones (with what their mark
settles), and the marked forms found nowhere, whose mark may be unneeded. Nothing
is changed: the file is edited by hand.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.analysis import fold, words  # noqa: E402
from index.knowledge import (CLDR_LANGUAGES, COUNTRIES_FILE, DATA_DIR, adjective_forms, genitive_of,  # noqa: E402
                             tokens_of)

ROOT = Path(__file__).resolve().parents[1]
DICT_DIR = Path("/usr/share/dict")
# Debian's word list packages, by file name: a form listed in its own language's list is no collision.
DICT_LANGUAGES = {"ngerman": "de", "ogerman": "de", "swiss": "de", "spanish": "es", "italian": "it",
                  "french": "fr", "swedish": "sv", "american-english": "en", "british-english": "en",
                  "portuguese": "pt", "dutch": "nl", "danish": "da", "norwegian": "nb", "finnish": "fi"}


def country_forms(countries: dict) -> list[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]]:
    """(code, language, form, folded tokens, languages it is limited to) of every adjective in the file."""
    return [(code, language, form, tokens_of(form), limit)
            for code, info in countries.items()
            for language, entry in info.get("adjectives", {}).items()
            for form, limit in adjective_forms(language, entry) if tokens_of(form)]


def with_genitive(tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The tokens and the Swedish/English genitive the loader adds (`knowledge.genitive_of`)."""
    genitive = genitive_of(tokens)
    return [tokens] if genitive is None else [tokens, genitive]


def corpus_counts(folder: Path, wanted: set[tuple[str, ...]]) -> tuple[dict, dict]:
    """Occurrences of the wanted token sequences per (article language, "lower" or "capitalized"), and an
    example of each. A capitalized word right after a sentence break is not counted: it says nothing."""
    longest = max(map(len, wanted))
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    examples: dict[tuple[tuple[str, ...], str, str], str] = {}
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                doc = json.loads(line)
                text, lang = doc.get("text") or "", doc.get("lang") or ""
                found = [(word, start) for word, start, _, whole in words(text) if not whole]
                for i, (word, start) in enumerate(found):
                    if word.islower():
                        case = "lower"
                    elif word[:1].isupper() and not _starts_sentence(text, start):
                        case = "capitalized"
                    else:
                        continue
                    for n in range(1, longest + 1):
                        sequence = tuple(fold(w) for w, _ in found[i : i + n])
                        if len(sequence) == n and sequence in wanted:
                            counts[(lang, case)][sequence] += 1
                            examples.setdefault((sequence, lang, case),
                                                text[max(0, start - 40) : start + 40].replace("\n", " "))
    return counts, examples


def _starts_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start].rstrip()
    return not before or before[-1] in ".!?:;\"«»“”—–-("


def dictionary_words() -> dict[str, set[str]]:
    """Lower-case words of each word list under /usr/share/dict, by the list's language ("" when unknown)."""
    lists: dict[str, set[str]] = defaultdict(set)
    if not DICT_DIR.is_dir():
        return lists
    for path in sorted(DICT_DIR.iterdir()):
        if path.is_file() and path.name != "README" and not path.name.endswith((".gz", ".bz2")):
            language = DICT_LANGUAGES.get(path.name, "")
            lists[language].update(fold(w) for w in path.read_text(encoding="utf-8", errors="replace").split()
                                   if w.islower())
    return lists


def cldr_names() -> dict[tuple[str, ...], set[str]]:
    from babel import Locale

    names: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for language in CLDR_LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha():
                names[tokens_of(name)].add(code)
    return names


def own_names(countries: dict, cldr: dict[tuple[str, ...], set[str]]) -> set[tuple[tuple[str, ...], str]]:
    """(folded tokens, code) of every name of a country, CLDR's and the file's, and their genitives."""
    named = {(tokens, code) for tokens, codes in cldr.items() for code in codes}
    named |= {(tokens_of(name), code) for code, info in countries.items()
              for name in info.get("names", "").split("|") if tokens_of(name)}
    return {(variant, code) for tokens, code in named for variant in with_genitive(tokens)}


class Evidence:
    """What the corpora, the word lists, CLDR and the file's other languages say of forms."""

    def __init__(self, countries: dict, every: list, checked: list, corpora: Path) -> None:
        self.others = defaultdict(set)  # folded tokens → (code, language) of the adjectives outside those checked
        self.unlimited = defaultdict(set)  # folded tokens → codes they are an unlimited adjective of
        checked_languages = {entry[1] for entry in checked}
        for code, language, _, tokens, limit in every:
            if language not in checked_languages:
                self.others[tokens].add((code, language))
            if not limit:
                self.unlimited[tokens].add(code)
        self.counts, self.examples = corpus_counts(corpora, {t for entry in checked for t in with_genitive(entry[3])})
        self.dictionaries, self.cldr = dictionary_words(), cldr_names()
        self.names = own_names(countries, self.cldr)

    def reasons(self, code: str, language: str, tokens: tuple[str, ...]) -> list[str]:
        """Why a form of ``code`` in ``language`` may name something else: empty when nothing says so."""
        found = []
        for variant in with_genitive(tokens):
            if code in self.unlimited[variant] and any(c == code and lang != language
                                                       for c, lang in self.others[variant]):
                continue  # the same country's adjective in another language already: matched there anyway
            found += self._occurrences(code, language, variant, " (genitive)" if variant != tokens else "")
        found += [f"{other_language} adjective of {other}"
                  for other, other_language in sorted(self.others[tokens]) if other != code]
        if self.cldr.get(tokens, {code}) != {code}:
            found.append(f"CLDR name of {', '.join(sorted(self.cldr[tokens]))}")
        elif tokens in self.cldr and not any(c == code for c, _ in self.others[tokens]):
            found.append(f"CLDR name of {code}: the adjective would replace the name; drop it")
        return found

    def _occurrences(self, code: str, language: str, variant: tuple[str, ...], suffix: str) -> list[str]:
        its_name = (variant, code) in self.names  # capitalized, it is this country's name already
        found = [f"{counter[variant]}× {case} in {lang}{suffix}: …{self.examples[(variant, lang, case)]}…"
                 for (lang, case), counter in sorted(self.counts.items())
                 if lang != language and counter[variant] and not (its_name and case == "capitalized")]
        if len(variant) == 1:
            found += [f"word list {lang or '?'}{suffix}" for lang, listed in sorted(self.dictionaries.items())
                      if lang != language and variant[0] in listed]
        return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", nargs="+", default=["de", "es"], help="the adjective languages to check")
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    args = parser.parse_args()
    countries = json.loads((DATA_DIR / COUNTRIES_FILE).read_text(encoding="utf-8"))["countries"]
    every = country_forms(countries)
    checked = [entry for entry in every if entry[1] in args.languages]
    evidence = Evidence(countries, every, checked, args.corpora)
    print(f"{len(checked)} forms of {', '.join(args.languages)}; corpora {args.corpora} "
          f"({', '.join(sorted({lang for lang, _ in evidence.counts})) or 'none'}); "
          f"word lists: {', '.join(sorted(evidence.dictionaries)) or 'none'}")
    groups: dict[str, list[str]] = {"Unmarked forms found elsewhere (mark them @xx or drop them)": [],
                                    "Marked forms found elsewhere": [],
                                    "Marked forms found nowhere (the mark may be unneeded)": []}
    titles = list(groups)
    for code, language, form, tokens, limit in checked:
        reasons = evidence.reasons(code, language, tokens)
        if reasons or limit:
            row = f"  {code} {language} {form}{'@' + ','.join(limit) if limit else ''}: " + "; ".join(reasons)
            groups[titles[0] if not limit else titles[1] if reasons else titles[2]].append(row)
    for title, rows in groups.items():
        print(f"\n{title}: {len(rows)}")
        print("\n".join(rows))


if __name__ == "__main__":
    main()
