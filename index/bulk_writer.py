"""Writing Whoosh segments in bulk, in the processes that prepare the documents.

Whoosh's own writer sends every posting through its ``PostingPool``: one
pickle per posting, an external sort, the runs read back, then one Python call
per posting into the codec. Profiled at 100,000 articles that was half of
indexing, and the main process spent half its time pickling again what the
preparing workers had just sent it. Here each worker keeps the postings of its
documents in memory, per field and term, and writes its own segment through
the same W3 codec Whoosh uses (``codec.per_document_writer`` and
``codec.field_writer``): the files are a stock Whoosh segment, opened by
Whoosh's own reader, scored and matched as before. No sort of single
postings is needed: a field's terms are sorted once, and each term's postings
are already in document order.

``SegmentBuilder`` writes one segment at a time and starts another when its
postings pass a memory budget. ``BulkWriter`` is a Whoosh ``SegmentWriter``
that holds the lock, deletes, merges old segments by Whoosh's policy and
commits, and takes the segments built elsewhere into the same commit: until
that commit publishes them, no reader sees them, and a crash leaves the
previous index whole (the next commit's clean-up deletes the files).
"""
from __future__ import annotations

import gc
import multiprocessing
import pickle
import queue
import signal
import struct
import zlib
from array import array
from collections import defaultdict
from typing import Callable, Iterable

from whoosh import columns
from whoosh.codec import default_codec
from whoosh.codec.whoosh3 import (COMPRESSION_MIN_SIZE, WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter,
                                  W3PerDocWriter, W3PostingsWriter, W3TermInfo)
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from index import schema as f
from index.integrity import DurableStorage
from index.knowledge import load_knowledge
from index.language import detect_language
from index.prepare import prepare_document
from index.prepare import index_schema
from index.reader import Document

# Bytes of postings a builder holds before it writes a segment (about 40,000 articles of news): several
# workers at once stay well inside the indexer's memory budget.
SEGMENT_MEMORY_BYTES = 160 * 1024 * 1024
# A term with this many postings or fewer keeps them in its term info, as the W3 format allows (the reader
# answers them with a ListMatcher): a block of its own costs about 100 bytes of framing and pickles for one
# posting, and half of a news vocabulary occurs in one or two documents.
INLINE_POSTINGS = 3
POSTING_OVERHEAD_BYTES = 14  # a docnum, a weight and where its value ends (4 bytes each, and the arrays' slack)
TERM_OVERHEAD_BYTES = 400  # the term's bytes object, its dict slot and four empty arrays


