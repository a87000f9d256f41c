"""The query language: text → a small tree of nodes. The only parser there is.

    wang yi malta           words, all required (AND is implicit)
    trump OR biden          either; OR binds tighter than the implicit AND
    malta -lavrov           NOT lavrov (also: NOT lavrov)
    "consiglio di sicurezza"  an exact phrase, in order
    title:putin  lang:sv    a field (title: takes words, phrases, prefixes)
    person:"Vladimir Putin"  country:KP  org:NATO   a facet value (any alias works)
    sanz*  putni~  putni~2  a prefix; a fuzzy word (edit distance 1 or 2)
    (a OR b) c              grouping
    *                       every document

The parser never fails on syntax: unbalanced quotes close at the end, stray
parentheses and dangling operators are ignored, and what remains is searched.
Only size limits raise `QueryError`, so that a user hears what to change.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from index import CorpusSearchError
from search.notes import Note

MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 64
MAX_DEPTH = 20
TEXT_FIELDS = ("title",)
DEFAULT_KEYWORD_FIELDS = ("lang", "person", "country", "org")
SORTS = ("relevance", "date")  # the orders of hits every backend offers


class QueryError(CorpusSearchError):
    """A query the engine will not run, with the reason and what to do."""

    def __init__(self, query: str, reason: str) -> None:
        self.query, self.reason = query, reason
        shown = query if len(query) <= 60 else query[:57] + "..."
        super().__init__(Note("cannot run query {query!r}: {reason}", query=shown, reason=reason))


@dataclass(frozen=True)
class Word:
    text: str
    field: str | None = None  # None: all text fields


@dataclass(frozen=True)
class Phrase:
    text: str
    field: str | None = None


@dataclass(frozen=True)
class Prefix:
    text: str
    field: str | None = None


@dataclass(frozen=True)
class Fuzzy:
    text: str
    distance: int = 1
    field: str | None = None


@dataclass(frozen=True)
class FieldValue:
    """``lang:sv`` and the facet fields: an exact value, no analysis."""

    field: str
    value: str


@dataclass(frozen=True)
class Not:
    child: "Node"


@dataclass(frozen=True)
class And:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class MatchAll:
    pass


Node = Union[Word, Phrase, Prefix, Fuzzy, FieldValue, Not, And, Or, MatchAll]

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<open>\()
    | (?P<close>\))
    | (?P<neg>-(?=[^\s)]))
    | (?P<field>[A-Za-z_]+):(?=["(\w*])
    | (?P<phrase>"[^"]*("|$))
    | (?P<bare>[^\s()"]+)
    """,
    re.VERBOSE,
)
_FUZZY = re.compile(r"^(?P<word>.+?)~(?P<distance>[12])?$")


def check_page(query: str, limit: int, offset: int, facet_limit: int, sort: str) -> None:
    """Refuse what no backend can answer: a negative limit or offset, an unknown sort.

    :raise QueryError: saying what to change.
    """
    if limit < 0 or offset < 0 or facet_limit < 0:
        raise QueryError(query, Note("limit, offset and facet_limit must not be negative"))
    if sort not in SORTS:
        raise QueryError(query, Note("unknown sort {sort!r}; use one of {sorts}", sort=sort, sorts=", ".join(SORTS)))


def page_notes(total: int, offset: int, limit: int, since: str | None, until: str | None) -> list[Note]:
    """What a page's arguments lead to that the reader should hear: an empty date range, a page past the end."""
    notes = []
    if since and until and since > until:
        notes.append(Note("since {since} is after until {until}: no date is in between", since=since, until=until))
    if total and offset >= total and limit:
        notes.append(Note("there are {total:,} results: offset {offset:,} is past the last one", total=total,
                          offset=offset))
    return notes


