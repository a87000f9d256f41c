"""The spelling table: the index's vocabulary as symmetric deletes, so that "did you mean" is a few lookups.

A word within two edits of a typo shares with it a string obtained by deleting
at most two characters from each (the symmetric-delete idea of SymSpell,
Wolf Garbe, MIT). The writer computes, once per commit, every such delete of
every indexed word and stores their hashes sorted, next to the word each came
from; a suggestion then hashes the typo's own deletes and finds its candidates
with one binary search each, whatever the size of the vocabulary, instead of
walking the lexicon (16-39 s at 26,000 articles).

Deletes are taken from the first ``PREFIX_CHARS`` characters only (SymSpell's
prefix trick): edits after the prefix leave the prefixes equal, so nothing is
missed, and a word costs at most 29 entries whatever its length; candidates
are then checked by their true edit distance on the whole word.

Only words seen in at least ``MIN_DOCUMENTS`` articles of a large index are
kept: a word that one article in 100,000 has is usually itself a typo.

Files (in ``spelling/`` beside the generation's segments), all numpy arrays
read in place with ``mmap_mode``: ``keys.npy`` (uint32 hashes of the
deletes, sorted), ``entries.npy`` (int32 word of each key), ``offsets.npy``
(int64, where each word starts in ``words.bin``, UTF-8) and ``documents.npy``
(int32, how many articles have each word); and ``segments/``, each segment's
words and counts, so that the next table reads only the segments it has not
seen (an update's).
"""
from __future__ import annotations

import os
import shutil
import zlib
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.schema import EXACT

SPELLING_DIR = "spelling"
SEGMENTS_DIR = "segments"  # inside SPELLING_DIR: each segment's words and their article counts
MAX_EDITS = 2
PREFIX_CHARS = 7
MIN_WORD_CHARS = 3
MAX_WORD_CHARS = 40
LARGE_INDEX_DOCUMENTS = 1000  # from this size on, a word must be in two articles to be suggested
MIN_DOCUMENTS = 2


@dataclass(frozen=True)
class SpellingTable:
    """The arrays of one saved table (memory-mapped: only what a lookup touches is read)."""

    keys: np.ndarray
    entries: np.ndarray
    offsets: np.ndarray
    documents: np.ndarray
    words: memoryview

    def word(self, word_id: int) -> str:
        return bytes(self.words[self.offsets[word_id] : self.offsets[word_id + 1]]).decode("utf-8")

    def candidates(self, word: str) -> np.ndarray:
        """Ids of the words that share a delete with ``word`` (a superset of those within two edits)."""
        hashes = np.array(delete_hashes(word), dtype=np.uint32)
        starts = np.searchsorted(self.keys, hashes, side="left")
        stops = np.searchsorted(self.keys, hashes, side="right")
        if not (stops > starts).any():
            return np.zeros(0, dtype=np.int32)
        found = np.concatenate([self.entries[a:b] for a, b in zip(starts, stops) if b > a])
        return np.unique(found)


def delete_hashes(word: str) -> tuple[int, ...]:
    """The sorted hashes of the deletes of ``word``'s prefix: what a word and its typos share."""
    return tuple(sorted({_hash(d) for d in deletes(word[:PREFIX_CHARS], MAX_EDITS)}))


def deletes(word: str, edits: int) -> set[str]:
    """``word`` and every string made by deleting up to ``edits`` of its characters."""
    found = {word}
    frontier = {word}
    for _ in range(edits):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))} - found
        found |= frontier
    return found


def is_suggestible(word: str) -> bool:
    """A word worth offering as a correction: letters only, not too short or long."""
    return MIN_WORD_CHARS <= len(word) <= MAX_WORD_CHARS and word.isalpha()


def vocabulary(reader, cache: Path | None = None, keep: Path | None = None) -> dict[str, int]:
    """{folded word: articles that have it} of the ``exact`` field, segment by segment.

    A segment never changes once written, so its words and counts are kept in
    ``keep`` (one file per segment) and read from ``cache`` (the files the last
    table kept) when there: an update reads the lexicon of its new segments
    only, not of the whole index (3.4 s of a 100,000-article update).
    """
    counts: dict[str, int] = {}
    for segment in getattr(reader, "readers", None) or [reader]:
        if EXACT not in segment.schema:
            continue
        words, documents = _segment_vocabulary(segment, cache, keep)
        for word, n in zip(words, documents.tolist()):
            counts[word] = counts.get(word, 0) + n
    return counts


