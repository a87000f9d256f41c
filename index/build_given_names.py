"""Build ``data/entities-given-names-faker.txt``: first names of many countries, from Faker's name lists.

A capitalized pair starting with a known given name is taken for a person
("ha dichiarato Tamerlan Tsarnaev"), so the reach of the people facet on
unknown names is the reach of this list. The hand-written list
(``entities-given-names.txt``) covers the names of Italy, France, Sweden,
Germany and the English-speaking world; news names people from everywhere.

Faker (MIT licence, https://github.com/joke2k/faker) ships first names for
sixty-odd locales. Its lists are written to generate realistic fake people, so
they hold names that are also ordinary words ("Hope", "Rosa", "Pierre" as
stone is fine, "Summer" is not). A name is kept only when

- it is written in Latin letters, at least three of them, one word;
- it is no lower-case word of the Italian, French, Swedish, English, German
  or Spanish word lists, unless the name lists of at least three languages
  have it (Carina, Claire, Stig: given names in many countries, so more often
  a name than a word when capitalized; Harmony, Heaven, Side are not); and
  it is no month, day, title or headline word (``NOT_NAMES``);
  the lists are Debian's ``wamerican-large witalian wfrench wswedish wngerman
  wspanish`` in ``/usr/share/dict``: they only remove names, nothing of them
  is copied;
- it is no stop word, title, place word ("Jabal", a mountain), place,
  country or organization word the extractor knows ("Paris", "Victoria",
  "Georgia", "Israel").

Run ``python -m index.build_given_names`` (``pip install faker`` and the
word lists first). Deterministic: the same Faker version gives the same bytes.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import shutil
from pathlib import Path

from index.analysis import fold, stop_words
from index.knowledge import load_knowledge

DATA_DIR = Path(__file__).parent / "data"
OUTPUT = DATA_DIR / "entities-given-names-faker.txt"
# Debian's word lists: a name that is a lower-case word in one of them is kept only when the name lists of
# at least WIDELY_USED languages have it (Carina, Claire, Stig, Malin: not Harmony, Heaven, Side).
WORD_LISTS = ("italian", "french", "swedish", "american-english-large", "ngerman", "spanish")
WIDELY_USED = 3  # languages (not locales: en_GB, en_US and en_NZ are one English)
# Words that many countries also give as names, but that news writes capitalized for another reason:
# months and days (Swedish "Maj", "Juli"), titles, and English words that start headlines and names of things.
NOT_NAMES = frozenset("""
    january february march april may june july august september october november december
    gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre
    janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
    januari februari mars april maj juni juli augusti september oktober november december
    januar februar marz mai juni juli august oktober dezember enero febrero marzo abril mayo junio julio
    agosto septiembre octubre noviembre diciembre
    monday tuesday wednesday thursday friday saturday sunday lunedi martedi mercoledi giovedi venerdi sabato
    domenica lundi mardi mercredi jeudi vendredi samedi dimanche mandag tisdag onsdag torsdag fredag lordag
    sondag montag dienstag mittwoch donnerstag freitag samstag sonntag lunes martes miercoles jueves viernes
    sabado domingo
    imam junior senior king queen prince duke lord lady sir don dona santa santo saint
    line edit joy tea else sol urban pol flor norma luna bella star summer winter autumn spring honey
    """.split())
STOP_WORD_LANGUAGES = ("it", "fr", "sv", "en", "de", "es", "pt", "nl", "da", "no", "fi", "hu", "ru", "tr")
NAME_LISTS = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary",
              "first_romanized_names")
# Locales whose names put the family name first ("Xi Jinping", "Kim Jong-un"): their given names do not
# start a name as written in European news, so they would only find the wrong word.
FAMILY_NAME_FIRST = ("zh_", "ko_", "vi_", "hu_")


def faker_names() -> dict[str, set[str]]:
    """Each Faker locale's first names, written in Latin letters."""
    import faker.providers.person as person

    names: dict[str, set[str]] = {}
    for module in sorted(m.name for m in pkgutil.iter_modules(person.__path__)):
        if module.startswith(FAMILY_NAME_FIRST):
            continue
        provider = importlib.import_module(f"{person.__name__}.{module}").Provider
        found: set[str] = set()
        for attribute in NAME_LISTS:
            value = getattr(provider, attribute, None)
            if isinstance(value, (list, tuple, set, frozenset, dict)):
                found.update(value)
        found = {part for name in found for part in name.replace("‐", "-").split("-")}
        names[module] = {name for name in found if _is_latin_word(name)}
    return names


