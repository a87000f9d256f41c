"""The query engine: one object per index, safe for many threads at once.

Threads share one Whoosh searcher and take turns on it (a lock): Python runs
one thread at a time anyway, and one searcher maps the index files once,
where a searcher per thread mapped them again for each thread (2 GB resident
with 8 threads on 10,000 articles, against 85 MB). The searcher is refreshed
when a writer has committed and reopened when a rebuild has published a new
generation. Readers never block the writer and the writer never blocks
readers: a search sees the index as of its last commit.
"""
from __future__ import annotations

import functools
import threading
import time
from pathlib import Path
from typing import Iterable, Literal, Mapping

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import sorting
from whoosh.collectors import TimeLimit, TimeLimitCollector

from index import IndexNotFound, current_generation, current_name, has_stemmer, load_snapshot
from index.facetstore import load_store
from index.errors import CorpusSearchError
from index.schema import (DATE, ENTITIES, ENTITY_FACETS, EXACT, ID, LANG, TEXT, VALUE_SEPARATOR, stemmed_field,
                          unpack_json, unpack_text)
from search.curation import EntityReport, entity_report
from search.docsets import DocSets
from search.facets import DEFAULT_FACET_LIMIT, FACETS, count_facets, filter_query, normalize_filters
from search.highlight import annotate_text, marked_spans, snippet
from search.query import QueryCompiler
from search.results import EntityMentions, Hit, SearchResult, Segment, StoredArticle
from search.suggest import suggest_query
from search.syntax import QueryError, parse

Sort = Literal["relevance", "date"]
SORTS = ("relevance", "date")
# Undated documents sort last, then everything by id, so pages are stable.
NEWEST_FIRST = sorting.MultiFacet([sorting.FieldFacet(DATE, reverse=True), sorting.FieldFacet(ID)])
MAX_LIMIT = 10_000_000
MAX_SUGGEST_CHARS = 200
# Finding the top hits is stopped after this long; counting is bounded by design (numpy over masks).
SEARCH_TIMEOUT_S = 5.0
SIMILAR_TERMS = 15
SIMILAR_ENTITY_BOOST = 0.5  # effectively "all": a script may list the whole corpus


class DocumentNotFound(CorpusSearchError):
    def __init__(self, doc_id: str) -> None:
        self.doc_id = doc_id
        shown = doc_id if len(doc_id) <= 80 else doc_id[:77] + "..."
        super().__init__(f"no document with id {shown!r} in the index")


def _serialized(method):
    """Run an engine method holding the engine's lock: one search at a time on the one searcher."""

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return run


