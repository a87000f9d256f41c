"""The cluster backend's searcher: the same queries, filters, facets and results, answered by Sphinx / Manticore.

What is the product's own is shared with the embedded engine: the query
language (``search/syntax.py``), names resolved through the knowledge base
(``Poutine`` → Vladimir Putin), facet semantics (all of / any of / not,
dates, unknown values said in ``notes``), snippets and marks
(``search/highlight.py``) and the result types. What is the engine's is here:
the query tree in SphinxQL's match syntax, filters as attribute conditions,
counts with ``FACET``, paging and sorting by ``ORDER BY``.

Where the cluster answers differently from the embedded index, the result
says so in ``notes`` (`DIFFERENCES`). A node that does not answer leaves the
others' results, with a note naming it.
"""
from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from typing import Iterable, Iterator, Mapping

import numpy as np
import pymysql

from index.analysis import fold, has_stemmer, stem_variants, stop_words, words
from index.errors import CorpusSearchError, IndexNotFound
from index.knowledge import ALL_CAPS, case_pattern, load_knowledge, query_knowledge, tokens_of
from index.schema import ENTITY_FACETS
from index.spelling import delete_hashes
from index.sphinx_client import (DISTRIBUTED, EVERY_DOCUMENT, NAMED, STORED, VOCABULARY, ClusterUnavailable, connect, date_number,
                                 document_number, parse_location, value_key, value_token)
from index.sphinx_nodes import STEMMED
from search.facets import (ANY_OF, DEFAULT_FACET_LIMIT, country_label, date_bound, normalize_filters, years_with_gaps,
                           unknown_value_notes)
from search.budget import Budget
from search.highlight import HighlightTerms, annotate_text, hit_marks, marked_spans
from search.notes import N_, Note
from search.results import EntityMentions, ExportRow, FacetValue, Hit, SearchResult, Segment, StoredArticle
from search.suggest import suggest_query
from search.syntax import (And, FieldValue, Fuzzy, MatchAll, Not, Or, Phrase, Prefix, QueryError, Word, check_page,
                           page_notes, parse)

MAX_MATCHES = 100_000  # the deepest page the cluster serves (searchd's max_matches)
MAX_ENTITY_WORDS = 6
# Facet values fetched from the cluster before cutting to the page's limit, so that ties are broken by name
# as the embedded engine does (Sphinx orders equal counts as it finds them).
# It is also the groups each node keeps (max_matches): a value outside a node's 1,000 most frequent among
# the hits loses that node's count (Sphinx's grouping); more costs the master's merge dearly (×7 at 20,000).
FACET_FETCH = 1000
# Values of a facet read back: enough to order the equal counts at the page's cut by name; reading
# 1,000 rows a facet cost 30 ms in the client.
FACET_READ = 100
CANDIDATES = 500  # vocabulary words that share a delete with a typo, read per word
SUGGEST_BUDGET_S = 0.25
LANGUAGES_TTL_S = 30.0  # as the embedded engine: a correction is looked for this long at most
FIELD_WEIGHTS = "title=2, body=1, entities=1"
_SPECIAL = re.compile(r'([\\()|\-!@~"&/^$=<>*])')
DIFFERENCES = {  # what the cluster does not do as the embedded index does, said in a result's notes
    "fuzzy": N_("the cluster has no fuzzy matching: {word}~ was searched as written"),
    "short_prefix": N_("the cluster needs two letters before *: {word}* was searched as written"),
    "ranking": N_("the cluster ranks each language's articles by that language's own word statistics: "
                  "the order across languages is not the embedded index's"),
}