class SegmentBuilder:
    """Documents in, Whoosh segments out: what ``SegmentWriter.add_document`` and ``commit`` write, in bulk.

    ``add`` takes the same fields as ``add_document`` (values already analyzed
    as `index.schema.Preindexed`, or plain strings for Whoosh's analyzers);
    ``finish`` writes what is left and returns every segment written.
    """

    def __init__(self, storage, indexname: str, schema, memory_bytes: int | None = None):
        self._storage = storage
        self._indexname = indexname
        self._schema = schema
        self._codec = default_codec()  # names the segments: stock Whoosh opens them with its own codec
        self._writing_codec = _BulkCodec()  # writes them
        self._memory_bytes = memory_bytes or SEGMENT_MEMORY_BYTES
        self._written: list = []
        self._start_segment()

    def _start_segment(self) -> None:
        self._segment = self._codec.new_segment(self._storage, self._indexname)
        self._perdoc = self._writing_codec.per_document_writer(self._storage, self._segment)
        # field → term bytes → (docnums, weights, values, value ends): the values of all its postings in one
        # buffer (a bytes object each would cost 41 bytes more a posting); docnums grow in order: no sort needed
        self._postings: dict[str, dict[bytes, tuple[array, array, bytearray, array]]] = defaultdict(dict)
        self._lengths: dict[str, array] = {}  # field → each document's length, as the segment stores it
        self._doccount = 0
        self._size = 0

    def add(self, **fields) -> None:
        schema = self._schema
        docnum = self._doccount
        perdoc = self._perdoc
        perdoc.start_doc(docnum)
        for fieldname in sorted(name for name in fields if not name.startswith("_")):
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]  # KeyError for a field the schema lacks, as Whoosh's UnknownFieldError
            length = 0
            if field.indexed:
                terms = self._postings[fieldname]
                scorable = field.scorable
                for tbytes, freq, weight, vbytes in field.index(value):
                    if scorable:
                        length += freq
                    entry = terms.get(tbytes)
                    if entry is None:
                        entry = terms[tbytes] = (array("I"), array("f"), bytearray(), array("I"))
                        self._size += len(tbytes) + TERM_OVERHEAD_BYTES
                    entry[0].append(docnum)
                    entry[1].append(weight)
                    if vbytes:
                        entry[2].extend(vbytes)
                        self._size += len(vbytes)
                    entry[3].append(len(entry[2]))
                    self._size += POSTING_OVERHEAD_BYTES
                if scorable:
                    lengths = self._lengths.get(fieldname)
                    if lengths is None:
                        lengths = self._lengths[fieldname] = array("I")
                    lengths.extend([0] * (docnum + 1 - len(lengths)))
                    lengths[docnum] = byte_to_length(length_to_byte(length)) if length else 0
            stored = fields.get(f"_stored_{fieldname}", value)
            perdoc.add_field(fieldname, field, stored if field.stored else None, length)
            column = field.column_type
            if column and stored is not None:
                perdoc.add_column_value(fieldname, column, field.to_column_value(stored))
        perdoc.finish_doc()
        self._doccount += 1
        if self._size >= self._memory_bytes:
            self._write_segment()
            self._start_segment()

    def finish(self) -> list:
        """Write the last segment (if it holds any document) and return all the segments written."""
        if self._doccount:
            self._write_segment()
        else:
            self._perdoc.close()
            self._discard_files()
        return self._written

    def _write_segment(self) -> None:
        self._perdoc.close()
        fieldwriter = _BulkFieldWriter(self._writing_codec, self._storage, self._segment)
        for fieldname in sorted(self._postings):
            terms = self._postings[fieldname]
            if not terms:
                continue
            lengths = self._lengths.get(fieldname)
            fieldwriter.start_field(fieldname, self._schema[fieldname])
            for tbytes in sorted(terms):
                fieldwriter.start_term(tbytes)
                fieldwriter.add_term_postings(*terms[tbytes], lengths)
                fieldwriter.finish_term()
            fieldwriter.finish_field()
        fieldwriter.close()
        self._segment.set_doc_count(self._doccount)
        if self._segment.should_assemble():
            self._segment.create_compound_file(self._storage)
        self._written.append(self._segment)
        self._postings = defaultdict(dict)

    def cancel(self) -> None:
        """Close and delete everything written: the segment being built and those finished."""
        if not self._perdoc.is_closed:
            self._perdoc.close()
        self._discard_files()
        discard_segments(self._storage, self._written)
        self._written = []

    def _discard_files(self) -> None:
        discard_segments(self._storage, [self._segment])


def discard_segments(storage, segments: list) -> None:
    """Delete the files of segments no table of contents names (a run that stopped before its commit)."""
    for segment in segments:
        for name in segment.list_files(storage):
            try:
                storage.delete_file(name)
            except OSError:
                pass  # already gone; the next commit's clean-up takes what is left