def _segment_vocabulary(segment, cache: Path | None, keep: Path | None) -> tuple[list[str], np.ndarray]:
    name = f"{segment.segment().segment_id()}.npz" if hasattr(segment, "segment") else None
    if name and cache and (cache / name).exists():
        try:
            with np.load(cache / name, allow_pickle=False) as data:
                text, documents = bytes(data["words"]).decode("utf-8"), data["documents"]
            words = text.split("\n") if text else []
            if len(words) == len(documents):
                _keep(keep, name, words, documents)
                return words, documents
        except (OSError, ValueError, KeyError, UnicodeDecodeError):
            pass  # damaged: read the segment again
    words, documents = [], []
    for term, info in segment.iter_field(EXACT):
        word = term.decode("utf-8") if isinstance(term, bytes) else term
        if is_suggestible(word):
            words.append(word)
            documents.append(info.doc_frequency())
    found = words, np.array(documents, dtype=np.int32)
    if name:
        _keep(keep, name, *found)
    return found


def _keep(folder: Path | None, name: str, words: list[str], documents: np.ndarray) -> None:
    if folder is not None:
        folder.mkdir(exist_ok=True)
        np.savez(folder / name, words=np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
                 documents=documents)


def build_spelling(folder: Path, reader) -> None:
    """Write the spelling table of the state ``reader`` sees into ``folder/spelling`` (atomically).

    The last table's deletes are kept for the words it had (an update adds a few thousand words to
    hundreds of thousands: 2.7 s of deletes at 100,000 articles otherwise).
    """
    tmp = folder / f".{SPELLING_DIR}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    counts = vocabulary(reader, cache=folder / SPELLING_DIR / SEGMENTS_DIR, keep=tmp / SEGMENTS_DIR)
    if reader.doc_count() >= LARGE_INDEX_DOCUMENTS:
        counts = {word: n for word, n in counts.items() if n >= MIN_DOCUMENTS}
    words = sorted(counts)
    encoded = [word.encode("utf-8") for word in words]
    offsets = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    keys, entries = _delete_keys(words, load_spelling(folder))
    np.save(tmp / "keys.npy", keys)
    np.save(tmp / "entries.npy", entries)
    np.save(tmp / "offsets.npy", offsets)
    np.save(tmp / "documents.npy", np.array([counts[w] for w in words], dtype=np.int32))
    (tmp / "words.bin").write_bytes(b"".join(encoded))
    for directory, _, names in os.walk(tmp):
        for name in names:
            with open(os.path.join(directory, name), "rb") as f:
                os.fsync(f.fileno())
    old = folder / f".{SPELLING_DIR}.old"
    shutil.rmtree(old, ignore_errors=True)
    if (folder / SPELLING_DIR).exists():
        (folder / SPELLING_DIR).rename(old)
    tmp.rename(folder / SPELLING_DIR)
    shutil.rmtree(old, ignore_errors=True)


def _delete_keys(words: list[str], previous: SpellingTable | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(hash of each delete, word it came from), sorted by hash; many words share a prefix: hashed once.

    The words of ``previous`` (the last table) keep their keys, renumbered; only new words are hashed.
    """
    kept_keys, kept_entries, known = np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int32), set()
    if previous is not None and len(previous.offsets) > 1:
        old = [previous.word(i) for i in range(len(previous.offsets) - 1)]
        number = {word: i for i, word in enumerate(words)}
        renumbered = np.array([number.get(word, -1) for word in old], dtype=np.int64)[previous.entries]
        alive = renumbered >= 0
        kept_keys, kept_entries, known = previous.keys[alive], renumbered[alive].astype(np.int32), set(old)
    hashes_of: dict[str, array] = {}
    keys, entries = array("I"), array("i")  # 4 bytes an entry: 5 million at 100,000 articles
    for word_id, word in enumerate(words):
        if word in known:
            continue
        prefix = word[:PREFIX_CHARS]
        hashes = hashes_of.get(prefix)
        if hashes is None:
            hashes = hashes_of[prefix] = array("I", sorted({_hash(d) for d in deletes(prefix, MAX_EDITS)}))
        keys.extend(hashes)
        entries.extend(array("i", [word_id]) * len(hashes))
    key_array = np.concatenate([kept_keys, np.frombuffer(keys, dtype=np.uint32) if keys else kept_keys[:0]])
    entry_array = np.concatenate([kept_entries, np.frombuffer(entries, dtype=np.int32) if entries else kept_entries[:0]])
    order = np.argsort(key_array, kind="stable")
    return key_array[order], entry_array[order]


def has_spelling(folder: Path) -> bool:
    return (folder / SPELLING_DIR / "words.bin").exists()


def load_spelling(folder: Path) -> SpellingTable | None:
    """The table saved in ``folder``, memory-mapped; None if there is none (an index from before it)."""
    path = folder / SPELLING_DIR
    try:
        arrays = [np.load(path / f"{name}.npy", mmap_mode="r") for name in ("keys", "entries", "offsets", "documents")]
        words = path / "words.bin"
        raw = np.memmap(words, dtype=np.uint8, mode="r") if words.stat().st_size else np.zeros(0, dtype=np.uint8)
    except (OSError, ValueError):
        return None
    return SpellingTable(*arrays, words=memoryview(raw))


def _hash(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


__all__ = ["SpellingTable", "build_spelling", "delete_hashes", "deletes", "has_spelling", "is_suggestible", "load_spelling"]
