"""What a curator needs to grow the knowledge base: frequent, unknown and look-alike entities.

Everything here is read from the index; nothing is changed. The curator edits
``index/data/entities.txt`` and re-indexes.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import index
from index.merging import NO_MERGES, Merges
from index.schema import ENTITIES, ENTITY_FACETS
from search.results import FacetValue


@dataclass(frozen=True)
class MergeProposal:
    """Two names that may be one entity: evidence too weak to merge them automatically."""

    name: str
    candidate: str
    articles: int
    reason: str

    def to_json(self) -> dict:
        return {"name": self.name, "candidate": self.candidate, "articles": self.articles, "reason": self.reason}


@dataclass(frozen=True)
class EntityReport:
    frequent: dict[str, tuple[FacetValue, ...]]  # known and unknown, by facet
    unknown: dict[str, tuple[FacetValue, ...]]  # values the knowledge base does not have
    merges: tuple[MergeProposal, ...]  # look-alikes left apart: evidence too weak
    merged: tuple[MergeProposal, ...] = ()  # spellings counted as one value (index/merging.py)

    def to_json(self) -> dict:
        return {
            "frequent": {kind: [v.to_json() for v in values] for kind, values in self.frequent.items()},
            "unknown": {kind: [v.to_json() for v in values] for kind, values in self.unknown.items()},
            "merges": [m.to_json() for m in self.merges],
            "merged": [m.to_json() for m in self.merged],
        }


def entity_report(stored_documents, limit: int, merges_applied: Merges = NO_MERGES) -> EntityReport:
    """Count every entity of every document (a full pass: a curation tool, not a search).

    Merged spellings count as their group's value, as the facets count them;
    each merge is listed with the articles that wrote the name that way.
    """
    frequent = {kind: Counter() for kind in ENTITY_FACETS}
    unknown = {kind: Counter() for kind in ENTITY_FACETS}
    spelled: Counter = Counter()
    proposed: Counter = Counter()
    for stored in stored_documents:
        grouped = stored.get(ENTITIES) or {}
        for kind in ENTITY_FACETS:
            values = {}
            for value, is_new, _ in grouped.get(kind, ()):
                canonical = merges_applied.canonical(kind, value)
                if canonical != value:
                    spelled[(kind, value)] += 1
                values[canonical] = values.get(canonical, True) and is_new
            for value, is_new in values.items():
                frequent[kind][value] += 1
                if is_new:
                    unknown[kind][value] += 1
        for text, candidate, distance in grouped.get("proposals", ()):
            proposed[(" ".join(text.split()), candidate, f"spelled {distance} edits away from a known name")] += 1
    merges = [MergeProposal(name, candidate, n, reason) for (name, candidate, reason), n in proposed.items()]
    merges += _look_alikes(unknown["person"], frequent["person"])
    merges.sort(key=lambda m: (-m.articles, m.name))
    merged = sorted((MergeProposal(m.variant, m.canonical, spelled[(m.kind, m.variant)], m.reason)
                     for m in merges_applied.merges), key=lambda m: (-m.articles, m.name))
    return EntityReport(
        frequent={kind: _top(counter, limit) for kind, counter in frequent.items()},
        unknown={kind: _top(counter, limit) for kind, counter in unknown.items()},
        merges=tuple(merges[:limit]),
        merged=tuple(merged[:limit]),
    )


def _look_alikes(unknown: Counter, every: Counter, pool: int = 500) -> list[MergeProposal]:
    """Unknown people whose name differs from another person's in one word by one or two edits."""
    names = [name for name, _ in every.most_common(pool)]
    proposals = []
    for name, count in unknown.most_common(pool):
        words = name.lower().split()
        for other in names:
            other_words = other.lower().split()
            if other == name or len(other_words) != len(words):
                continue
            differing = [(a, b) for a, b in zip(words, other_words) if a != b]
            if len(differing) == 1 and index.edit_distance(*differing[0], limit=2) <= 2:
                proposals.append(MergeProposal(name, other, count, "one word differs by at most two letters"))
    return proposals


def _top(counter: Counter, limit: int) -> tuple[FacetValue, ...]:
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return tuple(FacetValue(value, count) for value, count in ranked)
