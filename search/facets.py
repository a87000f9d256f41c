"""Facets: filters by value, and counts of values over the whole result set.

Counts come from a column store of each facet (``search/docsets.py``): one
``bincount`` over the matched documents, never stored fields, never a walk
over each value's postings.

Filter values may be written any way the knowledge base knows: ``person:
poutine`` is ``Vladimir Putin``, ``country:Nordkorea`` is ``KP``.
"""
from __future__ import annotations

import re

from typing import Iterable, Mapping

from whoosh import query as wq

from index import country_name
from index.facetstore import FACET_NAMES, YEAR
from index.merging import NO_MERGES, Merges
from index.schema import DATE, ENTITY_FACETS, LANG, keyword_term
from search.notes import N_, Note
from search.results import FacetValue
from search.syntax import QueryError

FACETS = FACET_NAMES  # the index's facet fields, and the year (from the date: filtered by prefix)
DEFAULT_FACET_LIMIT = 10
# A document has one language and one date: several values mean "any of them".
# The entity facets are multi-valued: every value given must hold.
ANY_OF = frozenset({LANG, YEAR})


def normalize_filters(filters: Mapping[str, Iterable[str]] | None, knowledge=None,
                      merges: Merges = NO_MERGES) -> dict[str, tuple[str, ...]]:
    """Filters as {facet: (canonical values, …)}, empty values dropped, unknown facets refused."""
    normalized = {}
    for name, values in (filters or {}).items():
        if name not in FACETS:
            raise QueryError(f"{name}:", Note("there is no facet {name!r}; the facets are {facets}", name=name,
                                              facets=", ".join(FACETS)))
        if isinstance(values, str):
            values = [values]
        kept = tuple(dict.fromkeys(canonical_value(name, v, knowledge, merges) for v in values if v and v.strip()))
        if kept:
            normalized[name] = kept
    return normalized


def canonical_value(facet: str, value: str, knowledge=None, merges: Merges = NO_MERGES) -> str:
    """The value a facet shows: ``sv`` for ``SV``, ``Vladimir Putin`` for ``Poutine``, the merged spelling of a name."""
    value = " ".join(value.split())
    if facet == LANG:
        return value.lower()
    if knowledge is not None and facet in ENTITY_FACETS:
        known = knowledge.lookup(facet, value)
        if known is not None:
            return known
    if facet in ENTITY_FACETS:
        return merges.canonical(facet, value)
    return value.upper() if facet == "country" and len(value) == 2 else value


UNKNOWN_VALUE = {  # what a note says of a filter value no article has
    "person": N_("no person named {value!r} in the index"),
    "org": N_("no organization named {value!r} in the index"),
    "country": N_("no article mentions the country {value!r} (an ISO code such as FR, or a name)"),
    LANG: N_("no article in the language {value!r} (an ISO 639-1 code such as it)"),
    YEAR: N_("no article from {value}"),
}
UNKNOWN_VALUE_OF_OTHER = N_("no article has {name} {value!r}")


def unknown_value_notes(filters: dict[str, tuple[str, ...]], has_value) -> list[str]:
    """A note for each filter value that no article has: a typo, not a silent 0.

    ``has_value(facet, value)`` says whether any article has the value: each backend asks its own index.
    """
    return [Note(UNKNOWN_VALUE.get(name, UNKNOWN_VALUE_OF_OTHER), name=name, value=value)
            for name, values in filters.items() for value in values if not has_value(name, value)]


_DATE_BOUND = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
NOT_A_DATE = N_("{name} must be a date such as 2024, 2024-03 or 2024-03-15")


