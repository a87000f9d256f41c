"""Where an index lives on disk, and how a new one replaces the old atomically.

An index folder holds one or more *generations* (complete Whoosh indexes in
``gen-*`` subfolders) and a file ``CURRENT`` naming the one in use. A rebuild
writes a new generation beside the old one and then replaces ``CURRENT`` with
one ``os.replace``: a reader sees the old index or the new one, never half of
either, and a crash before that instant leaves the old index as it was.
Incremental updates go into the current generation through Whoosh's own
commit, which swaps its table of contents the same way.

Writers serialize on ``WRITELOCK``, a POSIX record lock (``lockf``): the
kernel releases it when the writer's process dies, however it dies, and unlike
``flock`` it is not inherited by the worker processes the writer forks, so an
orphaned worker cannot keep a dead writer's lock: no stale lock can outlive
its process.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from index.errors import IndexBusy, IndexDamaged, IndexNotFound, IndexOutdated
from index.schema import ANALYSIS_VERSION

CURRENT = "CURRENT"
WRITELOCK = "WRITELOCK"
META = "corpus-search.json"
GENERATION_PREFIX = "gen-"


@dataclass(frozen=True)
class Generation:
    path: Path
    meta: dict


def current_generation(index_dir: Path) -> Generation:
    """The generation readers should use; raises `IndexNotFound`, `IndexOutdated` or `IndexDamaged`.

    A generation whose metadata cannot be read is damaged, not missing: a
    search must not take it for "no index yet" and build over it.
    """
    try:
        name = (index_dir / CURRENT).read_text().strip()
    except (OSError, ValueError):
        raise IndexNotFound(str(index_dir)) from None
    if not name.startswith(GENERATION_PREFIX) or "/" in name:
        raise IndexNotFound(str(index_dir))
    try:
        meta = json.loads((index_dir / name / META).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexNotFound(str(index_dir)) from None
    except (OSError, ValueError):
        raise IndexDamaged(str(index_dir), f"{name}/{META}: unreadable") from None
    if not isinstance(meta, dict):
        raise IndexDamaged(str(index_dir), f"{name}/{META}: unreadable")
    if meta.get("analysis_version") != ANALYSIS_VERSION:
        raise IndexOutdated(str(index_dir), meta.get("analysis_version"), ANALYSIS_VERSION)
    return Generation(index_dir / name, meta)


def latest_generation(index_dir: Path) -> tuple[Generation | None, bool]:
    """(the generation the index holds, whether ``CURRENT`` names it), whatever its version.

    When ``CURRENT`` is missing, emptied or names nothing readable, the newest
    generation folder with its metadata: what a rebuild would throw away.
    """
    name = current_name(index_dir) or ""
    candidates = [index_dir / name] if name.startswith(GENERATION_PREFIX) and "/" not in name else []
    try:
        candidates += sorted((p for p in index_dir.iterdir() if p.is_dir() and p.name.startswith(GENERATION_PREFIX)),
                             key=lambda p: p.name, reverse=True)
    except OSError:
        pass
    for number, path in enumerate(candidates):
        try:
            meta = json.loads((path / META).read_text())
        except (OSError, ValueError):
            continue
        return Generation(path, meta), number == 0 and path.name == name
    return None, False


def current_name(index_dir: Path) -> str | None:
    """The name in ``CURRENT`` (cheap: readers call it to notice a rebuild)."""
    try:
        return (index_dir / CURRENT).read_text().strip()
    except OSError:
        return None


def new_generation(index_dir: Path, corpus_dir: Path, knowledge: str = "") -> Generation:
    """A fresh, empty generation folder, not yet visible to readers."""
    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"{GENERATION_PREFIX}{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
    path = index_dir / name
    path.mkdir()
    meta = {
        "analysis_version": ANALYSIS_VERSION,
        "corpus": str(corpus_dir.resolve()),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "knowledge": knowledge,  # fingerprint of the knowledge files the entities came from
    }
    write_atomically(path / META, json.dumps(meta, indent=2))
    return Generation(path, meta)


def publish(index_dir: Path, generation: Generation) -> None:
    """Make ``generation`` the one readers open, then drop all but the previous one.

    The previous generation is kept so that searches already running on it can finish.
    """
    previous = current_name(index_dir)
    write_atomically(index_dir / CURRENT, generation.path.name + "\n")
    keep = {generation.path.name, previous}
    for child in index_dir.iterdir():
        if child.is_dir() and child.name.startswith(GENERATION_PREFIX) and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)


def remove_abandoned(index_dir: Path) -> list[str]:
    """Remove generations a killed indexer left half-built; return their names. Call with the write lock held.

    They are the folders newer than the current one: a finished build is
    published as current at once, and only a writer (holding the lock) makes
    new ones. Older folders are left alone (the previous generation serves
    searches still running on it).
    """
    current = current_name(index_dir) or ""
    if not current.startswith(GENERATION_PREFIX):
        return []  # no trustworthy reference point: touch nothing
    removed = []
    for child in index_dir.iterdir():
        if child.is_dir() and child.name.startswith(GENERATION_PREFIX) and child.name > current:
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child.name)
    return removed


def discard(generation: Generation) -> None:
    shutil.rmtree(generation.path, ignore_errors=True)


@contextlib.contextmanager
def write_lock(index_dir: Path, wait_s: float) -> Iterator[None]:
    """Hold the index's write lock, waiting up to ``wait_s``; raise `IndexBusy` after."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / WRITELOCK, "a") as lock_file:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.lockf(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:  # EAGAIN or EACCES: held by another process
                if time.monotonic() >= deadline:
                    raise IndexBusy(str(index_dir), wait_s) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.lockf(lock_file, fcntl.LOCK_UN)


def write_atomically(path: Path, content: str | bytes) -> None:
    """``content`` into ``path`` whole or not at all, on disk (file and folder synced) before it is there."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with open(tmp, "wb") as f:
        f.write(content.encode("utf-8") if isinstance(content, str) else content)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    sync_directory(path.parent)


def sync_directory(directory: Path) -> None:
    """Put a folder's entries (new names, renames) on disk: without it a synced file may have no name after a crash."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
