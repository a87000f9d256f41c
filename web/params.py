"""Request parameters → a validated `SearchRequest`; anything out of bounds is a `BadParameter` (400).

The page and the JSON API read the same parameters through this one module:
``q``, ``person``, ``country``, ``org``, ``lang``, ``year`` (repeatable),
``from`` and ``to`` (a date range: ``2024``, ``2024-03`` or ``2024-03-15``),
``sort``, ``page``, ``per_page``, ``literal``, ``ui`` (the language of the
page and of country names; the page defaults to the browser's), ``more`` (a facet to show more values of) and ``fq``
(text to look for among a facet's values).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from search.facets import NOT_A_DATE, is_date_bound
from search.notes import Note
from search.syntax import SORTS

FILTER_FACETS = ("person", "country", "org", "lang", "year")
ANY_OF_FACETS = ("person", "country", "org")  # the facets whose values may combine with OR (any=person)
EXCLUDABLE = ("person", "country", "org", "lang")  # not_person=…
UI_LANGUAGES = {"en": "English", "it": "Italiano", "fr": "Français", "sv": "Svenska"}
MAX_QUERY_CHARS = 1000
MAX_VALUE_CHARS = 200
MAX_VALUES_PER_FACET = 20
MAX_PAGE = 1000
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 10


class BadParameter(ValueError):
    """A request parameter out of bounds: the message says which and why."""


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    literal: bool = False
    ui: str = "en"
    more: str | None = None
    fq: str = ""
    since: str = ""  # the URL's "from"
    until: str = ""  # the URL's "to"
    any_of: tuple[str, ...] = ()  # the URL's "any"
    exclude: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the URL's "not_<facet>"

    def selection(self) -> dict:
        """Which articles this request asks for, as `Engine.search` and `Engine.export` both take it."""
        return {"filters": self.filters, "expand_entities": not self.literal, "since": self.since or None,
                "until": self.until or None, "any_of": self.any_of, "exclude": self.exclude}

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def args(self, **changes) -> list[tuple[str, str]]:
        """This request as URL parameters (defaults left out), with ``changes`` applied."""
        values = {
            "q": self.q, "sort": self.sort, "page": self.page, "per_page": self.per_page,
            "literal": self.literal, "ui": self.ui, "more": self.more, "fq": self.fq,
            "since": self.since, "until": self.until,
        }
        values.update({k: v for k, v in changes.items() if k in values})
        filters = changes.get("filters", self.filters)
        exclude = changes.get("exclude", self.exclude)
        pairs = [("q", values["q"])] if values["q"] else []
        for name in FILTER_FACETS:
            pairs += [(name, value) for value in filters.get(name, ())]
        pairs += [("any", name) for name in changes.get("any_of", self.any_of)]
        for name in EXCLUDABLE:
            pairs += [(f"not_{name}", value) for value in exclude.get(name, ())]
        pairs += [(key, values[name]) for key, name in (("from", "since"), ("to", "until")) if values[name]]
        defaults = {"sort": "relevance", "page": 1, "per_page": DEFAULT_PER_PAGE, "literal": False, "ui": "en",
                    "more": None, "fq": ""}
        for name, default in defaults.items():
            if values[name] != default:
                pairs.append((name, "1" if values[name] is True else str(values[name])))
        return pairs


def _values_of(args: MultiDict, names: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """{facet: values} from the parameters ``names`` maps to facets, each list bounded in length and size."""
    found = {}
    for parameter, facet in names.items():
        values = [v.strip() for v in args.getlist(parameter) if v.strip()]
        if len(values) > MAX_VALUES_PER_FACET:
            raise BadParameter(Note("too many {parameter} values ({count}); the limit is {limit}",
                                    parameter=parameter, count=len(values), limit=MAX_VALUES_PER_FACET))
        if any(len(v) > MAX_VALUE_CHARS for v in values):
            raise BadParameter(Note("a {parameter} value is over {limit} characters", parameter=parameter,
                                    limit=MAX_VALUE_CHARS))
        if values:
            found[facet] = tuple(dict.fromkeys(values))
    return found


def parse_search_request(args: MultiDict, default_ui: str = "en") -> SearchRequest:
    """Validate the parameters of a search (page or API); ``default_ui`` when there is no ``ui``.

    :raise BadParameter: for a value out of bounds (a 400 for the client).
    """
    q = args.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter(Note("q is {length:,} characters long; the limit is {limit:,}", length=len(q),
                                limit=MAX_QUERY_CHARS))
    filters = _values_of(args, {name: name for name in FILTER_FACETS})
    exclude = _values_of(args, {f"not_{name}": name for name in EXCLUDABLE})
    any_of = tuple(dict.fromkeys(args.getlist("any")))
    if any(name not in ANY_OF_FACETS for name in any_of):
        raise BadParameter(Note("any must name a facet among {facets}", facets=", ".join(ANY_OF_FACETS)))
    sort = args.get("sort", "relevance")
    if sort not in SORTS:
        raise BadParameter(Note("sort must be one of {choices}, not {value!r}", choices=", ".join(SORTS),
                                value=sort[:40]))
    ui = args.get("ui") or default_ui
    if ui not in UI_LANGUAGES:
        raise BadParameter(Note("ui must be one of {choices}, not {value!r}", choices=", ".join(UI_LANGUAGES),
                                value=ui[:40]))
    more = args.get("more") or None
    if more is not None and more not in FILTER_FACETS:
        raise BadParameter(Note("more must name a facet ({facets})", facets=", ".join(FILTER_FACETS)))
    fq = args.get("fq", "")[:MAX_VALUE_CHARS]
    since, until = (args.get(key, "").strip()[:MAX_VALUE_CHARS] for key in ("from", "to"))
    for name, value in (("from", since), ("to", until)):
        if value and not is_date_bound(value):  # said with the URL's names, not the engine's since/until
            raise BadParameter(Note(NOT_A_DATE, name=name))
    return SearchRequest(
        q=q,
        filters=filters,
        sort=sort,
        page=_bounded_int(args, "page", 1, 1, MAX_PAGE),
        per_page=_bounded_int(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
        literal=args.get("literal", "") in ("1", "true", "on", "yes"),
        ui=ui,
        more=more,
        since=since,
        until=until,
        any_of=any_of,
        exclude=exclude,
        fq=fq,
    )


def _bounded_int(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 7:  # "²" and "٣" are digits to isdigit(), not to int()
        raise BadParameter(Note("{name} must be a whole number from {low} to {high}, not {value!r}", name=name,
                                low=low, high=high, value=raw[:40]))
    value = int(raw)
    if not low <= value <= high:
        raise BadParameter(Note("{name} must be from {low} to {high}, not {value}", name=name, low=low, high=high,
                                value=value))
    return value
