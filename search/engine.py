"""The query engine: one object per index, safe for many threads at once, none waiting for another.

Each search borrows a searcher of its own from the pool of the index state it
runs on (`search/snapshot.py`); the files under every searcher are mapped once
per process and read in place (`index/mapped.py`), so many searchers cost
little memory. A search sees the index as of the last commit when it starts:
the engine notices a commit or a rebuild on the next call and moves to a new
snapshot, while searches already running finish on the old one. Readers never
block the writer and the writer never blocks readers.

What depends only on the index state is computed once per state: the doc sets
and facet column store (`search/docsets.py`), the date order, and the answer to
the empty query (the home page). Anything that can be slow is bounded in time
and said in ``notes``.
"""
from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Iterable, Iterator, Literal, Mapping

from whoosh import query as wq
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.index import EmptyIndexError, FileIndex

from index import IndexNotFound, current_generation, current_name, has_stemmer
from index.errors import CorpusSearchError, IndexDamaged
from index.schema import (DATE, ENTITIES, ENTITY_FACETS, EXACT, ID, LANG, TEXT, VALUE_SEPARATOR,
                          from_keyword_term, stemmed_field)
from index.integrity import WHOOSH_DAMAGE_ERRORS, VerifiedFiles, default_cache_file, latest_commit, verify
from index.mapped import MappedStorage
from search.snapshot import needed_for_searching
from search.curation import EntityReport, entity_report
from search.budget import Budget
from index.merging import Merges
from search.facets import DEFAULT_FACET_LIMIT, FACETS, date_bound, normalize_filters, unknown_value_notes
from search.whoosh_facets import count_facets, date_range_query, facet_query, filter_query, timeline
from search.highlight import annotate_text, hit_marks, marked_spans
from search.notes import Note
from search.query import CompiledQuery, QueryCompiler
from search.results import EntityMentions, ExportRow, Hit, SearchResult, Segment, StoredArticle
from search.scoring import Unsupported, top_documents
from search.snapshot import Snapshot
from search.suggest import suggest_query
from search.syntax import SORTS, QueryError, check_page, page_notes, parse

Sort = Literal["relevance", "date"]
MAX_LIMIT = 10_000_000  # effectively "all": a script may list the whole corpus
MAX_SUGGEST_CHARS = 200
# A search stops after this long (expanding, counting, ranking, checking phrases) and says it was cut short.
SEARCH_TIMEOUT_S = 5.0
DEFAULT_VERIFIED_CACHE = "user cache"  # index.integrity.default_cache_file(), resolved when an engine opens
# Looking for a spelling correction that returns results stops after this long.
SUGGEST_BUDGET_S = 0.25
SIMILAR_TERMS = 15
SIMILAR_ENTITY_BOOST = 0.5
OPEN_RETRIES = 5  # a commit may delete the table of contents just read as newest: read again


class DocumentNotFound(CorpusSearchError):
    def __init__(self, doc_id: str) -> None:
        self.doc_id = doc_id
        shown = doc_id if len(doc_id) <= 80 else doc_id[:77] + "..."
        super().__init__(Note("no document with id {id!r} in the index", id=shown))