class SphinxEngine:
    """Searches a cluster at ``sphinx://HOST:PORT[,…]``, with the interface of `search.engine.Engine`."""

    def __init__(self, location: str, timeout_s: float = 5.0) -> None:
        self.location = parse_location(location)
        self.index_dir = self.location.url
        self.timeout_s = timeout_s
        self._threads = threading.local()  # each thread's connection (pymysql's are not thread-safe)
        self._held_languages: tuple[float, frozenset[str]] = (float("-inf"), frozenset())
        self._knowledge = query_knowledge(load_knowledge())  # the shipped knowledge base, as the writer used
        if not self._count():  # fail now, clearly, if no node answers; an empty cluster is built on first use
            raise IndexNotFound(self.location.url)

    # --- the interface -------------------------------------------------------------------------

    def search(self, query: str = "", *, filters: Mapping[str, Iterable[str]] | None = None, limit: int = 10,
               offset: int = 0, sort: str = "relevance", facet_limit: int = DEFAULT_FACET_LIMIT,
               expand_entities: bool = True, language: str = "en", since: str | None = None,
               until: str | None = None, any_of: Iterable[str] = (),
               exclude: Mapping[str, Iterable[str]] | None = None) -> SearchResult:
        """As `search.engine.Engine.search`."""
        started = time.perf_counter()
        check_page(query, limit, offset, facet_limit, sort)
        since, until = date_bound(since, "since"), date_bound(until, "until")
        filters = normalize_filters(filters, self._knowledge)
        exclude = normalize_filters(exclude, self._knowledge)
        any_of = frozenset(name for name in any_of if name in filters)
        compiled = _Compiled(self._knowledge, expand_entities, self._languages())
        match = compiled.node(parse(query), top=True)
        notes = list(compiled.notes)
        with self._connection(notes) as cursor:
            def where(kept=filters) -> tuple[str, list]:
                return _where(match, kept, any_of, exclude, since, until)

            condition, args = where()
            order = "day DESC, doc_id ASC" if sort == "date" or match is None else "w DESC, day DESC, doc_id ASC"
            wanted = min(offset + limit, MAX_MATCHES)
            read = max(FACET_READ, facet_limit * 5)
            facets_sql = " ".join(f"FACET {name}_keys ORDER BY COUNT(*) DESC LIMIT {read}"
                                  for name in ENTITY_FACETS) + " FACET lang ORDER BY COUNT(*) DESC LIMIT 100" \
                + " FACET year ORDER BY year ASC LIMIT 10000"
            rows, _, total, _ = _select(
                cursor, f"SELECT id, WEIGHT() AS w FROM {DISTRIBUTED} {condition} ORDER BY {order} "
                        f"LIMIT {offset}, {max(wanted - offset, 1)} "
                        f"OPTION max_matches={max(wanted, 1)}, field_weights=({FIELD_WEIGHTS})", args, meta=True)
            # Counted apart: Sphinx 2.2.11 loses WEIGHT() from a distributed answer that also has FACETs.
            facet_rows = _select(cursor, f"SELECT id FROM {DISTRIBUTED} {condition} LIMIT 1 "
                                         f"OPTION max_matches={FACET_FETCH} {facets_sql}", args)[1] \
                if facet_limit else [[] for _ in range(len(ENTITY_FACETS) + 2)]  # an export's pages count nothing
            if wanted <= offset:
                rows = []
            articles = _articles(cursor, [number for number, _ in rows])
            facets = {}
            years = [(str(year), int(count)) for year, count in facet_rows[-1] if int(year)]
            timeline = years_with_gaps({int(year): count for year, count in years})
            counts = {}
            for name, counted in zip((*ENTITY_FACETS, "lang"), facet_rows):
                if name in any_of:  # counted without its own filter, as the embedded engine does
                    own, own_args = where({k: v for k, v in filters.items() if k != name})
                    _, counted_again, _, _ = _select(cursor, f"SELECT id FROM {DISTRIBUTED} {own} LIMIT 1 "
                                                     f"OPTION max_matches={FACET_FETCH} "
                                                     f"FACET {name}_keys ORDER BY COUNT(*) DESC LIMIT {read}",
                                                     own_args)
                    counted = counted_again[0]
                counts[name] = counted
            names = _names(cursor, [key for name in ENTITY_FACETS for key in _contenders(counts[name], facet_limit)])
            for name, counted in counts.items():
                facets[name] = self._facet_values(name, counted, names, language, facet_limit)
            facets["year"] = tuple(FacetValue(year, count) for year, count in reversed(years))[:facet_limit]

            def has_value(name: str, value: str) -> bool:
                condition, args = _where(None, {name: (value,)}, frozenset(), {}, None, None)
                return bool(_select(cursor, f"SELECT id FROM {DISTRIBUTED} {condition} LIMIT 1", args)[0])

            notes += unknown_value_notes(filters, has_value) + unknown_value_notes(exclude, has_value)
            suggestion = None
            if total == 0 and query.strip():
                suggestion = self._suggestion(cursor, query, expand_entities,
                                              lambda m: _where(m, filters, any_of, exclude, since, until))
        hits = tuple(self._hit(articles[number], compiled.highlight, float(weight if match else 0.0))
                     for number, weight in rows if number in articles)
        if match and sort == "relevance" and len(hits) > 1 and len({hit.lang for hit in hits}) > 1:
            notes.append(Note(DIFFERENCES["ranking"]))  # one index per language, each with its own IDF
        notes += page_notes(total, offset, limit, since, until)
        if offset + limit > MAX_MATCHES and total > MAX_MATCHES:
            notes.append(Note("the cluster serves the first {limit:,} results of a query", limit=MAX_MATCHES))
        return SearchResult(query=query, total=total, took_ms=(time.perf_counter() - started) * 1000, hits=hits,
                            facets=facets, offset=offset, limit=limit, filters=filters, since=since, until=until,
                            timeline=timeline, any_of=tuple(sorted(any_of)), exclude=exclude, sort=sort,
                            notes=tuple(dict.fromkeys(notes)), suggestion=suggestion)

    def export(self, query: str = "", *, filters=None, expand_entities: bool = True, since=None, until=None,
               any_of=(), exclude=None) -> Iterator[ExportRow]:
        """Every matching article, newest first, a page at a time (as `Engine.export`)."""
        offset, page = 0, 1000
        while True:
            result = self.search(query, filters=filters, expand_entities=expand_entities, since=since, until=until,
                                 any_of=any_of, exclude=exclude, sort="date", limit=page, offset=offset,
                                 facet_limit=0)
            for hit in result.hits:
                yield ExportRow(id=hit.id, title=hit.title, lang=hit.lang, date=hit.date, url=hit.url,
                                source=hit.source, path=hit.path, person=hit.person, country=hit.country,
                                org=hit.org)
            offset += page
            if len(result.hits) < page or offset >= min(result.total, MAX_MATCHES):
                return

    def show(self, doc_id: str) -> StoredArticle:
        stored = self._stored(doc_id)
        return StoredArticle(text=stored.get("text", ""), entities=_entity_mentions(stored), **_metadata(stored))

    def annotate(self, doc_id: str, query: str = "") -> tuple[Segment, ...]:
        article = self.show(doc_id)
        spans: list[tuple[int, int]] = []
        if query.strip():
            compiled = _Compiled(self._knowledge, True)
            compiled.node(parse(query), top=True)
            spans = marked_spans(article.text, article.lang, compiled.highlight)
            spans += [(start, end) for e in article.entities if (e.kind, e.value) in compiled.highlight.entities
                      for start, end, _ in e.mentions if start >= 0]
        mentions = [(start, end, e.kind, e.value) for e in article.entities for start, end, _ in e.mentions
                    if start >= 0]
        return annotate_text(article.text, spans, mentions)

    def similar(self, doc_id: str, limit: int = 5) -> tuple[Hit, ...]:
        """Articles that name the same people, countries and organizations, or share title words."""
        stored = self._stored(doc_id)
        alternatives = [value_token(kind, value) for kind in ENTITY_FACETS for value in stored.get(kind, ())]
        alternatives += [_escape(fold(word)) for word, _, _, whole in words(stored.get("title", ""))
                         if not whole and fold(word) not in stop_words(stored.get("lang", ""))]
        if not alternatives:
            return ()
        with self._connection([]) as cursor:
            rows, _, _, _ = _select(cursor, f"SELECT id, WEIGHT() AS w FROM {DISTRIBUTED} WHERE MATCH(%s) "
                                            f"AND id != {document_number(doc_id)} ORDER BY w DESC LIMIT {limit} "
                                            f"OPTION max_matches={limit}",
                                    ["(" + " | ".join(dict.fromkeys(alternatives)) + ")"])
            articles = _articles(cursor, [number for number, _ in rows])
        return tuple(Hit(score=float(weight), snippet=(), **_metadata(articles[number])) for number, weight in rows
                     if number in articles)

    def suggest(self, query: str) -> str | None:
        """A spelling correction of ``query`` that has results ("did you mean"), or None."""
        with self._connection([]) as cursor:
            return self._suggestion(cursor, query, True, lambda m: _where(m, {}, frozenset(), {}, None, None))

    def _suggestion(self, cursor, query: str, expand_entities: bool, restricted) -> str | None:
        """The product's own "did you mean" (``search/suggest.py``) over the cluster's vocabulary.

        ``restricted(match)`` is the WHERE clause of a match under the search's filters: a rewrite is
        offered only if it has results there.
        """
        def count(text: str, where) -> int:
            match = _Compiled(self._knowledge, expand_entities, self._languages()).node(parse(text), top=True)
            condition, args = where(match)
            return _select(cursor, f"SELECT id FROM {DISTRIBUTED} {condition} LIMIT 1 OPTION max_matches=1", args,
                           meta=True)[2]

        alone = lambda match: _where(match, {}, frozenset(), {}, None, None)  # noqa: E731
        return suggest_query(query, _ClusterSpelling(cursor), lambda word: count(word, alone) > 0,
                             lambda rewritten: count(rewritten, restricted) > 0, Budget.of(SUGGEST_BUDGET_S))

    def entity_report(self, limit: int = 20):
        raise CorpusSearchError(f"the entity report reads an embedded index; the cluster at {self.location.url} "
                                "has none (run it on the Whoosh index of the same corpus)")

    def document_count(self) -> int:
        return self._count()

    def close(self) -> None:
        self._forget()

    def __enter__(self) -> "SphinxEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- the engine's side ---------------------------------------------------------------------

    def _languages(self) -> frozenset[str]:
        """The stemmed languages the cluster holds (their stop words are optional in a query), read again
        every `LANGUAGES_TTL_S`: another machine may add a language."""
        read_at, languages = self._held_languages
        if time.monotonic() - read_at > LANGUAGES_TTL_S:
            with self._connection([]) as cursor:
                rows = _select(cursor, f"SELECT lang, COUNT(*) FROM {DISTRIBUTED} GROUP BY lang LIMIT 1000", [])[0]
            languages = frozenset(lang for lang, _ in rows if lang in STEMMED)
            self._held_languages = (time.monotonic(), languages)
        return languages

    def _count(self) -> int:
        with self._connection([]) as cursor:
            return _select(cursor, f"SELECT id FROM {DISTRIBUTED} LIMIT 1", [], meta=True)[2]

    def _stored(self, doc_id: str) -> dict:
        from search.engine import DocumentNotFound

        number = document_number(doc_id)
        with self._connection([]) as cursor:
            found = _articles(cursor, [number])
        if number not in found or found[number].get("id") != doc_id:
            raise DocumentNotFound(doc_id)
        return found[number]

    def _connection(self, notes: list):
        """A cursor on the first node that answers; a node that does not is said in ``notes``.

        Each thread keeps its own connection to the node that last answered (connecting took 13 ms of
        a search); a connection that fails is dropped and the nodes are tried again, in order.
        """
        @contextlib.contextmanager
        def cursor():
            kept = getattr(self._threads, "connection", None)
            if kept is not None:
                try:
                    kept.ping(reconnect=False)
                except pymysql.MySQLError:  # the node went away since: try the nodes again, in order
                    self._forget()
                    kept = None
            if kept is not None:
                with kept.cursor() as c:
                    c.notes = notes
                    yield c
                return
            failures = []
            for host, port in self.location.nodes:
                try:
                    connection = connect(host, port)
                except Exception:
                    failures.append(f"{host}:{port}")
                    continue
                notes.extend(Note("node {node} does not answer: asked {other}", node=node, other=f"{host}:{port}")
                             for node in failures)
                if not failures:  # kept only when it is the first node: once that one is back, it is used again
                    self._threads.connection = connection
                try:
                    with connection.cursor() as c:
                        c.notes = notes
                        yield c
                except BaseException:
                    self._forget(connection)
                    raise
                finally:
                    if failures:
                        connection.close()
                return
            raise ClusterUnavailable(f"no node of the cluster {self.location.url} answers (corpus-search cluster "
                                     "start --data DIR starts them)")
        return cursor()

    def _forget(self, connection=None) -> None:
        kept = getattr(self._threads, "connection", None)
        if kept is not None and (connection is None or connection is kept):
            self._threads.connection = None
            with contextlib.suppress(Exception):
                kept.close()
        elif connection is not None:
            with contextlib.suppress(Exception):
                connection.close()

    def _facet_values(self, name: str, counted: list, names: dict[int, str], language: str,
                      limit: int) -> tuple[FacetValue, ...]:
        """The ``limit`` most frequent values, equal counts in the order of their names (as the embedded
        engine orders them), ``names`` giving each key's."""
        if name == "lang":
            ranked = sorted(counted, key=lambda row: (-int(row[1]), row[0]))[:limit]
            return tuple(FacetValue(lang, int(count)) for lang, count in ranked)
        values = sorted(((names[int(key)], int(count)) for key, count in counted if int(key) in names),
                        key=lambda pair: (-pair[1], pair[0]))
        return tuple(FacetValue(value, count, country_label(value, language, self._knowledge) if name == "country"
                                else None) for value, count in values[:limit])

    @staticmethod
    def _hit(stored: dict, highlight: HighlightTerms, score: float) -> Hit:
        passage, title_marks = hit_marks(stored.get("text", ""), stored.get("title", ""), stored.get("lang", ""),
                                         highlight, stored.get("entities", {}))
        return Hit(score=score, snippet=passage, title_marks=title_marks, **_metadata(stored))


