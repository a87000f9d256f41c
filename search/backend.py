"""The backend boundary: what a search backend does, and the one place that picks it.

The product's own logic is the same for every backend and lives outside it:
reading the corpus (``index/reader.py``), languages (``index/language.py``),
analysis choices (``index/analysis.py``: folding, stemmers, stop words),
entities (``index/entities.py``, the knowledge base), the query language and
its tree (``search/syntax.py``, with the checks of a page's arguments), facet
semantics (``search/facets.py``: all of, any of, not, dates, unknown values,
the timeline's years), snippets and marks (``search/highlight.py``),
did-you-mean (``search/suggest.py``), time budgets (``search/budget.py``) and
the result types (``search/results.py``). None of these imports Whoosh.

A backend is one writer and one searcher:

=================  ===========================================  =============================================
backend            writer (documents → index)                   searcher (`SearchBackend`)
=================  ===========================================  =============================================
Whoosh (embedded)  ``index/writer.py`` (postings made by         ``search/engine.py``, with its own
                   ``index/prepare.py``, ``index/schema.py``)    ``query.py``, ``whoosh_facets.py``,
                                                                 ``docsets.py``, ``postings.py``,
                                                                 ``scoring.py``, ``snapshot.py``
Sphinx/Manticore   ``index/sphinx_writer.py`` (nodes:             ``search/sphinx_engine.py``
                   ``index/sphinx_nodes.py``, shared names:
                   ``index/sphinx_client.py``)
=================  ===========================================  =============================================

`index.build_index` and `open_engine` choose by the location: a folder is
Whoosh, ``sphinx://HOST:PORT[,HOST:PORT…]`` the cluster. The CLI, the page
and the Python API only ever call these two and the methods below.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Mapping, Protocol

from search.curation import EntityReport
from search.engine import DEFAULT_VERIFIED_CACHE, SEARCH_TIMEOUT_S, Engine
from search.results import ExportRow, Hit, SearchResult, Segment, StoredArticle


class SearchBackend(Protocol):
    """What a searcher offers; every method is safe to call from many threads at once."""

    def search(self, query: str = "", *, filters: Mapping[str, Iterable[str]] | None = None, limit: int = 10,
               offset: int = 0, sort: str = "relevance", facet_limit: int = 10, expand_entities: bool = True,
               language: str = "en", since: str | None = None, until: str | None = None,
               any_of: Iterable[str] = (), exclude: Mapping[str, Iterable[str]] | None = None) -> SearchResult:
        """One page of hits, the total, facet counts over every hit, the timeline, notes, a suggestion."""

    def export(self, query: str = "", *, filters=None, expand_entities: bool = True, since=None, until=None,
               any_of=(), exclude=None) -> Iterator[ExportRow]:
        """Every matching article, newest first, as it is read."""

    def show(self, doc_id: str) -> StoredArticle:
        """One article as the index holds it (`search.DocumentNotFound` if none)."""

    def annotate(self, doc_id: str, query: str = "") -> tuple[Segment, ...]:
        """The article's text cut at the query's marks and the entities' mentions."""

    def similar(self, doc_id: str, limit: int = 5) -> tuple[Hit, ...]:
        """Articles like this one."""

    def suggest(self, query: str) -> str | None:
        """A corrected query that has results, or None."""

    def entity_report(self, limit: int = 20) -> EntityReport:
        """Frequent and unknown entities and merges, for curating the knowledge base."""

    def document_count(self) -> int: ...

    def close(self) -> None: ...

    def __enter__(self) -> "SearchBackend": ...

    def __exit__(self, *exc) -> None: ...


def open_engine(location: Path | str, timeout_s: float = SEARCH_TIMEOUT_S,
                verified_cache: Path | str | None = DEFAULT_VERIFIED_CACHE) -> SearchBackend:
    """Open the index at ``location`` for searching: a folder (the embedded Whoosh index), or a cluster,
    ``sphinx://HOST:PORT[,HOST:PORT…]`` (`search.sphinx_engine.SphinxEngine`, the same interface).

    A folder's files are checked against the checksums sealed with them, each file
    once: ``verified_cache`` remembers which (None: for this engine only).

    :raise IndexNotFound: if there is no index there (an empty cluster too: it is built on first use).
    :raise IndexOutdated: if it was built by an incompatible version.
    :raise ClusterUnavailable: if no node of a cluster answers.
    """
    from index.sphinx_client import is_cluster_location

    if is_cluster_location(location):
        from search.sphinx_engine import SphinxEngine

        return SphinxEngine(str(location), timeout_s)
    return Engine(location, timeout_s, verified_cache)


__all__ = ["SearchBackend", "open_engine"]
