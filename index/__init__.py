"""Reading the corpus and writing the index: corpus → documents → analysis → index.

The rest of the project uses only what is exported here.
"""
from index.analysis import analyzer_for, exact_analyzer, fold, has_stemmer, stem_variants, stemmer_for, stop_words
from index.analysis import words as text_words
from index.errors import (CorpusNotFound, CorpusSearchError, IndexBusy, IndexNotFound, IndexOutdated,
                          WouldLoseDocuments)
from index.knowledge import (KnowledgeBase, KnowledgeError, QueryKnowledge, country_name, language_name,
                             load_knowledge, load_query_knowledge, load_snapshot)
from index.store import current_generation, current_name

__all__ = [
    "CorpusNotFound", "CorpusSearchError", "Document", "Extraction", "IndexBusy", "IndexNotFound", "IndexOutdated",
    "IndexReport", "KnowledgeBase", "KnowledgeError", "QueryKnowledge", "load_query_knowledge", "Mention", "Skipped", "analyzer_for", "build_index",
    "country_name", "current_generation", "current_name", "edit_distance", "exact_analyzer", "extract_entities",
    "fold", "has_stemmer", "language_name", "load_knowledge", "load_snapshot", "stem_variants", "stemmer_for",
    "stop_words", "text_words", "WouldLoseDocuments",
]


# Imported on first use: a process that only searches loads neither the
# writer (and its worker pool) nor the entity extractor nor the corpus reader.
_LAZY = {"build_index": "writer", "IndexReport": "writer", "Extraction": "entities", "Mention": "entities",
         "edit_distance": "entities", "extract_entities": "entities", "Document": "reader", "Skipped": "reader"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"index.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'index' has no attribute {name!r}")
