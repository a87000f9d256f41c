"""The embedded backend's facets: filters as Whoosh queries, counts from the column store.

Counts come from a column store of each facet (``search/docsets.py``): one
``bincount`` over the matched documents, never stored fields, never a walk
over each value's postings. What the filters mean is ``search/facets.py``'s.
"""
from __future__ import annotations

from typing import Iterable, Mapping

from whoosh import query as wq

from index.facetstore import YEAR
from index.merging import NO_MERGES, Merges
from index.schema import DATE, ENTITY_FACETS, keyword_term
from search.facets import ANY_OF, FACETS, country_label, years_with_gaps
from search.results import FacetValue


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
    return years_with_gaps({int(year): count for year, count in table.count(mask, len(table.values))
                            if year.isdigit()})
