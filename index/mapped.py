"""Index files read in place: one shared memory map per file, zero-copy views for every searcher.

Whoosh's own `FileStorage` maps a compound segment and then wraps each of its
sub-files in a `BufferFile`, whose ``BytesIO(memoryview)`` *copies* the bytes:
every searcher held a private copy of the whole index (1.5 GB resident at
100,000 articles). Here a file is mapped once per process and every searcher
reads it through its own `MappedFile`: a cursor over a slice of the map, so
the bytes stay in the OS page cache, shared by all searchers and processes.

Index files are immutable once written (a commit writes new segments and a
new table of contents), so a map never goes stale; the storage closes its maps
when the engine moves to a newer index state.
"""
from __future__ import annotations

import mmap
import os
import struct
import threading
from array import array

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

_INT = struct.Struct("!i")
_UINT = struct.Struct("!I")
_USHORT = struct.Struct("!H")
_LONG = struct.Struct("!q")
_ULONG = struct.Struct("!Q")
_FLOAT = struct.Struct("!f")
_SBYTE = struct.Struct("b")
_IS_LITTLE = struct.pack("=H", 1) == b"\x01\x00"


def _unpacker(fmt: struct.Struct):
    def get(self: "MappedFile", position: int):
        return fmt.unpack_from(self._view, position)[0]

    return get


class MappedFile(StructFile):
    """A read-only `StructFile` over a memoryview: reads slice the map, nothing is copied ahead.

    One cursor per instance: a `MappedFile` belongs to one searcher (Whoosh
    searchers are not shared between threads), the map under it to all.
    """

    def __init__(self, view: memoryview, name: str | None = None) -> None:
        self._view = view
        self._name = name
        self._pos = 0
        self.file = self  # what pickle and Whoosh's helpers read from
        self.onclose = None
        self.is_real = False
        self.is_closed = False

    def read(self, n: int = -1) -> bytes:
        start = self._pos
        end = len(self._view) if n is None or n < 0 else min(start + n, len(self._view))
        self._pos = end
        return self._view[start:end].tobytes()

    def readline(self, limit: int = -1) -> bytes:
        rest = self._view[self._pos:].tobytes() if limit < 0 else self._view[self._pos:self._pos + limit].tobytes()
        cut = rest.find(b"\n")
        line = rest if cut < 0 else rest[: cut + 1]
        self._pos += len(line)
        return line

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET:
            self._pos = offset
        elif whence == os.SEEK_CUR:
            self._pos += offset
        else:
            self._pos = len(self._view) + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def write(self, *args) -> None:
        raise OSError(f"{self._name!r} is open read-only")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        if not self.is_closed:
            self.is_closed = True
            self._view.release()  # lets the storage close the map later

    def subset(self, position: int, length: int, name: str | None = None) -> "MappedFile":
        return MappedFile(self._view[position : position + length], name=name or self._name)

    def get(self, position: int, length: int) -> bytes:
        return self._view[position : position + length].tobytes()

    def get_byte(self, position: int) -> int:
        return self._view[position]

    # Fixed-size numbers straight from the map, no bytes object in between (Whoosh's formats, big-endian).
    get_sbyte = _unpacker(_SBYTE)
    get_int = _unpacker(_INT)
    get_uint = _unpacker(_UINT)
    get_ushort = _unpacker(_USHORT)
    get_long = _unpacker(_LONG)
    get_ulong = _unpacker(_ULONG)
    get_float = _unpacker(_FLOAT)

    def get_array(self, position: int, typecode: str, length: int) -> array:
        values = array(typecode)
        values.frombytes(self._view[position : position + length * values.itemsize])
        if _IS_LITTLE:
            values.byteswap()
        return values

    def read_array(self, typecode: str, length: int) -> array:
        values = self.get_array(self._pos, typecode, length)
        self._pos += length * values.itemsize
        return values


class MappedStorage(FileStorage):
    """A read-only `FileStorage` whose files are shared memory maps (see the module docstring)."""

    # Tells Whoosh's compound segments not to map (and copy) again: they take
    # zero-copy subsets of our `MappedFile` instead.
    supports_mmap = False

    def __init__(self, path: str) -> None:
        super().__init__(path, supports_mmap=False, readonly=True)
        self._maps: dict[str, mmap.mmap] = {}
        self._maps_lock = threading.Lock()

    def open_file(self, name: str, **kwargs) -> StructFile:
        with self._maps_lock:
            mapped = self._maps.get(name)
            if mapped is None:
                with open(self._fpath(name), "rb") as f:
                    if os.fstat(f.fileno()).st_size == 0:
                        return StructFile(open(self._fpath(name), "rb"), name=name)  # an empty file cannot be mapped
                    mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
                self._maps[name] = mapped
        return MappedFile(memoryview(mapped), name=name)

    def forget_deleted(self) -> None:
        """Unmap the files a merge has deleted (searchers still reading one keep it until they close)."""
        with self._maps_lock:
            gone = [name for name in self._maps if not os.path.exists(self._fpath(name))]
            maps = [self._maps.pop(name) for name in gone]
        _close_all(maps)

    def close(self) -> None:
        """Unmap every file (views still held by open searchers keep their map alive until closed)."""
        with self._maps_lock:
            maps, self._maps = list(self._maps.values()), {}
        _close_all(maps)


def _close_all(maps: list[mmap.mmap]) -> None:
    for mapped in maps:
        try:
            mapped.close()
        except BufferError:  # a searcher still reads it: the map goes when its last view does
            pass