class Engine:
    """The embedded backend's searcher: one index folder (as written by ``index.build_index``).

    It implements `search.backend.SearchBackend`; open one with `search.open_engine`.
    """

    def __init__(self, index_dir: Path | str, timeout_s: float = SEARCH_TIMEOUT_S,
                 verified_cache: Path | str | None = DEFAULT_VERIFIED_CACHE) -> None:
        self.index_dir = Path(index_dir)
        self.timeout_s = timeout_s
        current_generation(self.index_dir)  # fail now, clearly, if there is no usable index
        self._snapshot: Snapshot | None = None
        self._storage: tuple[str, MappedStorage, FileIndex] | None = None  # (generation name, its files, its index)
        self._snapshot_lock = threading.Lock()  # held only while a new index state is opened
        if verified_cache == DEFAULT_VERIFIED_CACHE:
            verified_cache = default_cache_file()
        self._verified = VerifiedFiles(verified_cache)  # files found whole (see index/integrity.py)

    def search(
        self,
        query: str = "",
        *,
        filters: Mapping[str, Iterable[str]] | None = None,
        limit: int = 10,
        offset: int = 0,
        sort: Sort = "relevance",
        facet_limit: int = DEFAULT_FACET_LIMIT,
        expand_entities: bool = True,
        language: str = "en",
        since: str | None = None,
        until: str | None = None,
        any_of: Iterable[str] = (),
        exclude: Mapping[str, Iterable[str]] | None = None,
    ) -> SearchResult:
        """Run a query; an empty query lists every document the filters allow, newest first.

        With ``expand_entities`` (the default), words that name a known person,
        organization or country in any language also find the articles that
        mention it in another language, ranked below literal matches.
        ``language`` is the one country names are given in (facet labels).
        ``since`` and ``until`` (``2024``, ``2024-03`` or ``2024-03-15``, both
        included) keep the articles dated between them; undated ones are left out.
        Several values of a facet must all be mentioned, unless the facet is in
        ``any_of`` (any of them will do: its counts then leave its own filter
        out); ``exclude`` ({facet: values}) drops the articles with any of them.
        With no hits, ``suggestion`` is a corrected query that has some, or None.

        :raise QueryError: for a query over the size limits, an unknown facet,
            a negative limit or offset, or an unknown sort.
        """
        started = time.perf_counter()
        check_page(query, limit, offset, facet_limit, sort)
        tree = parse(query)
        since, until = date_bound(since, "since"), date_bound(until, "until")
        dates = date_range_query(since, until)
        budget = Budget.of(self.timeout_s)
        with self._reading() as (snapshot, searcher):
            knowledge, filters, exclude, compiled, final, docsets, notes = self._prepare(
                snapshot, searcher, query, tree, filters, dates, expand_entities, budget, any_of, exclude)
            merges = snapshot.merges()
            any_of = frozenset(name for name in any_of if name in filters)

            def restrict(inner: wq.Query, kept: dict = filters) -> wq.Query:
                """``inner`` under this search's filters (or ``kept`` of them), dates, any-of and exclusions."""
                return _restricted(inner, kept, merges, dates, any_of, exclude)

            def has_value(name: str, value: str) -> bool:
                return bool(docsets.mask(filter_query({name: (value,)}, merges), searcher).any())

            notes += unknown_value_notes(filters, has_value) + unknown_value_notes(exclude, has_value)

            def count():
                matched = docsets.mask(final, searcher, budget)
                reader = searcher.reader()
                own_masks = {  # an any-of facet is counted without its own filter
                    name: docsets.mask(restrict(compiled.query, {k: v for k, v in filters.items() if k != name}),
                                       searcher, budget)
                    for name in any_of}
                return (matched, int(matched.sum()), count_facets(docsets, reader, matched, facet_limit, language,
                                                                  knowledge, own_masks),
                        timeline(docsets, reader, matched))

            if compiled.is_match_all:  # the home page and filter-only browsing: the same for every visitor
                key = ("all", tuple(sorted(filters.items())), tuple(sorted(any_of)),
                       tuple(sorted(exclude.items())), since, until, facet_limit, language)
                matched, total, facets, years = snapshot.cached(key, count, keep=lambda: not budget.exceeded)
            else:
                matched, total, facets, years = count()
            wanted = min(offset + limit, MAX_LIMIT)
            hits: tuple[Hit, ...] = ()
            if wanted > offset and total > offset:
                if sort == "date" or compiled.is_match_all:
                    docnums = docsets.newest_first(searcher.reader(), matched, offset, wanted)
                    hits = tuple(self._hit(searcher.stored_fields(d), compiled, 0.0, budget) for d in docnums)
                else:
                    hits = self._top_hits(searcher, docsets, final, compiled, matched, offset, wanted, notes, budget)
            notes += page_notes(total, offset, limit, since, until)
            if budget.exceeded:
                notes.append(Note("the search took over {seconds:g} s and was cut short: only part of the query's "
                                  "words were looked up, so the results and the total may be incomplete",
                                  seconds=self.timeout_s))
            suggestion = None
            if total == 0 and query.strip() and not budget.exceeded:
                suggestion = self._suggestion(snapshot, searcher, query, restrict, knowledge, expand_entities, budget)
        return SearchResult(
            query=query,
            total=total,
            took_ms=(time.perf_counter() - started) * 1000,
            hits=hits,
            facets=facets,
            offset=offset,
            limit=limit,
            filters=filters,
            since=since,
            until=until,
            timeline=years,
            any_of=tuple(sorted(any_of)),
            exclude=exclude,
            sort=sort,
            notes=tuple(dict.fromkeys(notes)),  # an expansion cut in two fields is one note
            suggestion=suggestion,
        )

    def _prepare(self, snapshot: Snapshot, searcher, query: str, tree, filters, dates, expand_entities: bool,
                 budget: Budget, any_of: Iterable[str] = (), exclude=None):
        """What a search and an export share: (knowledge, filters, exclusions, compiled query, final query,
        doc sets, notes)."""
        knowledge = snapshot.knowledge() if query.strip() or set(filters or {}) - {LANG} or exclude else None
        merges = snapshot.merges()
        filters = normalize_filters(filters, knowledge, merges)
        exclude = normalize_filters(exclude, knowledge, merges)
        compiled = self._compile(snapshot, searcher, tree, knowledge, expand_entities, budget)
        notes = list(compiled.notes) + snapshot.damage_notes(self.index_dir)
        final = _restricted(compiled.query, filters, merges, dates, frozenset(any_of), exclude)
        docsets = snapshot.docsets(searcher.reader())
        return knowledge, filters, exclude, compiled, final, docsets, notes

    def export(self, query: str = "", *, filters: Mapping[str, Iterable[str]] | None = None,
               expand_entities: bool = True, since: str | None = None, until: str | None = None,
               any_of: Iterable[str] = (), exclude: Mapping[str, Iterable[str]] | None = None,
               batch: int = 500) -> Iterator[ExportRow]:
        """Every article the search would match, newest first (undated last), one `ExportRow` at a time.

        Rows are read from the index ``batch`` at a time as the caller consumes
        them: a 100,000-row export holds one batch in memory, never the set.
        Matching has the search's time limit; a cut match is a `QueryError`
        (an export must be whole, or say it is not).
        """
        tree = parse(query)
        dates = date_range_query(date_bound(since, "since"), date_bound(until, "until"))
        budget = Budget.of(self.timeout_s)
        with self._reading() as (snapshot, searcher):
            *_, final, docsets, _ = self._prepare(snapshot, searcher, query, tree, filters, dates, expand_entities,
                                                  budget, any_of, exclude)
            matched = docsets.mask(final, searcher, budget)
            if budget.exceeded:
                raise QueryError(query, Note("matching took over {seconds:g} s: narrow the query to export it",
                                             seconds=self.timeout_s))
            total = int(matched.sum())
            for start in range(0, total, batch):
                for docnum in docsets.newest_first(searcher.reader(), matched, start, start + batch):
                    yield ExportRow(**_metadata(searcher.stored_fields(docnum)))

    def _top_hits(self, searcher, docsets, final, compiled: CompiledQuery, matched, offset: int, wanted: int,
                  notes: list[str], budget: Budget) -> tuple[Hit, ...]:
        """The best-scoring hits ``offset:wanted`` among ``matched``: ranked in numpy, or by Whoosh if it must."""
        try:
            ranked = top_documents(searcher, docsets, compiled.query, matched, offset, wanted, budget)
        except Unsupported:
            return self._whoosh_top_hits(searcher, final, compiled, offset, wanted, notes, budget)
        return tuple(self._hit(searcher.stored_fields(docnum), compiled, score, budget) for docnum, score in ranked)

    def _whoosh_top_hits(self, searcher, final, compiled: CompiledQuery, offset: int, wanted: int,
                         notes: list[str], budget: Budget) -> tuple[Hit, ...]:
        """The best-scoring hits ``offset:wanted``, found by Whoosh within the time limit."""
        collector = TimeLimitCollector(
            searcher.collector(limit=wanted),
            timelimit=self.timeout_s,
            use_alarm=False,  # a timer thread: searches may run in any thread
        )
        try:
            searcher.search_with_collector(final, collector)
        except TimeLimit:
            notes.append(Note("the search took over {seconds:g} s and was stopped: the hits shown are those "
                              "found by then (the total is exact)", seconds=self.timeout_s))
        return tuple(self._hit(result.fields(), compiled, float(result.score or 0.0), budget)
                     for result in collector.results()[offset:wanted])

    @staticmethod
    def _hit(stored: dict, compiled: CompiledQuery, score: float, budget: Budget) -> Hit:
        passage, title_marks = hit_marks(stored.get(TEXT) or "", stored.get("title", ""), stored.get(LANG, ""),
                                         compiled.highlight, stored_entities(stored), look_further=not budget.spent())
        return Hit(score=score, snippet=passage, title_marks=title_marks, **_metadata(stored))

    def _suggestion(self, snapshot: Snapshot, searcher, query: str, restrict, knowledge,
                    expand_entities: bool, search_budget: Budget) -> str | None:
        """A rewrite of ``query`` with its unknown words corrected that returns results under the search's
        restrictions (``restrict(query)``: its filters, dates and exclusions).

        It gets at most ``SUGGEST_BUDGET_S`` of what is left of the search's own time limit.
        """
        if len(query) > MAX_SUGGEST_CHARS:
            return None
        docsets = snapshot.docsets(searcher.reader())
        budget = search_budget.part(SUGGEST_BUDGET_S)

        def matches(text: str, restricted: bool) -> bool:
            """Whether ``text`` finds anything (under the search's restrictions if ``restricted``); False once the
            budget is spent (a partial answer proves nothing)."""
            try:
                compiled = self._compile(snapshot, searcher, parse(text), knowledge, expand_entities, budget)
            except QueryError:
                return False
            found = docsets.mask(restrict(compiled.query) if restricted else compiled.query, searcher, budget).any()
            return bool(found) and not budget.exceeded

        return suggest_query(
            query, snapshot.spelling(),
            matches_alone=lambda word: matches(word, restricted=False),
            has_results=lambda text: matches(text, restricted=True),
            budget=budget,
        )

    def _compile(self, snapshot: Snapshot, searcher, tree, knowledge, expand_entities: bool = True,
                 budget: Budget | None = None) -> CompiledQuery:
        return QueryCompiler(searcher.reader(), snapshot.languages(searcher), knowledge,
                             expand_entities, budget, remember=snapshot.cached, merges=snapshot.merges()).compile(tree)

    def show(self, doc_id: str) -> StoredArticle:
        """One document by id.

        :raise DocumentNotFound: if the index has no document with that id.
        """
        with self._reading() as (snapshot, searcher):
            return _article(searcher, doc_id, snapshot.merges())

    def suggest(self, query: str) -> str | None:
        """A spelling correction of ``query`` that has results ("did you mean"), or None."""
        with self._reading() as (snapshot, searcher):
            return self._suggestion(snapshot, searcher, query, {}, snapshot.knowledge(), True)

    def similar(self, doc_id: str, limit: int = 5) -> tuple[Hit, ...]:
        """Articles like ``doc_id``: its key terms, and the people, countries and organizations it names.

        Shared entities make articles in other languages count as similar too.
        :raise DocumentNotFound: if there is no such document.
        """
        with self._reading() as (_, searcher):
            docnum = searcher.document_number(id=doc_id)
            if docnum is None:
                raise DocumentNotFound(doc_id)
            stored = searcher.stored_fields(docnum)
            lang = stored.get(LANG, "")
            field = stemmed_field(lang) if has_stemmer(lang) else EXACT
            text = f"{stored.get('title', '')}\n{stored.get(TEXT) or ''}"
            clauses = [wq.Term(field, term, boost=weight)
                       for term, weight in searcher.key_terms_from_text(field, text, numterms=SIMILAR_TERMS)]
            clauses += [facet_query(kind, value, boost=SIMILAR_ENTITY_BOOST)
                        for kind in ENTITY_FACETS for value in _values(stored, kind)]
            if not clauses:
                return ()
            query = wq.AndNot(wq.Or(clauses), wq.Term(ID, doc_id))
            return tuple(
                Hit(score=float(result.score or 0.0), snippet=(), **_metadata(result.fields()))
                for result in searcher.search(query, limit=limit)
            )

    def annotate(self, doc_id: str, query: str = "") -> tuple[Segment, ...]:
        """The article's text in segments: the query's words marked, entity mentions tagged.

        For an article page: every word the query matches (in any form) and
        every mention of a person, country or organization, without markup.
        :raise DocumentNotFound: if there is no such document.
        """
        with self._reading() as (snapshot, searcher):
            article = _article(searcher, doc_id, snapshot.merges())
            spans: list[tuple[int, int]] = []
            if query.strip():
                compiled = self._compile(snapshot, searcher, parse(query), snapshot.knowledge())
                spans = marked_spans(article.text, article.lang, compiled.highlight)
                wanted = compiled.highlight.entities
                spans += [(start, end) for e in article.entities if (e.kind, e.value) in wanted
                          for start, end, _ in e.mentions if start >= 0]
        mentions = [(start, end, e.kind, e.value) for e in article.entities for start, end, _ in e.mentions if start >= 0]
        return annotate_text(article.text, spans, mentions)

    def entity_report(self, limit: int = 20) -> EntityReport:
        """Frequent and unknown entities and proposed merges, for curating the knowledge base."""
        with self._reading() as (snapshot, searcher):
            return entity_report(searcher.all_stored_fields(), limit, snapshot.merges())

    def document_count(self) -> int:
        with self._reading() as (_, searcher):
            return searcher.doc_count()

    @property
    def searchers_open(self) -> int:
        """Searchers of the current index state, busy or idle (one per search running at once, at most)."""
        snapshot = self._snapshot
        return snapshot.searchers_open if snapshot else 0

    def close(self) -> None:
        """Close every searcher and file this engine opened (searches still running finish first)."""
        with self._snapshot_lock:
            snapshot, self._snapshot = self._snapshot, None
            storage, self._storage = self._storage, None
        if snapshot is not None:
            snapshot.retire()
        if storage is not None:
            storage[1].close()

    def __del__(self) -> None:
        if getattr(self, "_snapshot", None) is not None:
            self.close()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[tuple[Snapshot, object]]:
        """The current index state, and a searcher of it for this call alone."""
        snapshot = self._current()
        with snapshot.searcher() as searcher:
            yield snapshot, searcher

    def _current(self) -> Snapshot:
        """The snapshot of the last commit of the current generation, opened if it is new."""
        snapshot = self._snapshot
        if snapshot is not None and self._is_current(snapshot):
            return snapshot
        with self._snapshot_lock:  # one thread opens the new state; the others wait only for that
            snapshot = self._snapshot
            if snapshot is not None and self._is_current(snapshot):
                return snapshot
            fresh = self._open_snapshot()
            self._snapshot = fresh
        if snapshot is not None:
            snapshot.retire()
        return fresh

    def _is_current(self, snapshot: Snapshot) -> bool:
        return (current_name(self.index_dir) == snapshot.key[0]
                and snapshot.ix.latest_generation() == snapshot.key[1])

    def _open_snapshot(self) -> Snapshot:
        generation = current_generation(self.index_dir)  # IndexNotFound, IndexOutdated
        name = generation.path.name
        damaged = self._damaged_files(generation.path, latest_commit(generation.path))  # before Whoosh reads any
        if self._storage is None or self._storage[0] != name:
            storage = MappedStorage(str(generation.path))
            try:
                ix = FileIndex(storage)
                ix.latest_generation()
            except (OSError, EmptyIndexError):
                storage.close()
                raise IndexNotFound(str(self.index_dir)) from None
            except WHOOSH_DAMAGE_ERRORS as error:
                storage.close()
                raise IndexDamaged(str(self.index_dir), f"{name}: {type(error).__name__}: {error}") from None
            if self._storage is not None:
                self._storage[1].close()
            self._storage = (name, storage, ix)
        _, storage, ix = self._storage
        storage.forget_deleted()
        for _ in range(OPEN_RETRIES):
            try:
                snapshot = Snapshot(generation.path, storage, ix, ix.latest_generation())
                snapshot.damaged = damaged
                with snapshot.searcher():  # its segments open here: a damaged one is said now, in one line
                    return snapshot
            except OSError:
                continue
            except WHOOSH_DAMAGE_ERRORS as error:
                raise IndexDamaged(str(self.index_dir), f"{name}: {type(error).__name__}: {error}") from None
        raise IndexNotFound(str(self.index_dir))

    def _damaged_files(self, folder: Path, toc_generation: int) -> frozenset[str]:
        """The damaged files searching can do without; raise `IndexDamaged` for any other.

        Each file is checked against the checksums sealed with its commit, and
        read once per engine (segments never change once written).
        """
        damage = verify(folder, toc_generation, self._verified)
        for _ in range(OPEN_RETRIES):
            if not damage or latest_commit(folder) == toc_generation:
                break
            # A writer committed while the files were read (and rewrote the derived ones): check its commit.
            toc_generation = latest_commit(folder)
            damage = verify(folder, toc_generation, self._verified)
        self._verified.save()
        fatal = [item for item in damage if needed_for_searching(item.name)]
        if fatal:
            raise IndexDamaged(str(self.index_dir), f"{folder.name}/" + f"; {folder.name}/".join(map(str, fatal)))
        return frozenset(item.name for item in damage)