class _Compiled:
    """A query tree in SphinxQL's extended match syntax, and the words to mark in what it finds."""

    def __init__(self, knowledge, expand_entities: bool, languages: Iterable[str] = ()) -> None:
        self.knowledge, self.expand_entities = knowledge, expand_entities
        self.optional_words = frozenset(fold(word) for lang in languages for word in stop_words(lang))
        self.highlight = HighlightTerms()
        self.notes: list[str] = []

    def node(self, node, top: bool = False) -> str | None:
        """The match expression of ``node``; None for every document."""
        if isinstance(node, MatchAll):
            return None if top else EVERY_DOCUMENT
        if isinstance(node, And):
            return self._and(node.children, top)
        if isinstance(node, Or):
            parts = [self.node(child) for child in node.children]
            return "(" + " | ".join(part or EVERY_DOCUMENT for part in parts) + ")"
        if isinstance(node, Not):
            inner = self.node(node.child)
            return f"{EVERY_DOCUMENT} -({inner})" if top else f"-({inner})"
        if isinstance(node, Word):
            return self._words([node]) if node.field is None else self._word(node.text, node.field)
        if isinstance(node, Phrase):
            return self._phrase(node.text, node.field)
        if isinstance(node, Prefix):
            folded = fold(node.text)
            self.highlight.prefixes.add(folded)
            if len(folded) < 2:
                self.notes.append(Note(DIFFERENCES["short_prefix"], word=node.text))
                return self._word(node.text, node.field)
            return _scoped(node.field, _escape(folded) + "*")
        if isinstance(node, Fuzzy):
            self.notes.append(Note(DIFFERENCES["fuzzy"], word=node.text))
            return self._word(node.text, node.field)
        if isinstance(node, FieldValue):
            return self._field_value(node)
        raise TypeError(node)

    def _and(self, children, top: bool) -> str | None:
        """All of the children; a lone stop word of an indexed language only ranks (``MAYBE``), as the
        embedded engine makes it optional ("Wang e Malta" finds the Swedish article too)."""
        parts, optional, run = [], [], []
        for child in children:
            if isinstance(child, Word) and child.field is None:
                run.append(child)
                continue
            if run:
                parts.append(self._words(run, optional))
                run = []
            parts.append(self.node(child))
        if run:
            parts.append(self._words(run, optional))
        parts = [part for part in parts if part]
        if not parts:
            parts, optional = optional, []
        if all(part.startswith("-") for part in parts):
            parts.insert(0, EVERY_DOCUMENT)  # Sphinx refuses a match with nothing but NOT
        required = " ".join(parts)
        return f"({required}) MAYBE ({' | '.join(optional)})" if optional else required

    def _words(self, run: list[Word], optional: list[str] | None = None) -> str:
        """Plain words, each also as the entity it begins to name (``Poutine`` → the articles on Putin);
        a stop word that names nothing goes to ``optional``, when given."""
        parts, i = [], 0
        while i < len(run):
            length, entities = self._entity_at(run, i)
            if not length and optional is not None and fold(run[i].text) in self.optional_words:
                optional.append(self._word(run[i].text, None, weak=True))
                i += 1
                continue
            literal = " ".join(self._word(w.text, None) for w in run[i:i + max(length, 1)])
            if entities:
                parts.append("((" + literal + ") | " + " | ".join(entities) + ")")
            else:
                parts.append(literal)
            i += max(length, 1)
        return " ".join(part for part in parts if part)

    def _entity_at(self, run: list[Word], start: int) -> tuple[int, list[str]]:
        if not self.expand_entities or self.knowledge is None:
            return 0, []
        for end in range(min(len(run), start + MAX_ENTITY_WORDS), start, -1):
            text = " ".join(word.text for word in run[start:end])
            typed = case_pattern(text)
            alternatives = []
            for name in self.knowledge.named(tokens_of(text)):
                if name.is_short or name.is_combining:
                    continue
                if any(rule == ALL_CAPS and seen != ALL_CAPS for rule, seen in zip(name.case, typed)):
                    continue
                if name.place:
                    alternatives += [self._phrase(place, None) for place in name.place
                                     if tokens_of(place) != tokens_of(text)]
                else:
                    self.highlight.entities.add((name.kind, name.value))
                    alternatives.append(_scoped("entities", value_token(name.kind, name.value)))
            if alternatives:
                return end - start, list(dict.fromkeys(alternatives))
        return 0, []

    def _word(self, text: str, field: str | None, weak: bool = False) -> str:
        tokens = [fold(word) for word, _, _, whole in words(text) if not whole]
        if not tokens:
            return ""
        if weak:  # marked only beside a marked word, as the embedded engine marks optional words
            self.highlight.weak.update(tokens)
            return _scoped(field, " ".join(_escape(t) for t in tokens))
        self.highlight.exact.update(tokens)
        for lang in STEMMED:
            if has_stemmer(lang):
                self.highlight.stems.setdefault(lang, set()).update(v for t in tokens for v in stem_variants(lang, t))
        if len(tokens) > 1 and field == "title":  # "Jean-Paul" in a title: the parts, in order
            return _scoped(field, '"' + " ".join(_escape(t) for t in tokens) + '"')
        if len(tokens) > 1:  # "Malta|Lavrov", "Jean-Paul": every part, as the embedded index's stemmed fields
            return _scoped(field, "(" + " ".join(_escape(t) for t in tokens) + ")")
        return _scoped(field, _escape(tokens[0]))

    def _phrase(self, text: str, field: str | None) -> str:
        tokens = [fold(word) for word, _, _, whole in words(text) if not whole]
        if not tokens:
            return ""
        self.highlight.phrases.add(tuple(tokens))
        return _scoped(field, '"' + " ".join(_escape(t) for t in tokens) + '"')

    def _field_value(self, node: FieldValue) -> str:
        if node.field == "lang":
            return _scoped("entities", value_token("lang", node.value.strip().lower()))
        value = self.knowledge.lookup(node.field, node.value) if self.knowledge else None
        value = value or node.value.strip()
        self.highlight.entities.add((node.field, value))
        return _scoped("entities", value_token(node.field, value))


