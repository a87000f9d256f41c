"""Facets: filters by value, and counts of values over the whole result set.

Counts come from the per-document column of each facet field, read for the
matched documents only: never from stored fields, never by walking the
postings of each value.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable, Mapping

from whoosh import query as wq

from index.schema import FACET_FIELDS, LANG
from search.results import FacetValue
from search.syntax import QueryError

FACETS = FACET_FIELDS
DEFAULT_FACET_LIMIT = 10
# A document has one language: several languages mean "any of them". Other
# facets (people, countries, …) are multi-valued: every value given must hold.
ANY_OF = frozenset({LANG})


def normalize_filters(filters: Mapping[str, Iterable[str]] | None) -> dict[str, tuple[str, ...]]:
    """Filters as {facet: (values, …)}, empty values dropped, unknown facets refused."""
    normalized = {}
    for name, values in (filters or {}).items():
        if name not in FACETS:
            raise QueryError(f"{name}:", f"there is no facet {name!r}; the facets are {', '.join(FACETS)}")
        if isinstance(values, str):
            values = [values]
        kept = tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))
        if kept:
            normalized[name] = kept
    return normalized


def filter_query(filters: dict[str, tuple[str, ...]]) -> wq.Query | None:
    clauses = []
    for name, values in filters.items():
        terms = [wq.Term(name, value.lower() if name == LANG else value) for value in values]
        if name in ANY_OF:
            clauses.append(terms[0] if len(terms) == 1 else wq.Or(terms))
        else:
            clauses.extend(terms)
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.And(clauses)


def count_facets(reader, docnums: Iterable[int], limit: int) -> dict[str, tuple[FacetValue, ...]]:
    """The ``limit`` most frequent values of each facet among ``docnums``."""
    docnums = list(docnums)
    counts = {}
    for name in FACETS:
        column = reader.column_reader(name)
        counter = Counter(column[docnum] for docnum in docnums)
        counter.pop("", None)
        ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        counts[name] = tuple(FacetValue(value, count) for value, count in ranked[:limit])
    return counts
