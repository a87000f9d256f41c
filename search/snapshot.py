"""One state of the index (a generation and a commit), shared by every thread that searches it.

Whoosh searchers keep file cursors, so one searcher must not serve two threads
at once; a lock around one shared searcher made the slowest request everyone's
latency. A `Snapshot` instead lends each search a searcher of its own from a
pool, opening a new one when all are busy (they are cheap: the files under
them are mapped once per process, see `index/mapped.py`), and takes it back
afterwards. No search waits for another.

Every searcher of a snapshot reads exactly the same commit (its table of
contents is read once), so the arrays built for it (doc sets, date order,
cached counts) hold for all of them. When the index changes, the engine makes
a new snapshot and retires this one: idle searchers close at once, busy ones
when their search ends.
"""
from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Iterator

from whoosh.index import TOC, FileIndex
from whoosh.searching import Searcher

from index import has_stemmer, load_query_knowledge
from index.facetstore import STORE_FILE, load_store
from index.knowledge import QUERY_SNAPSHOT_FILE, SNAPSHOT_FILE, QueryKnowledge
from index.schema import LANG
from index.mapped import MappedStorage
from index.merging import MERGES_FILE, Merges, load_merges
from index.spelling import SPELLING_DIR, SpellingTable, load_spelling
from index.store import META
from search.docsets import DocSets
from search.notes import Note

COUNTS_CACHE_SIZE = 64  # each holds a mask of one byte per document


def needed_for_searching(name: str) -> bool:
    """Whether no search can be answered right without this file of a generation.

    Segments and tables of contents hold the documents; the metadata, the
    knowledge snapshots and the merges say what the facets mean. The rest only
    saves time (the column store) or adds suggestions (the spelling table).
    """
    return name.endswith((".seg", ".toc")) or name in (META, SNAPSHOT_FILE, QUERY_SNAPSHOT_FILE, MERGES_FILE)


class Snapshot:
    def __init__(self, folder: Path, storage: MappedStorage, ix: FileIndex, toc_generation: int) -> None:
        self.folder = folder  # the generation folder
        self.storage = storage
        self.ix = ix
        self.toc = TOC.read(storage, ix.indexname, gen=toc_generation)
        self.key = (folder.name, self.toc.generation)
        self._lock = threading.Lock()
        self._idle: list[Searcher] = []
        self._busy = 0
        self._retired = False
        self._docsets: DocSets | None = None
        self._docsets_lock = threading.Lock()
        self._spelling: SpellingTable | None = None
        self._knowledge: QueryKnowledge | None = None
        self._merges: Merges | None = None
        self._languages: tuple[str, ...] | None = None
        self._answers: OrderedDict[tuple, object] = OrderedDict()
        self.damaged: frozenset[str] = frozenset()  # optional files found damaged: not read, said in notes

    @contextlib.contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """A searcher for this thread alone, for the duration of the block."""
        with self._lock:
            searcher = self._idle.pop() if self._idle else None
            self._busy += 1
        try:
            if searcher is None:
                searcher = self._open_searcher()
            yield searcher
        finally:
            with self._lock:
                self._busy -= 1
                keep = not self._retired and searcher is not None
                if keep:
                    self._idle.append(searcher)
            if not keep and searcher is not None:
                searcher.close()

    def _open_searcher(self) -> Searcher:
        # FileIndex._reader opens exactly this commit's segments (ix.searcher() would
        # read whatever table of contents is newest by then).
        reader = FileIndex._reader(self.storage, self.toc.schema, list(self.toc.segments), self.toc.generation)
        return Searcher(reader, fromindex=self.ix)

    def docsets(self, reader) -> DocSets:
        """The doc sets of this state: loaded from the saved column store, or built once."""
        docsets = self._docsets
        if docsets is None:
            with self._docsets_lock:  # the first search of a state builds them; later ones just read
                if self._docsets is None:
                    saved = None if STORE_FILE in self.damaged else load_store(self.folder, reader)
                    self._docsets = DocSets(reader, saved, self.merges())
                docsets = self._docsets
        return docsets

    def spelling(self) -> SpellingTable | None:
        """The generation's spelling table, read in place (None until the writer has saved one)."""
        if self._spelling is None and not any(name.startswith(f"{SPELLING_DIR}/") for name in self.damaged):
            self._spelling = load_spelling(self.folder)
        return self._spelling

    def knowledge(self) -> QueryKnowledge:
        """The knowledge this generation was built with, as queries need it (loaded on first use)."""
        if self._knowledge is None:
            self._knowledge = load_query_knowledge(self.folder)
        return self._knowledge

    def merges(self) -> Merges:
        """The discovered names this generation counts as one (see index/merging.py)."""
        if self._merges is None:
            self._merges = load_merges(self.folder)
        return self._merges

    def damage_notes(self, index_dir: Path) -> list[str]:
        """What every answer of this state should say about the damaged files it did without."""
        if not self.damaged:
            return []
        names = ", ".join(sorted(self.damaged))
        return [Note("part of the index is damaged ({names}): searching works without it, but more slowly or "
                     "without suggestions; repair it with: corpus-search index --repair --index {index}",
                     names=names, index=str(index_dir))]

    def languages(self, searcher) -> tuple[str, ...]:
        """The stemmed languages this state holds: only their fields are searched."""
        if self._languages is None:
            present = (t.decode("utf-8") if isinstance(t, bytes) else t for t in searcher.lexicon(LANG))
            self._languages = tuple(lang for lang in present if has_stemmer(lang))
        return self._languages

    def cached(self, key: tuple, compute: Callable[[], object], keep: Callable[[], bool] = lambda: True):
        """``compute()``, remembered for this state (answers that depend only on the index, like the home page).

        A value is remembered only if ``keep()`` says so after computing it (a partial answer is not).
        """
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        value = compute()
        if not keep():
            return value
        with self._lock:
            self._answers[key] = value
            if len(self._answers) > COUNTS_CACHE_SIZE:
                self._answers.popitem(last=False)
        return value

    def retire(self) -> None:
        """Close the idle searchers now, and the busy ones as they come back."""
        with self._lock:
            self._retired = True
            idle, self._idle = self._idle, []
        for searcher in idle:
            searcher.close()

    @property
    def searchers_open(self) -> int:
        with self._lock:
            return len(self._idle) + self._busy