def _scoped(field: str | None, expression: str) -> str:
    if not expression:
        return ""
    return f"@{field} {expression}" if field else f"@(title,body) {expression}"


def _escape(token: str) -> str:
    return _SPECIAL.sub(r"\\\1", token)


def _where(match: str | None, filters: dict, any_of: frozenset, exclude: dict, since, until) -> tuple[str, list]:
    """The WHERE clause of a search: its match, facet filters, exclusions and dates."""
    conditions, args = [], []
    excluded = [value_token(name, value) for name, values in exclude.items() for value in values]
    if excluded:
        match = f"{match or EVERY_DOCUMENT} " + " ".join(f"-@entities {token}" for token in excluded)
    if match:
        conditions.append("MATCH(%s)")
        args.append(match)
    for name, values in filters.items():
        if name == "year":  # one year each: several are any of them
            conditions.append(f"year IN ({', '.join(str(int(v)) for v in values if v.isdigit()) or '0'})")
            continue
        column = "lang_key" if name == "lang" else f"{name}_keys"
        keys = [value_key(name, value) for value in values]
        if name in any_of or name in ANY_OF:
            conditions.append(f"{column} IN ({', '.join(map(str, keys))})")
        else:
            conditions += [f"{column} = {key}" for key in keys]
    if since or until:
        low = date_number(since) if since else 1
        high = _end_of(until) if until else 99991231
        conditions.append(f"day BETWEEN {max(low, 1)} AND {high}")
    return ("WHERE " + " AND ".join(conditions)) if conditions else "", args


