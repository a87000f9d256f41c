"""Whole posting lists and field lengths as numpy arrays, read block by block from Whoosh's segments.

Whoosh's matchers hand out one posting at a time, in Python (a few hundred
nanoseconds each, times 40,000 postings of a common word, times every field a
word is searched in). Counting and ranking here work on whole arrays, so this
module reads a term's postings a block at a time (Whoosh stores up to 128 per
block: one unpickle and one ``cumsum`` each) and a field's per-document
lengths from its length column in one slice.

This reads Whoosh's own segment format (``whoosh3`` codec, pinned in
setup.cfg). Where a matcher or column is of another kind, it falls back to
Whoosh's public, posting-at-a-time interface: slower, never wrong. A test
holds both paths equal.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from pickle import loads

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching import WrappingMatcher
from whoosh.util.numeric import _length_byte_cache

# Whoosh stores field lengths as one byte, decoded through this table.
_BYTE_TO_LENGTH = np.array(_length_byte_cache, dtype=np.float64)


@dataclass(frozen=True)
class Postings:
    """One term's postings: ascending document numbers and their weights (term frequency × field boost)."""

    docs: np.ndarray  # int32
    weights: np.ndarray  # float32

    @property
    def nbytes(self) -> int:
        return self.docs.nbytes + self.weights.nbytes


EMPTY = Postings(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))


def read_postings(reader, field: str, text) -> Postings:
    """Every posting of ``field:text`` across the reader's segments (deleted documents included)."""
    if field not in reader.schema:
        return EMPTY
    btext = reader.schema[field].to_bytes(text) if isinstance(text, str) else text
    docs, weights = [], []
    for segment, offset in reader.leaf_readers():
        if (field, btext) not in segment:
            continue
        matcher = segment.postings(field, btext)
        while isinstance(matcher, WrappingMatcher):  # deletions are masked by the caller (DocSets.live)
            matcher = matcher.child
        ids, ws = _blocks(matcher) if isinstance(matcher, W3LeafMatcher) else _one_by_one(matcher)
        docs.append(ids + offset)
        weights.append(ws)
    if not docs:
        return EMPTY
    return Postings(np.concatenate(docs).astype(np.int32), np.concatenate(weights).astype(np.float32))


def _blocks(matcher: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    ids, weights = [], []
    while matcher.is_active():
        raw = matcher._postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
        data = loads(zlib.decompress(raw) if matcher._compression else raw)
        count = matcher._blocklength
        block_ids = np.asarray(data[0], dtype=np.int64)
        ids.append(block_ids if matcher._byteids else np.cumsum(block_ids))
        w = data[1]
        if w is None or isinstance(w, float):  # Whoosh's shorthand for "all 1.0" and "all the same"
            weights.append(np.full(count, 1.0 if w is None else w, dtype=np.float32))
        else:
            weights.append(np.asarray(w, dtype=np.float32))
        matcher._next_block()
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(ids), np.concatenate(weights)


def _one_by_one(matcher) -> tuple[np.ndarray, np.ndarray]:
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32)


def read_lengths(reader, field: str) -> np.ndarray:
    """Every document's length in ``field`` (as Whoosh's scorer sees it: decoded from one byte), float64."""
    size = reader.doc_count_all()
    lengths = np.zeros(size, dtype=np.float64)
    for segment, offset in reader.leaf_readers():
        perdoc = getattr(segment, "_perdoc", None)
        if perdoc is None or not hasattr(perdoc, "_cached_reader"):  # not a whoosh3 segment: ask per document
            count = segment.doc_count_all()
            lengths[offset : offset + count] = [segment.doc_field_length(d, field, 0) or 0 for d in range(count)]
            continue
        column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
        if column is None:
            continue  # no document of this segment has the field: lengths stay 0
        raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
        lengths[offset : offset + len(raw)] = _BYTE_TO_LENGTH[raw]
    return lengths
