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
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from index.schema import DATE, ENTITY_FACETS, LANG, facet_column

SEPARATOR = b"\x1f"
TERM_CACHE_SIZE = 4096


@dataclass(frozen=True)
class FacetTable:
    """A facet as a column store: the values, and (document, value id) for every value of every document."""

    values: tuple[str, ...]
    docs: np.ndarray  # int32: the document of each entry
    value_ids: np.ndarray  # int32: the value of each entry

    def count(self, mask: np.ndarray, limit: int) -> list[tuple[str, int]]:
        """The ``limit`` most frequent values among the documents in ``mask`` (ties: by value)."""
        if not len(self.values) or limit <= 0:
            return []
        counts = np.bincount(self.value_ids[mask[self.docs]], minlength=len(self.values))
        present = np.flatnonzero(counts)
        if len(present) > limit * 4:  # only sort the few that can make the top
            keep = np.argpartition(-counts[present], limit * 4)[: limit * 4]
            present = present[keep]
        ranked = sorted(((self.values[i], int(counts[i])) for i in present), key=lambda vc: (-vc[1], vc[0]))
        return ranked[:limit]


class DocSets:
    def __init__(self, reader) -> None:
        self.size = reader.doc_count_all()
        self._lock = threading.Lock()
        live = np.ones(self.size, dtype=bool)
        if reader.has_deletions():
            for docnum in range(self.size):
                if reader.is_deleted(docnum):
                    live[docnum] = False
        self.live = live
        self._terms: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._facets: dict[str, FacetTable] = {}

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
        """The column store of one facet (built on first use, from the index's columns)."""
        with self._lock:
            table = self._facets.get(name)
        if table is None:
            table = _facet_table(reader, name, self.size)
            with self._lock:
                self._facets[name] = table
        return table


def _facet_table(reader, name: str, size: int) -> FacetTable:
    ids: dict[str, int] = {}
    docs, value_ids = [], []
    if name in ENTITY_FACETS:
        column = reader.column_reader(facet_column(name))
        for docnum in range(size):
            packed = column[docnum]
            if packed:
                for value in packed.split(SEPARATOR):
                    docs.append(docnum)
                    value_ids.append(ids.setdefault(value.decode("utf-8"), len(ids)))
    else:
        column = reader.column_reader(DATE if name == "year" else LANG if name == LANG else name)
        for docnum in range(size):
            value = column[docnum]
            value = value[:4] if name == "year" else value
            if value:
                docs.append(docnum)
                value_ids.append(ids.setdefault(value, len(ids)))
    return FacetTable(tuple(ids), np.array(docs, dtype=np.int32), np.array(value_ids, dtype=np.int32))