def _end_of(bound: str) -> int:
    """The last day a bound covers: ``2024`` → 20241231, ``2024-03`` → 20240331."""
    number = date_number(bound)
    if len(bound) == 4:
        return number + 1231
    if len(bound) == 7:
        return number + 31
    return number


def _select(cursor, statement: str, args: list, meta: bool = False):
    """(rows, [facet rows…], total found, warnings) of one SELECT; a node that did not answer is a warning.

    Every statement is followed by ``SHOW WARNINGS``: a node that did not answer any part of a search (its
    hits, its counts, its articles) is said in the notes of the cursor's search (``cursor.notes``), never
    left silent. The total costs one more round trip: asked for with ``meta`` only (else it is the rows read).
    """
    try:
        cursor.execute(statement, args or None)
        rows = list(cursor.fetchall())
        facet_rows = []
        while cursor.nextset():
            facet_rows.append(list(cursor.fetchall()))
        found = {}
        if meta:
            cursor.execute("SHOW META")
            found = dict(cursor.fetchall())
        cursor.execute("SHOW WARNINGS")
        warnings = [Note("the cluster answered in part: {warning}", warning=str(row[2])) for row in cursor.fetchall()]
        getattr(cursor, "notes", []).extend(warnings)
    except pymysql.MySQLError as error:
        message = str(error.args[-1]) if error.args else str(error)
        if "syntax" in message or "query" in message:
            raise QueryError(statement[:60], Note("the cluster cannot run it ({reason})", reason=message)) from None
        raise ClusterUnavailable(f"the cluster failed ({message})") from None
    return rows, facet_rows, int(found.get("total_found", len(rows))), warnings


