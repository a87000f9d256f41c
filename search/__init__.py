"""Corpus Search's public Python API: open an index, search it, read documents.

    >>> from search import open_engine
    >>> engine = open_engine(".corpus-search/index")            # doctest: +SKIP
    >>> result = engine.search("Wang Yi Malta", filters={"lang": ["it"]}, limit=5)  # doctest: +SKIP
    >>> [(hit.id, hit.title) for hit in result.hits]             # doctest: +SKIP

Everything the CLI and the web page do goes through `open_engine`, which
opens the backend the location names (`search.backend`): a folder is the
embedded Whoosh index, ``sphinx://HOST:PORT[,…]`` a Sphinx/Manticore
cluster. They add no query logic of their own.
"""
from index.errors import (CorpusNotFound, CorpusSearchError, IndexBusy, IndexDamaged, IndexNotFound, IndexOutdated,
                          WouldLoseDocuments)
from search.curation import EntityReport, MergeProposal
from index.sphinx_client import ClusterUnavailable
from search.backend import SearchBackend, open_engine
from search.engine import SORTS, DocumentNotFound, Engine
from search.facets import FACETS
from search.results import (FacetValue, Fragment, Hit, SearchResult, Segment, StoredArticle, fragments_to_html,
                            fragments_to_text)
from search.syntax import QueryError

__all__ = [
    "FACETS", "SORTS", "ClusterUnavailable", "CorpusNotFound", "EntityReport", "MergeProposal", "CorpusSearchError", "DocumentNotFound", "Engine", "FacetValue", "SearchBackend",
    "Fragment", "Hit", "IndexBusy", "IndexDamaged", "IndexNotFound", "IndexOutdated", "QueryError", "SearchResult", "Segment",
    "StoredArticle", "WouldLoseDocuments", "build_index", "fragments_to_html", "fragments_to_text", "open_engine",
]


def __getattr__(name: str):
    if name == "build_index":  # re-exported, and imported on first use: the API can build what it searches
        from index import build_index

        return build_index
    raise AttributeError(f"module 'search' has no attribute {name!r}")