def is_date_bound(text: str) -> bool:
    """Whether ``text`` is a date bound as the index compares them: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    return _DATE_BOUND.fullmatch(text) is not None


def date_bound(text: str | None, name: str) -> str | None:
    """A ``since``/``until`` bound as the index compares it: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    :raise QueryError: for anything else (``2024/03``, ``yesterday``).
    """
    if text is None or not text.strip():
        return None
    text = text.strip()
    if not is_date_bound(text):
        raise QueryError(text, Note(NOT_A_DATE, name=name))
    return text


def date_range_query(since: str | None, until: str | None) -> wq.Query | None:
    """The articles dated from ``since`` to ``until``, both included (``until=2024-03`` takes all of March).

    Dates are ISO strings, so the order of strings is the order of time;
    undated articles are outside every range.
    """
    if since is None and until is None:
        return None
    return wq.TermRange(DATE, since or "0", (until + "\uffff") if until else None, startexcl=False, endexcl=False)


def filter_query(filters: dict[str, tuple[str, ...]], merges: Merges = NO_MERGES, any_of: Iterable[str] = (),
                 exclude: dict[str, tuple[str, ...]] | None = None) -> wq.Query | None:
    """The articles ``filters`` allow: every value of a facet (AND), or any of them for the facets in
    ``any_of`` (languages and years always: an article has one of each), and none of ``exclude``'s values."""
    clauses = []
    for name, values in filters.items():
        terms = _value_queries(name, values, merges)
        if name in ANY_OF or name in any_of:
            clauses.append(terms[0] if len(terms) == 1 else wq.Or(terms))
        else:
            clauses.extend(terms)
    excluded = [term for name, values in (exclude or {}).items() for term in _value_queries(name, values, merges)]
    if not clauses and not excluded:
        return None
    included = clauses[0] if len(clauses) == 1 else wq.And(clauses) if clauses else wq.Every()
    return wq.AndNot(included, wq.Or(excluded)) if excluded else included


def _value_queries(name: str, values: Iterable[str], merges: Merges) -> list[wq.Query]:
    if name == YEAR:
        return [wq.Prefix(DATE, value) for value in values]
    return [facet_query(name, value, merges) for value in values]


def facet_query(name: str, value: str, merges: Merges = NO_MERGES, boost: float = 1.0) -> wq.Query:
    """Articles with this facet value, in any of the spellings merged into it (a discovered name)."""
    variants = merges.variants(name, value) if name in ENTITY_FACETS else (value,)
    if len(variants) == 1:
        return wq.Term(name, keyword_term(value), boost=boost)
    return wq.Or([wq.Term(name, keyword_term(v)) for v in variants], boost=boost)


def count_facets(docsets, reader, mask, limit: int, language: str = "en",
                 knowledge=None, own_masks: Mapping[str, object] | None = None) -> dict[str, tuple[FacetValue, ...]]:
    """The ``limit`` most frequent values of each facet among the documents in ``mask``.

    A facet in ``own_masks`` is counted over its own mask instead: the
    matches without that facet's any-of filter, so that its other values show
    what choosing them too would add (as every faceted engine counts OR).
    Countries carry a label: their name in ``language``. Years read best in
    order, newest first.
    """
    counts = {}
    for name in FACETS:
        table = docsets.facet(reader, name)
        among = (own_masks or {}).get(name, mask)
        if name == YEAR:
            ranked = sorted(table.count(among, len(table.values)), reverse=True)[:limit]
        else:
            ranked = table.count(among, limit)
        counts[name] = tuple(
            FacetValue(value, count, country_label(value, language, knowledge) if name == "country" else None)
            for value, count in ranked
        )
    return counts


def timeline(docsets, reader, mask) -> tuple[tuple[str, int], ...]:
    """(year, articles) for every year from the first to the last that ``mask`` has, oldest first; empty years
    included, so that a chart of it shows gaps as gaps."""
    table = docsets.facet(reader, YEAR)
    counts = {int(year): count for year, count in table.count(mask, len(table.values)) if year.isdigit()}
    if not counts:
        return ()
    return tuple((str(year), counts.get(year, 0)) for year in range(min(counts), max(counts) + 1))


def country_label(code: str, language: str, knowledge) -> str:
    """A country's name in ``language``: shipped with the index for the page's languages, else from CLDR."""
    return knowledge.country_name(code, language) if knowledge is not None else country_name(code, language)