class Engine:
    """Searches one index folder (as written by ``index.build_index``)."""

    def __init__(self, index_dir: Path | str, timeout_s: float = SEARCH_TIMEOUT_S) -> None:
        self.index_dir = Path(index_dir)
        self.timeout_s = timeout_s
        current_generation(self.index_dir)  # fail now, clearly, if there is no usable index
        self._lock = threading.RLock()  # one search at a time on the one searcher
        self._state: tuple | None = None  # (generation name, Whoosh index, searcher)
        self._open: list = []  # every searcher opened, to close them all
        self._open_lock = threading.Lock()
        self._knowledge_lock = threading.Lock()
        self._docsets_lock = threading.Lock()
        self._docsets_of: tuple[tuple, DocSets] | None = None  # (index state, its doc sets)
        self._knowledge_of: tuple[str, object] | None = None  # (generation name, knowledge base)

    @_serialized
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
    ) -> SearchResult:
        """Run a query; an empty query lists every document the filters allow.

        With ``expand_entities`` (the default), words that name a known person,
        organization or country in any language also find the articles that
        mention it in another language, ranked below literal matches.
        ``language`` is the one country names are given in (facet labels).

        :raise QueryError: for a query over the size limits, an unknown facet,
            a negative limit or offset, or an unknown sort.
        """
        started = time.perf_counter()
        if limit < 0 or offset < 0 or facet_limit < 0:
            raise QueryError(query, "limit, offset and facet_limit must not be negative")
        if sort not in SORTS:
            raise QueryError(query, f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
        searcher = self._searcher()
        knowledge = self._knowledge() if query.strip() or set(filters or {}) - {LANG} else None
        filters = normalize_filters(filters, knowledge)
        tree = parse(query)
        compiler = QueryCompiler(searcher.reader(), self._languages(searcher), knowledge, expand_entities)
        compiled = compiler.compile(tree)
        notes = list(compiled.notes)
        restriction = filter_query(filters)
        final = compiled.query if restriction is None else wq.And([compiled.query, restriction])

        docsets = self._docsets(searcher)
        matched = docsets.mask(final, searcher)
        total = int(matched.sum())
        facets = count_facets(docsets, searcher.reader(), matched, facet_limit, language)
        hits = []
        wanted = min(offset + limit, MAX_LIMIT)
        if wanted > offset and total > offset:
            by_date = sort == "date" or compiled.is_match_all
            collector = TimeLimitCollector(
                searcher.collector(limit=wanted, sortedby=NEWEST_FIRST if by_date else None),
                timelimit=self.timeout_s,
                use_alarm=False,  # a timer thread: searches may run in any thread
            )
            try:
                searcher.search_with_collector(final, collector)
            except TimeLimit:
                notes.append(f"the search took over {self.timeout_s:g} s and was stopped: "
                             "the hits shown are those found by then (the total is exact)")
            results = collector.results()
            for result in results[offset:wanted]:
                stored = result.fields()
                entity_spans = _entity_spans(stored, compiled.highlight.entities)
                text = unpack_text(stored.get(TEXT))
                hits.append(Hit(
                    score=0.0 if by_date else float(result.score or 0.0),
                    snippet=snippet(text, stored.get(LANG, ""), compiled.highlight, entity_spans),
                    **_metadata(stored),
                ))
        return SearchResult(
            query=query,
            total=total,
            took_ms=(time.perf_counter() - started) * 1000,
            hits=tuple(hits),
            facets=facets,
            offset=offset,
            limit=limit,
            filters=filters,
            sort=sort,
            notes=tuple(notes),
        )

    @_serialized
    def show(self, doc_id: str) -> StoredArticle:
        """One document by id.

        :raise DocumentNotFound: if the index has no document with that id.
        """
        stored = self._searcher().document(id=doc_id)
        if stored is None:
            raise DocumentNotFound(doc_id)
        return StoredArticle(text=unpack_text(stored.get(TEXT)), entities=_entity_mentions(stored), **_metadata(stored))

    @_serialized
    def suggest(self, query: str) -> str | None:
        """A spelling correction of ``query`` from the index's vocabulary ("did you mean"), or None."""
        if len(query) > MAX_SUGGEST_CHARS:
            return None
        return suggest_query(self._searcher(), query)

    @_serialized
    def similar(self, doc_id: str, limit: int = 5) -> tuple[Hit, ...]:
        """Articles like ``doc_id``: its key terms, and the people, countries and organizations it names.

        Shared entities make articles in other languages count as similar too.
        :raise DocumentNotFound: if there is no such document.
        """
        searcher = self._searcher()
        docnum = searcher.document_number(id=doc_id)
        if docnum is None:
            raise DocumentNotFound(doc_id)
        stored = searcher.stored_fields(docnum)
        lang = stored.get(LANG, "")
        field = stemmed_field(lang) if has_stemmer(lang) else EXACT
        text = f"{stored.get('title', '')}\n{unpack_text(stored.get(TEXT))}"
        clauses = [wq.Term(field, term, boost=weight)
                   for term, weight in searcher.key_terms_from_text(field, text, numterms=SIMILAR_TERMS)]
        clauses += [wq.Term(kind, value, boost=SIMILAR_ENTITY_BOOST)
                    for kind in ENTITY_FACETS for value in _values(stored, kind)]
        if not clauses:
            return ()
        query = wq.AndNot(wq.Or(clauses), wq.Term(ID, doc_id))
        return tuple(
            Hit(score=float(result.score or 0.0), snippet=(), **_metadata(result.fields()))
            for result in searcher.search(query, limit=limit)
        )

    @_serialized
    def annotate(self, doc_id: str, query: str = "") -> tuple[Segment, ...]:
        """The article's text in segments: the query's words marked, entity mentions tagged.

        For an article page: every word the query matches (in any form) and
        every mention of a person, country or organization, without markup.
        :raise DocumentNotFound: if there is no such document.
        """
        article = self.show(doc_id)
        spans: list[tuple[int, int]] = []
        if query.strip():
            searcher = self._searcher()
            compiled = QueryCompiler(searcher.reader(), self._languages(searcher), self._knowledge()).compile(parse(query))
            spans = marked_spans(article.text, article.lang, compiled.highlight)
            wanted = compiled.highlight.entities
            spans += [(start, end) for e in article.entities if (e.kind, e.value) in wanted
                      for start, end, _ in e.mentions if start >= 0]
        mentions = [(start, end, e.kind, e.value) for e in article.entities for start, end, _ in e.mentions if start >= 0]
        return annotate_text(article.text, spans, mentions)

    @_serialized
    def entity_report(self, limit: int = 20) -> EntityReport:
        """Frequent and unknown entities and proposed merges, for curating the knowledge base."""
        searcher = self._searcher()
        return entity_report(searcher.all_stored_fields(), limit)

    @_serialized
    def document_count(self) -> int:
        return self._searcher().doc_count()

    def close(self) -> None:
        """Close every searcher this engine opened (call it when no thread is searching any more)."""
        with self._open_lock:
            searchers, self._open = self._open, []
        for searcher in searchers:
            searcher.close()
        self._state = None

    def __del__(self) -> None:
        if getattr(self, "_open", None):
            self.close()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _searcher(self):
        """The searcher, current with the last commit and generation (callers hold ``self._lock``)."""
        name = current_name(self.index_dir)
        state = self._state
        if state is not None and state[0] == name:
            _, ix, searcher = state
            if not searcher.up_to_date():
                # A fresh searcher, not searcher.refresh(): refresh() reuses the reader
                # of a segment whose deletions changed, and deleted documents come back.
                self._retire(searcher)
                searcher = self._track(ix.searcher())
                self._state = (name, ix, searcher)
            return searcher
        if state is not None:
            self._retire(state[2])
        generation = current_generation(self.index_dir)
        try:
            ix = whoosh_index.open_dir(str(generation.path))
        except (OSError, whoosh_index.EmptyIndexError):
            raise IndexNotFound(str(self.index_dir)) from None
        searcher = self._track(ix.searcher())
        self._state = (generation.path.name, ix, searcher)
        return searcher

    def _track(self, searcher):
        with self._open_lock:
            self._open.append(searcher)
        return searcher

    def _retire(self, searcher) -> None:
        with self._open_lock:
            if searcher in self._open:
                self._open.remove(searcher)
        searcher.close()

    def _docsets(self, searcher) -> DocSets:
        """The doc sets of the index state this searcher sees, shared by all threads."""
        reader = searcher.reader()
        state = (current_name(self.index_dir), reader.generation(), reader.doc_count_all(), reader.doc_count())
        with self._docsets_lock:
            if self._docsets_of is not None and self._docsets_of[0] == state:
                return self._docsets_of[1]
        docsets = DocSets(reader, load_store(self.index_dir / state[0], reader) if state[0] else None)
        with self._docsets_lock:
            self._docsets_of = (state, docsets)
        return docsets

    def _knowledge(self):
        """The knowledge base the current generation was built with, loaded once per generation."""
        name = current_name(self.index_dir)
        with self._knowledge_lock:
            if self._knowledge_of is None or self._knowledge_of[0] != name:
                self._knowledge_of = (name, load_snapshot(self.index_dir / (name or "")))
            return self._knowledge_of[1]

    @staticmethod
    def _languages(searcher) -> tuple[str, ...]:
        """The stemmed languages the index holds: only their fields are searched."""
        present = (term.decode("utf-8") if isinstance(term, bytes) else term for term in searcher.lexicon(LANG))
        return tuple(lang for lang in present if has_stemmer(lang))


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
    return tuple(value for value in packed.split(VALUE_SEPARATOR) if value)


def stored_entities(stored: dict) -> dict:
    """A document's entities with their mentions, as index.prepare.entity_fields stored them."""
    return unpack_json(stored.get(ENTITIES), {})


def _entity_mentions(stored: dict) -> tuple[EntityMentions, ...]:
    """The document's entities with their mentions, in facet order (see index.writer.entity_fields)."""
    grouped = stored_entities(stored)
    return tuple(
        EntityMentions(kind, value, is_new, tuple((start, end, text) for start, end, text in spans))
        for kind in ENTITY_FACETS
        for value, is_new, spans in grouped.get(kind, ())
    )


def _entity_spans(stored: dict, wanted: set[tuple[str, str]]) -> list[tuple[int, int]]:
    """Where the text mentions the entities a query asked for (body offsets only)."""
    if not wanted:
        return []
    grouped = stored_entities(stored)
    return [
        (start, end)
        for kind, value in wanted
        for entry_value, _, spans in grouped.get(kind, ())
        if entry_value == value
        for start, end, _ in spans
        if start >= 0
    ]


def open_engine(index_dir: Path | str, timeout_s: float = SEARCH_TIMEOUT_S) -> Engine:
    """Open the index at ``index_dir`` for searching.

    :raise IndexNotFound: if there is no index there.
    :raise IndexOutdated: if it was built by an incompatible version.
    """
    return Engine(index_dir, timeout_s)


__all__ = ["DocumentNotFound", "Engine", "FACETS", "SORTS", "open_engine"]
