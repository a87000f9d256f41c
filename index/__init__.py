"""Reading the corpus and writing the index: corpus → documents → analysis → index.

The rest of the project uses only what is exported here.
"""
from index.analysis import words as text_words
from index.analysis import analyzer_for, exact_analyzer, fold, has_stemmer, stem_variants, stemmer_for, stop_words
from index.entities import Extraction, Mention, edit_distance, extract_entities
from index.knowledge import (KnowledgeBase, KnowledgeError, country_name, language_name, load_knowledge,
                             load_snapshot)
from index.errors import CorpusNotFound, CorpusSearchError, IndexBusy, IndexNotFound, IndexOutdated
from index.reader import Document, Skipped
from index.store import current_generation, current_name
from index.writer import IndexReport, build_index

__all__ = [
    "CorpusNotFound", "CorpusSearchError", "Document", "IndexBusy", "IndexNotFound", "IndexOutdated",
    "IndexReport", "Skipped", "analyzer_for", "build_index", "current_generation", "current_name",
    "Extraction", "edit_distance", "KnowledgeBase", "KnowledgeError", "Mention", "country_name", "language_name", "extract_entities", "load_knowledge", "load_snapshot",
    "exact_analyzer", "text_words", "fold", "has_stemmer", "stem_variants", "stemmer_for", "stop_words",
]
