"""Index files are whole on disk, and a reader can tell when one is not.

Two halves:

- **Durable writes.** Whoosh writes its segments with plain buffered writes
  and publishes a commit by renaming a new table of contents into place; a
  power cut soon after could leave a table of contents that names segments
  the disk never received. `DurableStorage` syncs every file of the folder
  before that rename and the folder after it, so a published commit is on
  disk whole. The files we derive from a commit are written with
  `index.store.write_atomically` (synced too).
- **Verified reads.** After each commit and its derived files, `seal` writes
  ``CHECKSUMS.json``: the size and CRC-32 of every file of the generation, for
  the commit it describes. `verify` compares what is on disk with it (a
  truncated, zeroed or flipped file), remembering what it has already read
  so that a long-running server reads each file once, not at every commit.

While a writer is between its commit and its new seal, the manifest describes
the previous commit: only the files Whoosh never rewrites (segments and tables
of contents, whose names are new at each commit) can be checked against it.
"""
from __future__ import annotations

import json
import os
import pickle
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from index.store import sync_directory, write_atomically

MANIFEST = "CHECKSUMS.json"
NOT_SEALED = frozenset({MANIFEST, "WRITELOCK", "MAIN_WRITELOCK"})  # the manifest itself, and lock files
IMMUTABLE_SUFFIXES = (".seg", ".toc")  # Whoosh writes each under a new name and never changes it
CHUNK = 16 << 20  # bytes checksummed at a time: bounded memory for any file size


# What Whoosh raises on a damaged table of contents or segment (truncated, zeroed, flipped bytes).
WHOOSH_DAMAGE_ERRORS = (EOFError, IndexError, ValueError, pickle.UnpicklingError, struct.error, zlib.error,
                        whoosh_index.IndexError)


class DurableStorage(FileStorage):
    """Whoosh's file storage, with each commit on disk before it is published."""

    def rename_file(self, oldname, newname, safe=False):
        # Whoosh renames only to publish a new table of contents: the commit point.
        sync_folder(Path(self.folder))
        super().rename_file(oldname, newname, safe=safe)
        sync_directory(Path(self.folder))


@dataclass(frozen=True)
class Damage:
    name: str  # the file, relative to the generation folder
    reason: str

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


def seal(folder: Path, toc_generation: int) -> None:
    """Sync every file of ``folder`` and record its size and checksum, for the commit ``toc_generation``.

    A segment or table of contents the previous seal recorded keeps its recorded checksum: Whoosh never
    rewrites one under the same name, so the record is of the bytes it wrote (reading them again, a gigabyte
    at 100,000 articles, would only copy a damage into the record, where `verify` would miss it).
    """
    sync_folder(folder)
    previous = _manifest(folder)
    recorded = previous["files"] if _well_formed(previous) else {}
    files = {}
    for name, path in _sealed_files(folder):
        size = path.stat().st_size
        kept = recorded.get(name) if name.endswith(IMMUTABLE_SUFFIXES) else None
        files[name] = kept if kept is not None and kept[0] == size else [size, _checksum(path)]
    write_atomically(folder / MANIFEST, json.dumps({"toc_generation": toc_generation, "files": files}, indent=0))


def latest_commit(folder: Path) -> int:
    """The newest commit of the Whoosh index in ``folder``, from file names alone (nothing read)."""
    return TOC._latest_generation(FileStorage(str(folder)), whoosh_index._DEF_INDEX_NAME)


def is_sealed(folder: Path, toc_generation: int) -> bool:
    """Whether the manifest describes commit ``toc_generation`` (else the last writer stopped before sealing)."""
    manifest = _manifest(folder)
    return isinstance(manifest, dict) and manifest.get("toc_generation") == toc_generation


