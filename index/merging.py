"""One value per discovered entity: names the knowledge base lacks, merged when they are one name written differently.

Discovery gives each article the name as it writes it, so one unknown person
becomes *Volodymyr Zelenskyj* in Swedish, *Volodymyr Zelensky* in French and,
with a typo, *Volodymyr Zelenskiy* somewhere else. After each commit the
writer looks at every value of the people and organizations facets and merges
those that are the same name:

- **the same skeleton**: folded, then written as a transliteration would
  drop its differences (ou→u, sch/sh/sj→s, j/y→i, kh→h, w→v, ph→f, double
  letters single): *Zelenskyj*, *Zelensky*, *Zelenskij* are all ``zelenski``;
- **guarded fuzzy matching**, for people only: the same number of words with
  the same initials, and one edit between the skeletons (two when they are
  long) in words of six letters or more, but never when the words that differ are two different known given
  names (*Marco Rossi* is not *Mario Rossi*) and never between two people the
  knowledge base knows (*Li Qiang* is not *Li Keqiang*).

- **a surname alone** (*Bussetti*, found after a title: "il ministro
  Bussetti") joins the one person the index names in full with that surname
  (*Marco Bussetti*), never when two people share it.

A merged group is shown under its knowledge-base value if it has one, else
under its most frequent spelling. Nothing in the index changes: the merges are
a table beside it (``merges.json``), applied when facets are counted and
filters compiled, and recomputed from the whole index after each commit, so a
merge does not depend on the order articles arrived in. `corpus-search
entities` lists them for a curator to confirm (by adding an alias) or refute.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from index.analysis import fold
from index.store import write_atomically

MERGES_FILE = "merges.json"
MERGED_KINDS = ("person", "org")
_SKELETON_RULES = (
    (re.compile(r"[-‐‑'’.]"), " "),
    (re.compile(r"sch|sh|sj"), "s"),
    (re.compile(r"ou"), "u"),
    (re.compile(r"kh"), "h"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"[jy]"), "i"),
    (re.compile(r"w"), "v"),
    (re.compile(r"([a-z])\1+"), r"\1"),
)


@dataclass(frozen=True)
class Merge:
    kind: str
    variant: str
    canonical: str
    reason: str


@dataclass(frozen=True)
class Merges:
    """Which facet values stand for which: (kind, variant) → the value shown for the group."""

    merges: tuple[Merge, ...] = ()
    _canonical: dict = field(default_factory=dict, compare=False, repr=False)
    _groups: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for merge in self.merges:
            self._canonical[(merge.kind, merge.variant)] = merge.canonical
            self._groups.setdefault((merge.kind, merge.canonical), [merge.canonical]).append(merge.variant)

    def canonical(self, kind: str, value: str) -> str:
        return self._canonical.get((kind, value), value)

    def variants(self, kind: str, value: str) -> tuple[str, ...]:
        """Every indexed value the group of ``value`` holds, the shown one first."""
        canonical = self.canonical(kind, value)
        return tuple(self._groups.get((kind, canonical), (canonical,)))

    def to_json(self) -> list[dict]:
        return [{"kind": m.kind, "variant": m.variant, "canonical": m.canonical, "reason": m.reason}
                for m in self.merges]


NO_MERGES = Merges()


def skeleton(name: str) -> str:
    """The name as transliterations agree on it: ``Zelenskyj``, ``Zelensky`` and ``Zelenskij`` → ``zelenski``."""
    text = fold(name)
    for pattern, replacement in _SKELETON_RULES:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


def find_merges(counts: Mapping[str, Counter], known: set[tuple[str, str]],
                given_names: frozenset[str] = frozenset()) -> Merges:
    """The merges among the facet values ``counts`` (kind → value → articles).

    ``known`` holds the (kind, value) pairs of the knowledge base: a group may
    take one known value, never two.
    """
    merges: list[Merge] = []
    for kind in MERGED_KINDS:
        counter = counts.get(kind, Counter())
        # Known values first, then by frequency: each group is named after its first member.
        ordered = sorted(counter, key=lambda v: ((kind, v) not in known, -counter[v], v))
        by_skeleton: dict[str, str] = {}
        heads: dict[tuple, list[tuple[str, str]]] = defaultdict(list)  # initials → [(skeleton, canonical)]
        for value in ordered:
            is_known = (kind, value) in known
            key = skeleton(value)
            if not key:
                continue
            head = by_skeleton.get(key)
            if len(key) < 5 or value.isupper():
                head = None  # acronyms and short names: a doubled letter is another name (AB, ABB)
            if head is not None and not (is_known and (kind, head) in known):
                merges.append(Merge(kind, value, head, "the same name in another spelling"))
                continue
            if kind == "person" and not is_known:
                near = _near_name(key, counter[value], heads[_initials(key)], counter, given_names)
                if near is not None:
                    merges.append(Merge(kind, value, near, "one name differs by a letter or two"))
                    by_skeleton[key] = near
                    continue
            by_skeleton.setdefault(key, value)
            if kind == "person":
                heads[_initials(key)].append((key, value))
        if kind == "person":
            merges += _surnames_alone(counter, known, merges)
    return Merges(tuple(merges))


def _surnames_alone(counter: Counter, known: set[tuple[str, str]], merges: list[Merge]) -> list[Merge]:
    """A surname alone ("il ministro Bussetti") is the one person the index names in full with that surname.

    Never when two people share it (*Marco Rossi*, *Anna Rossi*), and never a
    known one-word value.
    """
    variants = {merge.variant for merge in merges if merge.kind == "person"}
    owners: dict[str, set[str]] = defaultdict(set)
    for value in counter:
        words = value.split()
        if len(words) >= 2 and value not in variants:
            owners[skeleton(words[-1])].add(value)
    found = []
    for value in counter:
        if " " in value or ("person", value) in known or value in variants:
            continue
        full = owners.get(skeleton(value), set())
        if len(full) == 1:
            found.append(Merge("person", value, next(iter(full)), "a surname alone; one person has it in full"))
    return found


def _initials(key: str) -> tuple[str, ...]:
    return tuple(word[0] for word in key.split())


def _near_name(key: str, articles: int, candidates: list[tuple[str, str]], counter: Counter,
               given_names) -> str | None:
    """The group a new person's name joins by one or two edits, if exactly one is that near.

    A misspelling is rare beside the right spelling: the group must be named
    in three times as many articles (Masini and Mazzini, both common, are two
    families).
    """
    from rapidfuzz.distance import Levenshtein  # here: searching imports this module, never this function

    words = key.split()
    if len(words) < 2 or len(key) < 8:
        return None  # a single word or a short name has too many neighbours to guess
    limit = 2 if len(key) >= 18 else 1
    found = []
    for other_key, value in candidates:
        if counter[value] < 3 * articles:
            continue
        if abs(len(other_key) - len(key)) > limit:
            continue
        edits = Levenshtein.distance(key, other_key, score_cutoff=limit)
        if edits > limit:
            continue
        differing = [(a, b) for a, b in zip(words, other_key.split()) if a != b]
        if any(a in given_names and b in given_names for a, b in differing):
            continue  # Marco and Mario are two names, not one misspelt
        if any(min(len(a), len(b)) < 6 or a[-1] != b[-1] for a, b in differing):
            continue  # other names: Lind/Lund, Wu/Xu; and endings mark gender or family: Kowalska/Kowalski
        found.append(value)
    if len(found) != 1:
        return None  # near two groups: the name could be either
    return found[0]


def save_merges(folder: Path, merges: Merges) -> None:
    write_atomically(folder / MERGES_FILE, json.dumps(merges.to_json(), ensure_ascii=False))


def has_merges(folder: Path) -> bool:
    return (folder / MERGES_FILE).exists()


def load_merges(folder: Path) -> Merges:
    """The merges saved beside an index (none for an index written before merging existed)."""
    try:
        entries = json.loads((folder / MERGES_FILE).read_text(encoding="utf-8"))
        return Merges(tuple(Merge(e["kind"], e["variant"], e["canonical"], e["reason"]) for e in entries))
    except (OSError, ValueError, KeyError, TypeError):
        return NO_MERGES
