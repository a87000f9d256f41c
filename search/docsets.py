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

from index.facetstore import ColumnStore, FacetTable, build_date_order, build_table

# Each cached mask is one byte per document: 512 of them are 50 MB at 100,000 articles.
TERM_CACHE_SIZE = 512


class DocSets:
    def __init__(self, reader, saved: ColumnStore | None = None) -> None:
        self.size = reader.doc_count_all()
        self._lock = threading.Lock()
        live = np.ones(self.size, dtype=bool)
        if reader.has_deletions():
            for docnum in range(self.size):
                if reader.is_deleted(docnum):
                    live[docnum] = False
        self.live = live
        self._terms: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
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

    def mask(self, query: wq.Query, searcher) -> np.ndarray:
        """The documents ``query`` matches, as a boolean mask over document numbers."""
        return self._eval(query, searcher) & self.live

    def is_current(self, reader) -> bool:
        return reader.doc_count_all() == self.size

    def _eval(self, q: wq.Query, searcher) -> np.ndarray:
        if isinstance(q, wq.Term):
            return self._term(searcher.reader(), q.fieldname, q.text)
        if isinstance(q, wq.Every):
            return np.ones(self.size, dtype=bool)
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return np.zeros(self.size, dtype=bool)
        if isinstance(q, wq.AndMaybe):
            return self._eval(q.a, searcher)
        if isinstance(q, wq.AndNot):
            return self._eval(q.a, searcher) & ~self._eval(q.b, searcher)
        if isinstance(q, wq.Not):
            return ~self._eval(q.query, searcher)
        if isinstance(q, wq.And):
            result = np.ones(self.size, dtype=bool)
            for sub in q.subqueries:
                result &= self._eval(sub, searcher)
            return result
        if isinstance(q, wq.Or):
            result = np.zeros(self.size, dtype=bool)
            for sub in q.subqueries:
                result |= self._eval(sub, searcher)
            return result
        # Phrases, prefixes and anything else: Whoosh finds them (positions are needed).
        result = np.zeros(self.size, dtype=bool)
        result[np.fromiter(searcher.docs_for_query(q), dtype=np.int64)] = True
        return result

    def _term(self, reader, field: str, text) -> np.ndarray:
        key = (field, text)
        with self._lock:
            cached = self._terms.get(key)
            if cached is not None:
                self._terms.move_to_end(key)
                return cached.copy()
        result = np.zeros(self.size, dtype=bool)
        if field in reader.schema and (field, text) in reader:
            result[np.fromiter(reader.postings(field, text).all_ids(), dtype=np.int64)] = True
        with self._lock:
            self._terms[key] = result
            if len(self._terms) > TERM_CACHE_SIZE:
                self._terms.popitem(last=False)
        return result.copy()

    def facet(self, reader, name: str) -> FacetTable:
        """The column store of one facet: saved by the writer, or built here on first use."""
        with self._lock:
            table = self._facets.get(name)
        if table is None:
            table = build_table(reader, name)
            with self._lock:
                self._facets[name] = table
        return table