def verify(folder: Path, toc_generation: int, verified: set | None = None,
           only: frozenset[str] | None = None) -> list[Damage]:
    """The files of ``folder`` (or those named in ``only``) that are not as sealed, for a reader of commit
    ``toc_generation``.

    ``verified`` (a set, or `VerifiedFiles`, kept by the caller) holds the
    files already read and found whole, by device, inode, size, modification
    and change time: they are not read again. An index sealed before this
    module existed has no manifest and nothing to verify.
    """
    verified = set() if verified is None else verified
    manifest = _manifest(folder)
    if manifest is None:
        return []
    if not _well_formed(manifest):
        return [Damage(MANIFEST, "unreadable")]
    same_commit = manifest["toc_generation"] == toc_generation
    damage = []
    for name, (size, checksum) in manifest["files"].items():
        if only is not None and name not in only:
            continue
        if not same_commit and not name.endswith(IMMUTABLE_SUFFIXES):
            continue  # rewritten since: the manifest speaks of another commit's version
        path = folder / name
        try:
            status = path.stat()
        except OSError:
            if same_commit:
                damage.append(Damage(name, "missing"))
            continue  # a segment the newer commit merged away
        if status.st_size != size:
            damage.append(Damage(name, f"{status.st_size:,} bytes where {size:,} were written"))
            continue
        key = f"{status.st_dev}:{status.st_ino}:{size}:{status.st_mtime_ns}:{status.st_ctime_ns}:{checksum}"
        if key in verified:
            continue
        try:
            whole = _checksum(path) == checksum
        except OSError as error:
            damage.append(Damage(name, f"unreadable ({error.strerror or error})"))
            continue
        if whole:
            verified.add(key)
        else:
            damage.append(Damage(name, "its content is not what was written (checksum mismatch)"))
    return damage


class VerifiedFiles:
    """The files a reader has found whole, remembered in the user's cache folder.

    Reading a 100,000-article index whole takes most of a second, which every
    one-shot CLI search would pay again. A file is known by its device, inode,
    size, modification time and change time: writing to it changes its change
    time, which no user can set back, so a remembered file is the same bytes.
    The cache is a convenience: unreadable or unwritable, it is ignored.
    """

    MAX_ENTRIES = 4096

    def __init__(self, cache_file: Path | None) -> None:
        self.cache_file = cache_file
        self._keys: dict[str, None] = {}
        self._dirty = False
        if cache_file is not None:
            try:
                self._keys = dict.fromkeys(cache_file.read_text(encoding="ascii").split())
            except (OSError, ValueError):
                pass

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def add(self, key: str) -> None:
        self._keys[key] = None
        self._dirty = True

    def save(self) -> None:
        if not self._dirty or self.cache_file is None:
            return
        keys = list(self._keys)[-self.MAX_ENTRIES:]
        try:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.cache_file, "\n".join(keys) + "\n")
            self._dirty = False
        except OSError:
            pass


def default_cache_file() -> Path:
    """Where `VerifiedFiles` are remembered: ``$XDG_CACHE_HOME/corpus-search`` (``~/.cache`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "corpus-search" / "verified-files"


def sync_folder(folder: Path) -> None:
    """Flush every file under ``folder`` and the folders themselves to disk."""
    for directory, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(directory, name)
            try:
                descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
            except OSError:
                continue  # removed meanwhile (a temporary file), or not ours to follow
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        sync_directory(Path(directory))


def _sealed_files(folder: Path):
    """(name relative to ``folder``, path) of every file a seal covers: not locks, not temporary files."""
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_file() and not path.is_symlink() and name not in NOT_SEALED \
                and not any(part.startswith(".") for part in name.split("/")) and not name.endswith(".tmp"):
            yield name, path


def _checksum(path: Path) -> int:
    checksum = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            checksum = zlib.crc32(chunk, checksum)
    return checksum


def _manifest(folder: Path):
    """The parsed manifest; None if there is none; ``...`` if it cannot be read as JSON."""
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return ...


def _well_formed(manifest) -> bool:
    return (isinstance(manifest, dict) and isinstance(manifest.get("toc_generation"), int)
            and isinstance(manifest.get("files"), dict)
            and all(isinstance(entry, list) and len(entry) == 2 and all(isinstance(n, int) for n in entry)
                    for entry in manifest["files"].values()))