def parse(query: str, keyword_fields: tuple[str, ...] = DEFAULT_KEYWORD_FIELDS) -> Node:
    """Parse query text into a tree; an empty query is `MatchAll`.

    :raise QueryError: if the query is longer than ``MAX_QUERY_CHARS`` or has
        more than ``MAX_CLAUSES`` words.
    """
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(query, Note("it is {length:,} characters long; the limit is {limit:,}", length=len(query),
                                     limit=MAX_QUERY_CHARS))
    tokens = _lex(query, keyword_fields)
    clauses = sum(1 for kind, _ in tokens if kind in ("term", "phrase"))
    if clauses > MAX_CLAUSES:
        raise QueryError(query, Note("it has {count} terms; the limit is {limit}", count=clauses, limit=MAX_CLAUSES))
    parser = _Parser(tokens)
    node = parser.expression(depth=0)
    return node if node is not None else MatchAll()


def _lex(query: str, keyword_fields: tuple[str, ...]) -> list[tuple[str, object]]:
    """Tokens as (kind, value): open, close, neg, not, or, and, term, phrase."""
    tokens: list[tuple[str, object]] = []
    field = None
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup
        text = match.group()
        if kind == "space":
            field = None
            continue
        if kind == "field":
            name = match.group("field").lower()
            if name in TEXT_FIELDS or name in keyword_fields:
                field = name
                continue
            kind = "bare"  # an unknown field name is just text ("http:", "ore:")
        if kind == "phrase":
            inner = text[1:-1] if len(text) > 1 and text.endswith('"') else text[1:]
            if re.search(r"\w", inner):
                tokens.append(("phrase", _phrase(inner, field, keyword_fields)))
        elif kind == "bare":
            if text in ("OR", "AND", "NOT") and field is None:
                tokens.append((text.lower(), None))
            elif text in ("|", "||"):
                tokens.append(("or", None))
            elif text in ("&", "&&"):
                tokens.append(("and", None))
            else:
                node = _term(text, field, keyword_fields)
                if node is not None:
                    tokens.append(("term", node))
        else:
            tokens.append((kind, None))
        field = None
    return tokens


def _phrase(text: str, field: str | None, keyword_fields) -> Node:
    if field in keyword_fields:
        return FieldValue(field, text.strip())
    return Phrase(text, field)


def _term(text: str, field: str | None, keyword_fields) -> Node | None:
    if field in keyword_fields:
        return FieldValue(field, text)
    if text == "*" and field is None:
        return MatchAll()
    fuzzy = _FUZZY.match(text)
    if fuzzy:
        return Fuzzy(fuzzy.group("word"), int(fuzzy.group("distance") or 1), field)
    if text.endswith("*") and text.strip("*"):
        return Prefix(text.rstrip("*"), field)
    if not re.search(r"\w", text):
        return None  # punctuation alone ("-", "*", "~") says nothing to search
    return Word(text, field)


class _Parser:
    """Recursive descent over the tokens, forgiving every misplaced token."""

    def __init__(self, tokens: list[tuple[str, object]]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at][0] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, object]:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expression(self, depth: int) -> Node | None:
        """Clauses combined with AND, up to a closing parenthesis or the end."""
        children = []
        while self.peek() is not None:
            if self.peek() == "close":
                if depth > 0:
                    break
                self.take()  # a stray ")" at top level
                continue
            if self.peek() in ("and", "or"):
                self.take()  # an operator with nothing on its left
                continue
            node = self.disjunction(depth)
            if node is not None:
                children.append(node)
        return _combine(And, children)

    def disjunction(self, depth: int) -> Node | None:
        children = [self.unary(depth)]
        while self.peek() == "or":
            self.take()
            children.append(self.unary(depth))
        return _combine(Or, [c for c in children if c is not None])

    def unary(self, depth: int) -> Node | None:
        negations = 0
        while self.peek() in ("neg", "not"):  # a loop, not recursion: "------x" is legal
            self.take()
            negations += 1
        if negations:
            child = self.unary(depth)
            if child is None:
                return None
            return Not(child) if negations % 2 else child
        kind = self.peek()
        if kind is None or kind in ("or", "and", "close"):
            return None
        kind, value = self.take()
        if kind == "open":
            if depth >= MAX_DEPTH:
                return None  # deeper nesting adds nothing but work: flattened away
            inner = self.expression(depth + 1)
            if self.peek() == "close":
                self.take()
            return inner
        return value  # a term or a phrase


def _combine(kind, children: list[Node]) -> Node | None:
    if not children:
        return None
    if len(children) == 1:
        return children[0]
    return kind(tuple(children))
