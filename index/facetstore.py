"""The column store: every facet as (document, value id) pairs, and the date order, saved beside the index.

Counting facets over a result set is then one ``bincount`` (search/docsets.py),
and listing matches newest first is one gather over a precomputed order of
document numbers, never a sort per query. Building the store means reading
every document's columns (about half a second per 10,000 articles), so the
writer saves it after each commit and a searching process only loads it: a
cold `corpus-search` query stays fast.
"""
from __future__ import annotations

import heapq

import io
import itertools
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.merging import NO_MERGES, Merges
from index.schema import DATE, ENTITY_FACETS, FACET_FIELDS, ID, LANG, facet_column
from index.store import write_atomically

YEAR = "year"
FACET_NAMES = FACET_FIELDS + (YEAR,)
SEPARATOR = b"\x1f"
STORE_FILE = "facets.npz"
# What a damaged store raises (truncated: not a zip; zeroed or flipped: bad arrays): it is then rebuilt.
UNREADABLE_STORE = (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile)
_DIGITS = re.compile(r"([0-9]+)")


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
        if len(present) > limit:  # only sort the few that make the top: all above the limit-th count …
            kth = np.partition(counts[present], len(present) - limit)[len(present) - limit]
            above, tied = present[counts[present] > kth], present[counts[present] == kth]
            # … and of those tied with it, the first by name, whatever order the index holds them in
            present = list(above) + heapq.nsmallest(limit - len(above), tied, key=lambda i: self.values[i])
        ranked = sorted(((self.values[i], int(counts[i])) for i in present), key=lambda vc: (-vc[1], vc[0]))
        return ranked[:limit]


@dataclass(frozen=True)
class ColumnStore:
    """What one state of the index is counted and ordered with."""

    tables: dict[str, FacetTable]
    date_order: np.ndarray  # int32 document numbers: newest first, undated last, ties by id


def reader_state(reader) -> str:
    """What a store was built from: it is valid only for exactly this state of the index."""
    return f"{reader.generation()}:{reader.doc_count_all()}:{reader.doc_count()}"


def column_values(reader, field: str, default=""):
    """Every document's value of a column, as a list, segment by segment.

    Whoosh's multi-segment column reader leaves out the segments that have no
    file for the column (an update whose articles name nobody writes no
    ``person`` column), so its document offsets shift and it returns another
    document's value, or fails when no segment has one: here such a segment
    gives ``default`` for each of its documents.
    """
    values = []
    for leaf, _ in reader.leaf_readers():
        if leaf.has_column(field):
            column = leaf.column_reader(field)
            values.extend(column[docnum] for docnum in range(leaf.doc_count_all()))
        else:
            values.extend([default] * leaf.doc_count_all())
    return values


def build_table(reader, name: str) -> FacetTable:
    size = reader.doc_count_all()
    ids: dict[str, int] = {}
    docs, value_ids = [], []
    if name in ENTITY_FACETS:
        column = column_values(reader, facet_column(name), default=b"")
        for docnum in range(size):
            packed = column[docnum]
            if packed:
                for value in packed.split(SEPARATOR):
                    docs.append(docnum)
                    value_ids.append(ids.setdefault(value.decode("utf-8"), len(ids)))
    else:
        column = column_values(reader, DATE if name == YEAR else LANG)
        for docnum in range(size):
            value = column[docnum]
            value = value[:4] if name == YEAR else value
            if value:
                docs.append(docnum)
                value_ids.append(ids.setdefault(value, len(ids)))
    return FacetTable(tuple(ids), np.array(docs, dtype=np.int32), np.array(value_ids, dtype=np.int32))


def merged_table(table: FacetTable, merges: Merges, kind: str) -> FacetTable:
    """The table with every merged spelling counted as its group's value (an article with two counts once)."""
    if not merges.merges or not len(table.values):
        return table
    values: dict[str, int] = {}
    new_ids = np.array([values.setdefault(merges.canonical(kind, v), len(values)) for v in table.values], dtype=np.int64)
    keys = np.unique(table.docs.astype(np.int64) * len(values) + new_ids[table.value_ids])
    return FacetTable(tuple(values), (keys // len(values)).astype(np.int32), (keys % len(values)).astype(np.int32))


def value_counts(table: FacetTable) -> Counter:
    """Articles per value."""
    counts = np.bincount(table.value_ids, minlength=len(table.values))
    return Counter({value: int(n) for value, n in zip(table.values, counts) if n})


def build_date_order(reader) -> np.ndarray:
    """Every document number, newest first; undated documents last; equal dates in id order."""
    size = reader.doc_count_all()
    dates, ids = column_values(reader, DATE), column_values(reader, ID)
    keys = sorted(range(size), key=lambda docnum: natural_key(ids[docnum] or ""))
    keys.sort(key=lambda docnum: dates[docnum] or "", reverse=True)  # stable: ids stay in order; "" sorts last
    return np.array(keys, dtype=np.int32)


def natural_key(text: str) -> tuple:
    """Numbers inside ids compare as numbers: ``dice:1003`` before ``dice:10024``."""
    return tuple(int(part) if odd else part for odd, part in zip(itertools.cycle((False, True)), _DIGITS.split(text)))


def build_tables(reader) -> dict[str, FacetTable]:
    """Every facet's table as the documents hold it (no merges applied)."""
    return {name: build_table(reader, name) for name in FACET_NAMES}


def build_store(reader, merges: Merges = NO_MERGES, tables: dict[str, FacetTable] | None = None) -> ColumnStore:
    tables = tables or build_tables(reader)
    tables = {name: merged_table(table, merges, name) if name in ENTITY_FACETS else table
              for name, table in tables.items()}
    return ColumnStore(tables, build_date_order(reader))


def save_store(folder: Path, reader, merges: Merges = NO_MERGES, tables: dict[str, FacetTable] | None = None) -> None:
    store = build_store(reader, merges, tables)
    arrays = {"state": np.array(reader_state(reader)), "date_order": store.date_order}
    for name, table in store.tables.items():
        arrays[f"{name}.values"] = np.array(table.values, dtype=str)
        arrays[f"{name}.docs"] = table.docs
        arrays[f"{name}.ids"] = table.value_ids
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_atomically(folder / STORE_FILE, buffer.getvalue())


def store_is_current(folder: Path, reader) -> bool:
    """Whether the saved store was built from the state ``reader`` sees."""
    try:
        with open(folder / STORE_FILE, "rb") as f, np.load(f, allow_pickle=False) as data:
            return str(data["state"]) == reader_state(reader) and "date_order" in data
    except UNREADABLE_STORE:
        return False


def load_store(folder: Path, reader) -> ColumnStore | None:
    """The saved store, if it was built from the state ``reader`` sees; else None."""
    try:  # the file opened here, so that it is closed whatever np.load makes of it
        with open(folder / STORE_FILE, "rb") as f, np.load(f, allow_pickle=False) as data:
            if str(data["state"]) != reader_state(reader):
                return None
            tables = {
                name: FacetTable(tuple(data[f"{name}.values"].tolist()), data[f"{name}.docs"], data[f"{name}.ids"])
                for name in FACET_NAMES
            }
            return ColumnStore(tables, data["date_order"])
    except UNREADABLE_STORE:
        return None
