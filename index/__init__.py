"""Reading the corpus and writing the index: corpus → documents → analysis → index.

The rest of the project uses only what is exported here. The writer (and the
worker pool behind it) is imported on first use, so that a process that only
searches does not pay for it.
"""
from index.analysis import analyzer_for, exact_analyzer, fold, has_stemmer, stem_variants, stemmer_for, stop_words
from index.analysis import words as text_words
from index.entities import Extraction, Mention, edit_distance, extract_entities
from index.errors import CorpusNotFound, CorpusSearchError, IndexBusy, IndexNotFound, IndexOutdated
from index.knowledge import (KnowledgeBase, KnowledgeError, country_name, language_name, load_knowledge,
                             load_snapshot)
from index.reader import Document, Skipped
from index.store import current_generation, current_name

__all__ = [
    "CorpusNotFound", "CorpusSearchError", "Document", "Extraction", "IndexBusy", "IndexNotFound", "IndexOutdated",
    "IndexReport", "KnowledgeBase", "KnowledgeError", "Mention", "Skipped", "analyzer_for", "build_index",
    "country_name", "current_generation", "current_name", "edit_distance", "exact_analyzer", "extract_entities",
    "fold", "has_stemmer", "language_name", "load_knowledge", "load_snapshot", "stem_variants", "stemmer_for",
    "stop_words", "text_words",
]


def __getattr__(name: str):
    if name in ("build_index", "IndexReport"):
        from index import writer

        return getattr(writer, name)
    raise AttributeError(f"module 'index' has no attribute {name!r}")