def _is_latin_word(name: str) -> bool:
    return (len(name) >= 3 and name[0].isupper() and not name[1:].isupper()
            and all("a" <= c.lower() <= "z" or "\u00c0" <= c <= "\u024f" for c in name))


def ordinary_words(dict_dir: Path) -> set[str]:
    """The folded lower-case words of the word lists."""
    words: set[str] = set()
    for name in WORD_LISTS:
        path = dict_dir / name
        if not path.exists():
            raise SystemExit(f"missing word list {path}: apt install wamerican-large witalian wfrench "
                             "wswedish wngerman wspanish")
        for line in path.read_text(encoding="utf-8", errors="replace").split():
            word = line.split("/")[0]
            if word[:1].islower():
                words.add(fold(word))
    return words


def knowledge_without_this_list():
    """The knowledge base as it is without the file this script writes, whose names must not count as known."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="given-names-"))
    for path in DATA_DIR.iterdir():
        if path.is_file() and path.name != OUTPUT.name:
            shutil.copy2(path, folder / path.name)
    try:
        return load_knowledge(folder)
    finally:
        shutil.rmtree(folder)


def taken_words(knowledge) -> set[str]:
    """Folded words that already mean something else to the extractor: stop words, places, countries, bodies."""
    from index.entities import PERSON_TITLES, PLACE_WORDS_AFTER, PLACE_WORDS_BEFORE, _organization_words

    words = {fold(w) for lang in STOP_WORD_LANGUAGES for w in stop_words(lang)}
    words |= PERSON_TITLES | PLACE_WORDS_BEFORE | PLACE_WORDS_AFTER
    words |= {tokens[0] for tokens in knowledge.places if len(tokens) == 1}
    words |= {token for tokens, aliases in knowledge.aliases.items() for token in tokens
              if any(a.entity.kind != "person" for a in aliases)}
    return words | set(_organization_words(knowledge))


def build(dict_dir: Path) -> str:
    knowledge = knowledge_without_this_list()
    known = knowledge.given_names
    excluded = taken_words(knowledge) | NOT_NAMES
    words = ordinary_words(dict_dir)
    by_locale = faker_names()
    languages: dict[str, set[str]] = {}
    for locale, names in by_locale.items():
        for name in names:
            languages.setdefault(fold(name), set()).add(locale.split("_")[0])
    excluded |= {word for word in words if len(languages.get(word, ())) < WIDELY_USED}
    lines = [
        "# Given names of many countries, from Faker's first-name lists (generated: do not edit by hand).",
        "#",
        "# Source: Faker (https://github.com/joke2k/faker), faker/providers/person/<locale>,",
        "# Copyright (c) 2012 Daniele Faraglia, MIT licence (see SOURCES.md). Built by",
        "# `python -m index.build_given_names`, which keeps only Latin-script one-word names that are no",
        "# ordinary lower-case word of the en/it/fr/sv/de/es word lists and no stop word, title, place,",
        "# country or organization word of the knowledge base; names already in entities-given-names.txt",
        "# or entities.txt are not repeated. Same format: \"first | Name; Name; …\".",
        "",
    ]
    seen = set(known)
    for locale, names in by_locale.items():
        kept = []
        for name in sorted(names, key=lambda n: (fold(n), n)):
            folded = fold(name)
            if folded in seen or folded in excluded:
                continue
            seen.add(folded)
            kept.append(name)
        if kept:
            lines += [f"# --- {locale}", "first | " + "; ".join(kept), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dict-dir", type=Path, default=Path("/usr/share/dict"))
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    text = build(args.dict_dir)
    args.output.write_text(text, encoding="utf-8")
    count = sum(line.count(";") + 1 for line in text.splitlines() if line.startswith("first |"))
    print(f"{args.output}: {count} given names")


if __name__ == "__main__":
    main()
