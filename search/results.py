"""What the engine returns: frozen dataclasses, and their JSON form.

The JSON form is the contract of ``corpus-search search --json`` and of the
web API alike, so it is made here, once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape


@dataclass(frozen=True)
class Fragment:
    """A piece of a snippet: plain text, marked or not. Never markup."""

    text: str
    is_match: bool


@dataclass(frozen=True)
class Segment:
    """A piece of an article's text: marked by the query or not, and the entity it names, if any."""

    text: str
    is_match: bool = False
    entity: tuple[str, str] | None = None  # (facet, value)


def fragments_to_html(fragments: tuple[Fragment, ...]) -> str:
    """Escaped text with ``<mark>`` around the matches: safe to put in a page as is."""
    return "".join(f"<mark>{escape(f.text)}</mark>" if f.is_match else escape(f.text) for f in fragments)


def fragments_to_text(fragments: tuple[Fragment, ...]) -> str:
    return "".join(f.text for f in fragments)


EXPORT_FIELDS = ("id", "title", "date", "lang", "person", "country", "org", "url", "source", "path")


@dataclass(frozen=True)
class ExportRow:
    """One matching article as an export gives it: what identifies it, its facets, where it is from."""

    id: str
    title: str
    lang: str
    date: str | None = None
    url: str | None = None
    source: str | None = None
    path: str | None = None
    person: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    org: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {name: list(value) if isinstance(value, tuple) else value
                for name in EXPORT_FIELDS for value in [getattr(self, name)]}

    def to_csv(self) -> list[str]:
        """The row's cells in `EXPORT_FIELDS` order; several values in one cell joined by "; "."""
        return ["; ".join(value) if isinstance(value, tuple) else (value or "")
                for value in (getattr(self, name) for name in EXPORT_FIELDS)]


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    lang: str
    score: float
    snippet: tuple[Fragment, ...]
    date: str | None = None
    url: str | None = None
    source: str | None = None
    path: str | None = None
    person: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    org: tuple[str, ...] = ()
    title_marks: tuple[Fragment, ...] = ()  # the title with the query's words marked

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "title_html": fragments_to_html(self.title_marks) if self.title_marks else escape(self.title),
            "lang": self.lang,
            "score": round(self.score, 4),
            "snippet": fragments_to_html(self.snippet),
            "snippet_text": fragments_to_text(self.snippet),
            "highlights": sorted({f.text for f in self.snippet if f.is_match}),
            "date": self.date,
            "url": self.url,
            "source": self.source,
            "path": self.path,
            "person": list(self.person),
            "country": list(self.country),
            "org": list(self.org),
        }


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    label: str | None = None  # how to show the value (a country's name in the reader's language)

    def to_json(self) -> dict:
        data = {"value": self.value, "count": self.count}
        if self.label is not None:
            data["label"] = self.label
        return data


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    took_ms: float
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetValue, ...]]
    offset: int = 0
    limit: int = 10
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    notes: tuple[str, ...] = ()  # what the user should know: truncated expansions, …
    suggestion: str | None = None  # with no hits: a corrected query that has some ("did you mean")
    since: str | None = None  # the date range asked for (both ends included)
    until: str | None = None
    timeline: tuple[tuple[str, int], ...] = ()  # (year, matching articles), oldest first, empty years included
    any_of: tuple[str, ...] = ()  # the facets whose values combine with OR
    exclude: dict[str, tuple[str, ...]] = field(default_factory=dict)  # values no matching article has

    def to_json(self) -> dict:
        return {
            "query": self.query,
            "total": self.total,
            "took_ms": round(self.took_ms, 2),
            "offset": self.offset,
            "limit": self.limit,
            "sort": self.sort,
            "filters": {name: list(values) for name, values in self.filters.items()},
            "any_of": list(self.any_of),
            "exclude": {name: list(values) for name, values in self.exclude.items()},
            "since": self.since,
            "until": self.until,
            "hits": [hit.to_json() for hit in self.hits],
            "facets": {name: [v.to_json() for v in values] for name, values in self.facets.items()},
            "notes": list(self.notes),
            "suggestion": self.suggestion,
            "timeline": [{"year": year, "count": count} for year, count in self.timeline],
        }


@dataclass(frozen=True)
class EntityMentions:
    """One entity of a document and where the document names it."""

    kind: str  # person, country, org
    value: str
    is_new: bool  # found by discovery, not in the knowledge base
    mentions: tuple[tuple[int, int, str], ...]  # (start, end, as written); offsets into the text, negative: the title

    def to_json(self) -> dict:
        return {
            "value": self.value,
            "is_new": self.is_new,
            "mentions": sorted({text for _, _, text in self.mentions}),
            "spans": [[start, end] for start, end, _ in self.mentions],
        }


@dataclass(frozen=True)
class StoredArticle:
    """One document as the index holds it, for display."""

    id: str
    title: str
    lang: str
    text: str
    date: str | None = None
    url: str | None = None
    source: str | None = None
    path: str | None = None
    person: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    org: tuple[str, ...] = ()
    entities: tuple[EntityMentions, ...] = ()

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "lang": self.lang,
            "text": self.text,
            "date": self.date,
            "url": self.url,
            "source": self.source,
            "path": self.path,
            "person": list(self.person),
            "country": list(self.country),
            "org": list(self.org),
            "entities": {
                kind: [e.to_json() for e in self.entities if e.kind == kind] for kind in ("person", "country", "org")
            },
        }
