"""The facet column store: for every facet, (document, value id) pairs, saved beside the index.

Counting facets over a result set is then one ``bincount`` (search/docsets.py).
Building the store means reading every document's facet columns (about half a
second per 10,000 articles), so the writer saves it after each commit and a
searching process only loads it: a cold `corpus-search` query stays fast.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.schema import DATE, ENTITY_FACETS, FACET_FIELDS, LANG, facet_column

YEAR = "year"
FACET_NAMES = FACET_FIELDS + (YEAR,)
SEPARATOR = b"\x1f"
STORE_FILE = "facets.npz"


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


def reader_state(reader) -> str:
    """What a store was built from: it is valid only for exactly this state of the index."""
    return f"{reader.generation()}:{reader.doc_count_all()}:{reader.doc_count()}"


def build_table(reader, name: str) -> FacetTable:
    size = reader.doc_count_all()
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
        column = reader.column_reader(DATE if name == YEAR else LANG)
        for docnum in range(size):
            value = column[docnum]
            value = value[:4] if name == YEAR else value
            if value:
                docs.append(docnum)
                value_ids.append(ids.setdefault(value, len(ids)))
    return FacetTable(tuple(ids), np.array(docs, dtype=np.int32), np.array(value_ids, dtype=np.int32))


def save_store(folder: Path, reader) -> None:
    arrays = {"state": np.array(reader_state(reader))}
    for name in FACET_NAMES:
        table = build_table(reader, name)
        arrays[f"{name}.values"] = np.array(table.values, dtype=str)
        arrays[f"{name}.docs"] = table.docs
        arrays[f"{name}.ids"] = table.value_ids
    tmp = folder / f".{STORE_FILE}.tmp.npz"
    np.savez(tmp, **arrays)
    tmp.replace(folder / STORE_FILE)


def load_store(folder: Path, reader) -> dict[str, FacetTable] | None:
    """The saved tables, if they were built from the state ``reader`` sees; else None."""
    try:
        with np.load(folder / STORE_FILE, allow_pickle=False) as data:
            if str(data["state"]) != reader_state(reader):
                return None
            return {
                name: FacetTable(tuple(data[f"{name}.values"].tolist()), data[f"{name}.docs"], data[f"{name}.ids"])
                for name in FACET_NAMES
            }
    except (OSError, KeyError, ValueError):
        return None