class _BulkPostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer, handed a term's postings a block at a time instead of one call each.

    The blocks are Whoosh's own (``_write_block`` pickles, compresses and
    frames them, ``finish_postings`` writes the last one): only the filling of
    its buffers, and the statistics ``add_posting`` keeps, are done here.
    """

    def add_postings(self, docnums: array, weights: array, values: bytearray, ends: array,
                     lengths: array | None) -> None:
        limit = self._blocklimit
        for start in range(0, len(docnums), limit):
            if start:
                self._write_block()
            ids = docnums[start : start + limit]
            self._ids = ids
            self._weights = weights[start : start + limit]
            begin = ends[start - 1] if start else 0
            self._values = [bytes(values[a:b]) for a, b in zip([begin, *ends[start : start + limit - 1]],
                                                                ends[start : start + limit]) if b > a]
            self._maxweight = max(0, max(self._weights))
            known = [lengths[docnum] for docnum in ids if docnum < len(lengths)] if lengths is not None else []
            known = [length for length in known if length]
            self._minlength = min(known) if known else None
            self._maxlength = max(known) if known else 0

    def _write_block(self, last=False):
        """One block in W3's layout (length, info, data), its data pickled by protocol 4, not 2.

        W3's reader unpickles any protocol; protocol 2 writes each position value (bytes) as a call to
        ``codecs.encode`` of a latin-1 string, which zlib does not squeeze out: measured on the ``exact``
        postings of the 10,000-article bench, blocks take half the bytes by protocol 4.
        """
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = pickle.dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), 4)
        compression = self._compression if len(data) >= COMPRESSION_MIN_SIZE else 0
        if compression:
            data = zlib.compress(data, compression)
        info = pickle.dumps((len(self._ids), self._ids[-1], self._maxweight, compression,
                             length_to_byte(self._minlength), length_to_byte(self._maxlength)), 2)
        length = len(info) + len(data)
        self._postfile.write_int(-length if last else length)  # a negative length marks the last block
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()

    def finish_postings(self):
        """The term's info; a short term's postings go inside it (`INLINE_POSTINGS`).

        Whoosh's own inlining calls ``set_inline``, a method its term info does not have (it is
        ``set_inlined``), so its writers never inline; its reader has always read inlined postings.
        """
        if self.written() or len(self._ids) > INLINE_POSTINGS:
            return super().finish_postings()
        terminfo = self._terminfo
        terminfo.add_block(self)
        # A field without values (an ID) still gets one empty value per posting: for an inlined term without
        # them, Whoosh's ListMatcher answers "" (a str), which its own merge of segments then rejects.
        terminfo.set_inlined(self._ids, self._weights, self._values or [b""] * len(self._ids))
        self._terminfo = None
        return terminfo


class _TermInfo(W3TermInfo):
    """W3's term info, with its inlined postings in the fewest bytes a pickle can take (`compact_pickle`).

    W3 writes them with pickle protocol 2 (76 bytes for one posting: each bytes value is a call to
    ``codecs.encode``); its reader unpickles whatever it finds there, so any pickle of the same tuple reads
    back the same. Most terms of a news vocabulary are inlined (three in four of the 10,000-article bench).
    """

    def to_bytes(self) -> bytes:
        packed = super().to_bytes()
        if not self.is_inlined():
            return packed
        return packed[: self._struct.size] + compact_pickle(self._inlined)


def compact_pickle(postings: tuple) -> bytes:
    """Inlined ``(ids, weights, values)`` as a pickle that ``pickle.loads`` reads back equal, without the
    protocol header, frame and memo marks ``pickle.dumps`` adds (40 bytes for one posting by protocol 4;
    24 here).

    Weights stay floats, though they are whole numbers: a merge of segments copies them into its blocks,
    and a block whose weights are all the same keeps one, which Whoosh's reader takes for "all equal" only
    if it is a float.
    """
    ids, weights, values = postings
    try:
        return b"".join((_pickled_tuple(map(_pickled_int, ids)),
                         _pickled_tuple(b"G" + struct.pack(">d", w) for w in weights),
                         _pickled_tuple(map(_pickled_bytes, values)), b"\x87."))  # TUPLE3 of the three, STOP
    except OverflowError:  # an id past 31 bits, which no segment holds: the general pickle takes it
        return pickle.dumps(postings, 4)


def _pickled_tuple(items: Iterable[bytes]) -> bytes:
    return b"(" + b"".join(items) + b"t"  # MARK, the items, TUPLE


def _pickled_int(n: int) -> bytes:
    if 0 <= n < 256:
        return b"K" + n.to_bytes(1, "little")  # BININT1
    if 0 <= n < 65536:
        return b"M" + n.to_bytes(2, "little")  # BININT2
    return b"J" + n.to_bytes(4, "little", signed=True)  # BININT


def _pickled_bytes(value: bytes) -> bytes:
    if len(value) < 256:
        return b"C" + len(value).to_bytes(1, "little") + value  # SHORT_BINBYTES
    return b"B" + len(value).to_bytes(4, "little") + value  # BINBYTES


class _StoredColumn(columns.PickleColumn):
    """W3's stored-fields column (each document's stored fields pickled, then compressed), pickled by protocol
    4 and compressed at zlib level 6 instead of 2 and 3: its reader unpickles any protocol and decompresses
    any level. Measured on 1,000 documents of the 10,000-article bench: 9% fewer bytes, as fast to write."""

    class Writer(columns.PickleColumn.Writer):
        def add(self, docnum, v):
            self._child.add(docnum, b"" if v is None else pickle.dumps(v, 4))


_STORED_COLUMN = _StoredColumn(columns.CompressedBytesColumn(level=6))


class _PerDocWriter(W3PerDocWriter):
    def _create_column(self, fieldname, column):
        super()._create_column(fieldname, _STORED_COLUMN if fieldname == "_stored" else column)


class _BulkCodec(W3Codec):
    """Whoosh's W3 codec with the bulk postings and stored-fields writers; used for writing only (segments
    name the stock codec, which reads them)."""

    def postings_writer(self, dbfile, byteids=False):
        return _BulkPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                   compression=self._compression, inlinelimit=self._inlinelimit)

    def per_document_writer(self, storage, segment):
        return _PerDocWriter(self, storage, segment)


class _BulkFieldWriter(W3FieldWriter):
    def start_term(self, btext):
        self._btext = btext
        self._postwriter.start_postings(self._fieldobj.format, _TermInfo())

    def add_term_postings(self, docnums: array, weights: array, values: bytearray, ends: array,
                          lengths: array | None) -> None:
        """All the postings of the term ``start_term`` began, in document order."""
        self._postwriter.add_postings(docnums, weights, values, ends, lengths)


class BulkWriter(SegmentWriter):
    """A Whoosh writer that also commits segments written by `SegmentBuilder`s (in this process or others).

    Everything else is Whoosh's: the write lock, ``delete_by_term``, the merge
    policy over the segments already in the index, the table of contents.
    """

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self._built: list = []

    def add_segments(self, segments: list) -> None:
        self._built.extend(segments)

    def cancel(self) -> None:
        super().cancel()
        discard_segments(self.storage, self._built)

    def _merge_segments(self, mergetype, optimize, merge):
        return super()._merge_segments(mergetype, optimize, merge) + self._built


BATCH = 16  # documents a worker takes at a time: few round trips, and the workers stay evenly fed
QUEUED_BATCHES_PER_WORKER = 4  # the reader runs this far ahead of the workers, and no further (memory)
Indexed = Callable[[str, str, "int | None"], None]  # (path, language, read_to) of each document indexed


def build_segments(items: Iterable[tuple[Document, str]], folder: str, indexname: str, with_entities: bool,
                   workers: int, indexed: Indexed) -> list:
    """Prepare and write ``(document, file_key)`` items into new segments of the index in ``folder``.

    With ``workers`` processes each prepares documents (language, analysis,
    entities) and writes its own segments, so nothing but the documents and a
    line per document ever crosses between processes. ``indexed`` is told of
    each document as it is written (in this process, for the report and the
    progress bar). Returns the segments, for `BulkWriter.add_segments`.
    """
    if workers < 1:
        builder = SegmentBuilder(DurableStorage(folder), indexname, index_schema())
        try:
            for document, key in items:
                indexed(*_prepare_into(builder, document, key, with_entities))
            return builder.finish()
        except BaseException:
            builder.cancel()
            raise
    # fork: the workers inherit the loaded knowledge base and language model instead of loading their own.
    if with_entities:
        load_knowledge()
    detect_language("Il ministro è arrivato a Mosca.")
    # What is loaded now the workers share with this process, page for page, until one writes to it; their
    # garbage collector would, walking every object, so it leaves those alone in them (23 MB less at 10,000
    # articles, PSS). This process collects them again once the workers are started.
    gc.freeze()
    context = multiprocessing.get_context("fork")
    inbox = context.Queue(maxsize=workers * QUEUED_BATCHES_PER_WORKER)
    outbox = context.Queue()
    processes = [context.Process(target=_segment_worker, args=(inbox, outbox, folder, indexname, with_entities),
                                 daemon=True) for _ in range(workers)]
    try:
        for process in processes:
            process.start()
    finally:
        gc.unfreeze()
    segments: list = []
    finished = 0

    def take(wait_s: float) -> None:
        nonlocal finished
        try:
            kind, payload = outbox.get(timeout=wait_s)
        except queue.Empty:
            _check_alive(processes)
            return
        if kind == "indexed":
            for path, lang, read_to in payload:
                indexed(path, lang, read_to)
        elif kind == "segments":
            segments.extend(payload)
            finished += 1
        else:
            raise RuntimeError(f"an indexing worker failed: {payload}")

    def put(message) -> None:
        while True:
            try:
                inbox.put(message, timeout=0.05)
                return
            except queue.Full:
                take(0.05)

    try:
        batch: list = []
        for item in items:
            batch.append(item)
            if len(batch) == BATCH:
                put(batch)
                batch = []
        if batch:
            put(batch)
        for _ in processes:
            put(None)
        while finished < workers:
            take(0.5)
        for process in processes:
            process.join()
        return segments
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join()
        # Batches a dead worker never took would hold this process at exit, waiting to be fed to it.
        inbox.cancel_join_thread()
        inbox.close()


def _prepare_into(builder: SegmentBuilder, document: Document, key: str, with_entities: bool):
    """Prepare one document into ``builder``; return what `Indexed` is told of it."""
    fields = prepare_document(document, with_entities)
    builder.add(file_key=key, **fields)
    return document.path, fields[f.LANG], document.read_to


def _check_alive(processes) -> None:
    for process in processes:
        if not process.is_alive() and process.exitcode not in (0, None):
            raise RuntimeError(f"an indexing worker died (exit code {process.exitcode})")


def _segment_worker(inbox, outbox, folder: str, indexname: str, with_entities: bool) -> None:
    """One worker: prepare each document it is given into its own segments, until told to finish."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the workers
    try:
        builder = SegmentBuilder(DurableStorage(folder), indexname, index_schema())
        while (batch := inbox.get()) is not None:
            outbox.put(("indexed", [_prepare_into(builder, document, key, with_entities) for document, key in batch]))
        outbox.put(("segments", builder.finish()))
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which stops the run
        outbox.put(("error", f"{type(error).__name__}: {error}"))
