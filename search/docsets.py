"""Counting without walking postings in Python: matched documents as numpy masks, facets as arrays.

Whoosh finds the top hits well (it scores only what can enter the top k),
but counting every match and every facet value means visiting every matching
posting, in Python, for every query: the cost grows with the corpus. Here a
query tree is evaluated as boolean algebra over cached per-term document
masks (numpy), and facets are counted with one ``bincount`` over per-document
value ids (a column store), whatever the number of matches.

One `DocSets` belongs to one state of the index (shared by every thread that
searches it); it is rebuilt when the index changes. It holds arrays only:
each call reads postings through the calling thread's own searcher.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from whoosh import query as wq

from index.facetstore import ColumnStore, FacetTable, build_date_order, build_table, merged_table
from index.merging import NO_MERGES, Merges
from search.budget import Budget
from search.postings import Postings, read_lengths, read_postings

# Postings kept in memory for the next query, by size (a word of 40,000 articles is 320 KB):
# a search process stays well under its memory budget whatever the corpus.
POSTINGS_CACHE_BYTES = 32 * 1024 * 1024  # per worker process
PHRASE_CACHE_SIZE = 64  # phrase masks, one byte per document each


class DocSets:
    def __init__(self, reader, saved: ColumnStore | None = None, merges: Merges = NO_MERGES) -> None:
        self.size = reader.doc_count_all()
        self.merges = merges  # applied to a facet table built here (a saved store has them applied)
        self._lock = threading.Lock()
        live = np.ones(self.size, dtype=bool)
        if reader.has_deletions():
            for docnum in range(self.size):
                if reader.is_deleted(docnum):
                    live[docnum] = False
        self.live = live
        self._postings: OrderedDict[tuple[str, object], Postings] = OrderedDict()
        self._postings_bytes = 0
        self._lengths: dict[str, np.ndarray] = {}
        self._phrases: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._facets: dict[str, FacetTable] = dict(saved.tables) if saved else {}
        self._date_order: np.ndarray | None = saved.date_order if saved else None

    def newest_first(self, reader, mask: np.ndarray, start: int, stop: int) -> list[int]:
        """Document numbers ``start:stop`` of the documents in ``mask``, newest first (undated last)."""
        order = self._date_order
        if order is None:  # no saved store for this state: build the order once
            order = build_date_order(reader)
            with self._lock:
                self._date_order = order
        return order[mask[order]][start:stop].tolist()

    def mask(self, query: wq.Query, searcher, budget: Budget | None = None) -> np.ndarray:
        """The documents ``query`` matches, as a boolean mask over document numbers.

        Once ``budget`` runs out, the terms not read yet count as matching
        nothing, and the budget says so (``budget.exceeded``).
        """
        return self._eval(query, searcher, budget or Budget.unlimited()) & self.live

    def _eval(self, q: wq.Query, searcher, budget: Budget) -> np.ndarray:
        if isinstance(q, wq.Term):
            if budget.spent():
                return np.zeros(self.size, dtype=bool)
            return self._term(searcher.reader(), q.fieldname, q.text)
        if isinstance(q, wq.Every):
            return np.ones(self.size, dtype=bool)
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return np.zeros(self.size, dtype=bool)
        if isinstance(q, wq.AndMaybe):
            return self._eval(q.a, searcher, budget)
        if isinstance(q, wq.AndNot):
            return self._eval(q.a, searcher, budget) & ~self._eval(q.b, searcher, budget)
        if isinstance(q, wq.Not):
            return ~self._eval(q.query, searcher, budget)
        if isinstance(q, wq.And):
            result = np.ones(self.size, dtype=bool)
            for sub in q.subqueries:
                result &= self._eval(sub, searcher, budget)
            return result
        if isinstance(q, wq.Or):
            result = np.zeros(self.size, dtype=bool)
            for sub in q.subqueries:
                result |= self._eval(sub, searcher, budget)
            return result
        if isinstance(q, wq.Phrase):
            return np.zeros(self.size, dtype=bool) if budget.spent() else self.phrase_mask(q, searcher, budget)
        # Prefixes and anything else: Whoosh finds them.
        result = np.zeros(self.size, dtype=bool)
        result[np.fromiter(searcher.docs_for_query(q), dtype=np.int64)] = True
        return result

    def _term(self, reader, field: str, text) -> np.ndarray:
        result = np.zeros(self.size, dtype=bool)
        result[self.postings(reader, field, text).docs] = True
        return result

    def postings(self, reader, field: str, text) -> Postings:
        """A term's postings as arrays, from the cache or read once (see `search/postings.py`)."""
        key = (field, text)
        with self._lock:
            cached = self._postings.get(key)
            if cached is not None:
                self._postings.move_to_end(key)
                return cached
        postings = read_postings(reader, field, text)
        with self._lock:
            if key not in self._postings:
                self._postings[key] = postings
                self._postings_bytes += postings.nbytes
            while self._postings_bytes > POSTINGS_CACHE_BYTES and len(self._postings) > 1:
                _, dropped = self._postings.popitem(last=False)
                self._postings_bytes -= dropped.nbytes
        return postings

    def lengths(self, reader, field: str) -> np.ndarray:
        """Every document's length in ``field``, as Whoosh's BM25F sees it (read once per index state)."""
        return self._once(self._lengths, field, lambda: read_lengths(reader, field))

    def phrase_mask(self, phrase: wq.Phrase, searcher, budget: Budget | None = None) -> np.ndarray:
        """The documents where the phrase's words stand next to each other, in order.

        Only the documents that have every word are checked (numpy finds them),
        each by reading the words' positions in that document alone, with the
        posting readers moving forward block by block: a phrase of common
        words no longer walks every posting of "di" in the corpus. Past the
        ``budget``, the documents not checked yet count as not matching.
        """
        budget = budget or Budget.unlimited()
        key = ("phrase", phrase.fieldname, tuple(phrase.words))
        with self._lock:
            cached = self._phrases.get(key)
        if cached is not None:
            return cached
        reader = searcher.reader()
        candidates = self.live.copy()
        for word in phrase.words:
            candidates &= self._term(reader, phrase.fieldname, word)
        result = np.zeros(self.size, dtype=bool)
        docnums = np.flatnonzero(candidates)
        if len(docnums):
            matchers = [reader.postings(phrase.fieldname, word) for word in phrase.words]
            for checked, docnum in enumerate(docnums.tolist()):
                if checked % 256 == 255 and budget.spent():
                    break
                positions = []
                for matcher in matchers:
                    if matcher.is_active() and matcher.id() < docnum:
                        matcher.skip_to(docnum)
                    if not matcher.is_active() or matcher.id() != docnum:
                        break
                    positions.append(matcher.value_as("positions"))
                else:
                    result[docnum] = _in_order(positions)
        if budget.exceeded:
            return result  # partial: not remembered
        with self._lock:
            self._phrases[key] = result
            if len(self._phrases) > PHRASE_CACHE_SIZE:
                self._phrases.popitem(last=False)
        return result

    def facet(self, reader, name: str) -> FacetTable:
        """The column store of one facet: saved by the writer, or built here on first use."""
        return self._once(self._facets, name, lambda: merged_table(build_table(reader, name), self.merges, name))

    def _once(self, cache: dict, key, build):
        """``cache[key]``, built on first use (two threads may both build it: the same value, no waiting)."""
        with self._lock:
            value = cache.get(key)
        if value is None:
            value = build()
            with self._lock:
                cache.setdefault(key, value)
        return value


def _in_order(positions: list) -> bool:
    """Whether some position of the first word is followed by the second word, then the third, …"""
    later = [set(p) for p in positions[1:]]
    return any(all(start + i + 1 in seen for i, seen in enumerate(later)) for start in positions[0])