class _ClusterSpelling:
    """The cluster's vocabulary as ``search/suggest.py`` reads a spelling table: candidates by shared
    deletes (one lookup on the ``deletes`` attribute of every node), their words and article counts."""

    def __init__(self, cursor) -> None:
        self.cursor = cursor
        self.words: dict[int, str] = {}
        self.documents: dict[int, int] = {}

    def candidates(self, word: str):
        rows, _, _, _ = _select(self.cursor, f"SELECT id, word, documents FROM {VOCABULARY} WHERE deletes IN "
                                             f"({', '.join(map(str, delete_hashes(word)))}) LIMIT {CANDIDATES} "
                                             f"OPTION max_matches={CANDIDATES}", [])
        for number, text, documents in rows:
            self.words[int(number)], self.documents[int(number)] = text, int(documents)
        return np.array([int(number) for number, _, _ in rows], dtype=np.int64)

    def word(self, number: int) -> str:
        return self.words[number]


def _contenders(counted: list, limit: int) -> list[int]:
    """The keys that can make a facet's first ``limit``: those counted at least as often as the last one."""
    counts = sorted((int(count) for _, count in counted), reverse=True)
    if not limit or not counts:
        return []
    least = counts[limit - 1] if limit <= len(counts) else 0
    return [int(key) for key, count in counted if int(count) >= least]


