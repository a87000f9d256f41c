"""Facets as the product means them, whatever the backend: names, values, filters, dates, what is said.

Filter values may be written any way the knowledge base knows: ``person:
poutine`` is ``Vladimir Putin``, ``country:Nordkorea`` is ``KP``. Several
values of an entity facet must all be mentioned, unless the facet is asked
for as any-of; a language or a year is any of them (`ANY_OF`). How a backend
filters and counts is its own (``search/whoosh_facets.py``,
``search/sphinx_engine.py``).
"""
from __future__ import annotations

import re

from typing import Iterable, Mapping

from index import country_name
from index.facetstore import FACET_NAMES, YEAR
from index.merging import NO_MERGES, Merges
from index.schema import ENTITY_FACETS, LANG
from search.notes import N_, Note
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


def country_label(code: str, language: str, knowledge) -> str:
    """A country's name in ``language``: shipped with the index for the page's languages, else from CLDR."""
    return knowledge.country_name(code, language) if knowledge is not None else country_name(code, language)


def years_with_gaps(counts: Mapping[int, int]) -> tuple[tuple[str, int], ...]:
    """(year, articles) for every year from the first to the last counted, oldest first; empty years
    included, so that a chart of it shows gaps as gaps."""
    if not counts:
        return ()
    return tuple((str(year), counts.get(year, 0)) for year in range(min(counts), max(counts) + 1))