def _restricted(query: wq.Query, filters: dict, merges: Merges, dates: wq.Query | None = None,
                any_of: frozenset = frozenset(), exclude: dict | None = None) -> wq.Query:
    restrictions = [q for q in (filter_query(filters, merges, any_of, exclude), dates) if q is not None]
    return wq.And([query, *restrictions]) if restrictions else query


def _article(searcher, doc_id: str, merges: Merges) -> StoredArticle:
    stored = searcher.document(id=doc_id)
    if stored is None:
        raise DocumentNotFound(doc_id)
    return StoredArticle(text=stored.get(TEXT) or "", entities=_entity_mentions(stored, merges),
                         **_metadata(stored))


def _metadata(stored: dict) -> dict:
    """What a hit and an article share, from a document's stored fields."""
    return {
        "id": stored[ID],
        "title": stored.get("title", ""),
        "lang": stored.get(LANG, ""),
        "date": stored.get(DATE) or None,
        "url": stored.get("url"),
        "source": stored.get("source"),
        "path": stored.get("path"),
        **{facet: _values(stored, facet) for facet in ENTITY_FACETS},
    }


def _values(stored: dict, facet: str) -> tuple[str, ...]:
    packed = stored.get(facet) or ""
    return tuple(from_keyword_term(value) for value in packed.split(VALUE_SEPARATOR) if value)


def stored_entities(stored: dict) -> dict:
    """A document's entities with their mentions, as index.prepare.entity_fields stored them."""
    return stored.get(ENTITIES) or {}


def _entity_mentions(stored: dict, merges: Merges) -> tuple[EntityMentions, ...]:
    """The document's entities with their mentions, in facet order (see index.writer.entity_fields).

    A merged spelling shows as its group's value, as the facets count it.
    """
    grouped = stored_entities(stored)
    entities: dict[tuple[str, str], EntityMentions] = {}
    for kind in ENTITY_FACETS:
        for value, is_new, spans in grouped.get(kind, ()):
            key = (kind, merges.canonical(kind, value))
            mentions = tuple((start, end, text) for start, end, text in spans)
            if key in entities:
                previous = entities[key]
                mentions = tuple(sorted(previous.mentions + mentions))
                is_new = previous.is_new and is_new
            entities[key] = EntityMentions(kind, key[1], is_new, mentions)
    return tuple(entities.values())


__all__ = ["DocumentNotFound", "Engine", "FACETS", "SORTS"]