def _names(cursor, keys: list[int]) -> dict[int, str]:
    """Facet values by key (``rt_names``), for every facet at once: one lookup by id a thousand keys."""
    found: dict[int, str] = {}
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), 1000):
        part = wanted[start:start + 1000]
        rows, _, _, _ = _select(cursor, f"SELECT id, value FROM {NAMED} WHERE id IN ({', '.join(map(str, part))}) "
                                        f"LIMIT {len(part)} OPTION max_matches={len(part)}", [])
        found.update((int(key), value) for key, value in rows)
    return found


def _articles(cursor, numbers: list[int]) -> dict[int, dict]:
    """The articles as written (``rt_store``), by their numbers: only the page's, never in a sorter."""
    if not numbers:
        return {}
    rows, _, _, _ = _select(cursor, f"SELECT id, stored FROM {STORED} WHERE id IN ({', '.join(map(str, numbers))}) "
                                    f"LIMIT {len(numbers)} OPTION max_matches={len(numbers)}", [])
    return {int(number): json.loads(text) for number, text in rows}


def _metadata(stored: dict) -> dict:
    return {"id": stored.get("id") or stored.get("path", ""), "title": stored.get("title", ""),
            "lang": stored.get("lang", ""), "date": stored.get("date") or None, "url": stored.get("url"),
            "source": stored.get("source"), "path": stored.get("path"),
            **{facet: tuple(stored.get(facet, ())) for facet in ENTITY_FACETS}}


def _entity_mentions(stored: dict) -> tuple[EntityMentions, ...]:
    grouped = stored.get("entities", {})
    return tuple(EntityMentions(kind, value, is_new, tuple((s, e, t) for s, e, t in spans))
                 for kind in ENTITY_FACETS for value, is_new, spans in grouped.get(kind, ()))
