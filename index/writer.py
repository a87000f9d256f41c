"""Building and updating the index from the corpus folder.

``build_index`` makes the index mirror the corpus: new files are added,
changed ones re-indexed and deleted ones removed, each file recognised by the
hash of its content (recorded in the index itself, so the record and the
documents commit together). A first build or ``rebuild=True`` writes a new
generation and publishes it only once complete (see ``index/store.py``).

Whatever happens before the commit (an exception, Ctrl-C, SIGKILL) leaves the
previous index as it was and searchable.
"""
from __future__ import annotations

import contextlib
import itertools
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from whoosh.index import FileIndex, LockError

from index import schema as f
from index import store
from index.analysis import has_stemmer
from index.bulk_writer import BulkWriter, build_segments
from index.facetstore import STORE_FILE, build_tables, save_store, store_is_current, value_counts
from index.integrity import WHOOSH_DAMAGE_ERRORS, Damage, DurableStorage, is_sealed, latest_commit, seal, verify
from index.mapped import MappedStorage
from index.merging import MERGED_KINDS, MERGES_FILE, NO_MERGES, Merges, find_merges, has_merges, save_merges
from index.knowledge import QUERY_SNAPSHOT_FILE, SNAPSHOT_FILE, load_knowledge, save_query_snapshot, save_snapshot
from index.prepare import (PARALLEL_MIN_BYTES, article_id, article_key, bind_worker_processes, default_workers,
                           prepared)
from index.errors import (CorpusNotFound, CorpusSearchError, CorpusUnknown, IndexBusy, IndexDamaged, IndexNotFound,
                          IndexOutdated, WouldLoseDocuments)
from index.reader import JSONL_SUFFIXES, CorpusFile, Skipped, read_file, scan_corpus
from index.spelling import SPELLING_DIR, build_spelling, has_spelling

LOCK_WAIT_S = 10.0
READ_AGAIN_FILE = "read-again.json"  # corpus files that changed while a run read them
# Files a run can write again from the segments (a damaged read-again list is dropped: a lost hint, not data).
DERIVED_FILES = frozenset({STORE_FILE, MERGES_FILE, SNAPSHOT_FILE, QUERY_SNAPSHOT_FILE, READ_AGAIN_FILE})  # + spelling/
WRITER_MEMORY_MB = 256

Progress = Callable[[int, int, int], None]  # (bytes read, bytes to read, documents indexed)


@dataclass
class IndexReport:
    """What one indexing run did, for the user and for tests."""

    added_files: int = 0
    updated_files: int = 0
    removed_files: int = 0
    unchanged_files: int = 0
    documents_indexed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    languages: Counter = field(default_factory=Counter)  # of the documents indexed in this run
    rebuilt: bool = False
    repaired: list[str] = field(default_factory=list)  # the damaged files this run replaced
    took_s: float = 0.0

    @property
    def unstemmed_languages(self) -> list[str]:
        """Languages indexed without a stemmer (exact matching only)."""
        return sorted(lang for lang in self.languages if not has_stemmer(lang))

    @property
    def changed(self) -> bool:
        return bool(self.added_files or self.updated_files or self.removed_files)

    def to_json(self) -> dict:
        """The report for scripts (``corpus-search index --json``)."""
        return {
            "outcome": "built" if self.rebuilt else "updated" if self.changed else "unchanged",
            "added_files": self.added_files, "updated_files": self.updated_files,
            "removed_files": self.removed_files, "unchanged_files": self.unchanged_files,
            "documents_indexed": self.documents_indexed, "languages": dict(self.languages.most_common()),
            "unstemmed_languages": self.unstemmed_languages, "repaired": self.repaired,
            "skipped": [{"path": item.path, "line": item.line, "reason": item.reason, "kept": item.kept}
                        for item in self.skipped],
            "took_s": round(self.took_s, 3),
        }


def build_index(
    corpus_dir: Path | str | None,
    index_dir: Path | str,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    warn: Callable[[Skipped], None] | None = None,
    lock_wait_s: float = LOCK_WAIT_S,
    with_entities: bool = True,
    force: bool = False,
    repair: bool = False,
    workers: int | None = None,
    whoosh_writer: bool = False,
) -> IndexReport:
    """Bring the index at ``index_dir`` up to date with ``corpus_dir``.

    The index remembers its corpus folder. Unless ``force``, it refuses (with
    `WouldLoseDocuments`) to be updated from another folder, to lose more
    than a small share of its documents (over 100, or over 10% past the
    first 10), or to be rebuilt when its ``CURRENT`` pointer is damaged: each
    of these is usually a mistyped or forgotten ``--corpus``, and would
    delete what the index holds.

    Every run checks the files of the index against the checksums sealed with
    them (see ``index/integrity.py``) and rewrites damaged files derived from
    the index (facet columns, spelling table, knowledge snapshots). Damaged
    segments stop the run with `IndexDamaged` unless ``repair``: then the index
    is rebuilt from its corpus (``corpus_dir=None``: the folder it recorded) into
    a new generation, the damaged one kept until the new one is complete.

    :raise CorpusNotFound: if ``corpus_dir`` is not a folder (or is empty text).
    ``workers`` processes prepare and write the articles of a large corpus
    (default: every core but one, so that searches on the same machine keep a
    core); ``with_entities=False`` skips entity extraction (no people, countries or
    organizations facets): for measuring what extraction costs. Segments are
    written in bulk by the preparing processes (``index/bulk_writer.py``);
    ``whoosh_writer=True`` sends every document through Whoosh's own writer
    instead: slower, the same index, for comparing the two.

    :raise IndexBusy: if another writer holds the index for longer than ``lock_wait_s``.
    """
    from index.sphinx_client import is_cluster_location

    if is_cluster_location(index_dir):  # the cluster backend: the same reading and extraction, another writer
        if repair:
            raise CorpusSearchError("--repair rebuilds an embedded index; a cluster is rebuilt with --rebuild")
        from index.sphinx_writer import build_cluster_index

        return build_cluster_index(corpus_dir, str(index_dir), rebuild=rebuild, progress=progress, warn=warn,
                                   force=force, workers=workers)
    index_dir = Path(index_dir)
    if corpus_dir is None and repair:
        corpus_dir = _recorded_corpus(index_dir)
        if corpus_dir is None:
            raise CorpusUnknown(str(index_dir))
    if corpus_dir is None or not str(corpus_dir).strip():
        raise CorpusNotFound(str(corpus_dir or ""))  # Path("") is the working directory: never meant
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusNotFound(str(corpus_dir))
    started = time.monotonic()
    report = IndexReport()
    workers = default_workers() if workers is None else workers

    def skip(item: Skipped) -> None:
        report.skipped.append(item)
        if warn:
            warn(item)

    bind_worker_processes()
    with store.write_lock(index_dir, lock_wait_s):
        store.remove_abandoned(index_dir)  # a killed run's half-built generation
        files = scan_corpus(corpus_dir, skip)
        if not force:
            _refuse_losses(index_dir, corpus_dir, files, repair)
        try:
            generation = None if rebuild else _usable_generation(index_dir, with_entities)
        except IndexDamaged as error:  # its metadata
            if not repair:
                raise
            report.repaired, generation = [error.detail.split(":")[0]], None
        damage = _damage(generation.path) if generation is not None else []  # each file read once a run
        if segments := [item for item in damage if not _is_derived(item.name)]:  # only a rebuild replaces them
            if not repair:
                raise IndexDamaged(str(index_dir), "; ".join(f"{generation.path.name}/{item}" for item in segments))
            report.repaired = [f"{generation.path.name}/{item.name}" for item in segments]
            generation = None
        if generation is None:
            _full_build(corpus_dir, index_dir, files, report, skip, progress, with_entities, workers, whoosh_writer)
        else:
            _update(generation, files, report, skip, progress, lock_wait_s, with_entities, workers,
                    damaged_derived=damage, whoosh_writer=whoosh_writer)  # derived files only: damaged segments would have meant a rebuild
    report.took_s = time.monotonic() - started
    return report


LOSS_MAX_DOCUMENTS = 100  # an update may delete this many documents without --force …
LOSS_MAX_SHARE = 0.10  # … or this share of the index, past LOSS_FREE_DOCUMENTS
LOSS_FREE_DOCUMENTS = 10


def _recorded_corpus(index_dir: Path) -> Path | None:
    """The corpus folder the index was built from, as its newest generation records it (None: unknown)."""
    generation, _ = store.latest_generation(index_dir)
    if generation is None or verify(generation.path, latest_commit(generation.path), only=frozenset({store.META})):
        return None  # a flipped byte can name another folder: only a record that checks out is used
    recorded = generation.meta.get("corpus")
    return Path(recorded) if isinstance(recorded, str) and recorded else None


def _refuse_losses(index_dir: Path, corpus_dir: Path, files: list[CorpusFile], repair: bool = False) -> None:
    """Raise `WouldLoseDocuments` if bringing the index to ``files`` would delete much of what it holds.

    A damaged ``CURRENT`` pointer is what ``repair`` is asked for; losing articles never is.
    """
    previous, is_current = store.latest_generation(index_dir)
    if previous is None:
        return  # nothing to lose
    recorded = _recorded_corpus(index_dir)  # None when its record is damaged: the counts below still hold
    if not is_current and not repair:
        source = repr(str(recorded)) if recorded else "an unknown folder"
        raise WouldLoseDocuments(str(index_dir), f"its {store.CURRENT} file does not name a readable generation "
                                 f"(the last one is {previous.path.name}, from {source}); rebuilding would replace "
                                 f"it (corpus-search index --repair --index {index_dir} rebuilds it from that corpus)")
    if recorded and recorded != corpus_dir.resolve():
        raise WouldLoseDocuments(str(index_dir), f"it was built from {str(recorded)!r}, not "
                                 f"{str(corpus_dir.resolve())!r}; pass --corpus {recorded} to update it")
    on_disk = {file.path for file in files}
    try:
        with _mapped_reader(previous.path) as reader:
            gone = [path for path in _indexed_files(reader) if path not in on_disk]
            total = reader.doc_count()
            lost = sum(reader.doc_frequency(f.PATH, path) for path in gone)
    except Exception:  # an index this version cannot read: nothing to count, the rebuild is asked for
        return
    if would_lose_too_much(lost, total):
        raise WouldLoseDocuments(str(index_dir), f"{len(gone)} of its corpus files are gone from "
                                 f"{str(corpus_dir)!r}, and with them {lost:,} of its {total:,} articles")


def would_lose_too_much(lost: int, total: int) -> bool:
    """Whether deleting ``lost`` of ``total`` articles needs ``force``: over `LOSS_MAX_DOCUMENTS`, or over
    `LOSS_MAX_SHARE` of the index past `LOSS_FREE_DOCUMENTS` (every backend's writer asks this)."""
    return lost > LOSS_MAX_DOCUMENTS or (lost > LOSS_FREE_DOCUMENTS and lost > LOSS_MAX_SHARE * total)


def _usable_generation(index_dir: Path, with_entities: bool) -> store.Generation | None:
    """The current generation, unless it must be rebuilt (none, another version, other knowledge).

    :raise IndexDamaged: if its metadata cannot be read.
    """
    try:
        generation = store.current_generation(index_dir)
    except (IndexNotFound, IndexOutdated):
        return None
    expected = load_knowledge().fingerprint if with_entities else ""
    if generation.meta.get("knowledge") != expected:
        return None  # the knowledge files changed: every article's entities must be extracted again
    return generation


def _full_build(corpus_dir, index_dir, files, report, skip, progress, with_entities, workers: int,
                whoosh_writer: bool) -> None:
    knowledge = load_knowledge() if with_entities else None
    generation = store.new_generation(index_dir, corpus_dir, knowledge=knowledge.fingerprint if knowledge else "")
    try:
        if knowledge:
            save_snapshot(knowledge, generation.path)
        ix = FileIndex.create(DurableStorage(str(generation.path)), f.build_schema())
        workers = workers if sum(_size(file) for file in files) >= PARALLEL_MIN_BYTES else 0
        writer = _writer(ix, whoosh_writer, workers)
        try:
            report.added_files = len(_add_files(writer, files, report, skip, progress, with_entities, workers,
                                                run=ix.latest_generation() + 1))
            report.rebuilt = True
            writer.commit()
        except BaseException:
            _cancel(writer)
            raise
        _record_files_to_read_again(generation.path, report)
        _save_derived(generation.path)
        seal(generation.path, ix.latest_generation())
        ix.close()
    except BaseException:
        store.discard(generation)
        raise
    store.publish(index_dir, generation)


def _update(generation, files, report, skip, progress, lock_wait_s, with_entities, workers: int,
            damaged_derived: list[Damage], whoosh_writer: bool = False) -> None:
    if damaged_derived:  # written again from the segments, as after a commit
        report.repaired = [f"{generation.path.name}/{item.name}" for item in damaged_derived]
        for item in damaged_derived:
            (generation.path / item.name).unlink(missing_ok=True)
        if any(item.name == SNAPSHOT_FILE for item in damaged_derived):
            save_snapshot(load_knowledge(), generation.path)  # the same knowledge: the fingerprint matched
        _save_derived(generation.path)
    ix = FileIndex(DurableStorage(str(generation.path)))
    try:
        on_disk = {file.path for file in files}
        read_again = _files_to_read_again(generation.path)
        with _mapped_reader(generation.path) as reader:
            indexed = _indexed_files(reader)
            to_add = [file for file in files if indexed.get(file.path) != file.content_hash or file.path in read_again]
            # A changed JSON Lines file keeps the articles that did not change; any other file is one article.
            articles = {file.path: keys for file in to_add
                        if file.path in indexed and file.path.lower().endswith(JSONL_SUFFIXES)
                        and (keys := _indexed_articles(reader, file.path))}
        removed = [path for path in indexed if path not in on_disk]
        report.unchanged_files = len(files) - len(to_add)
        if not to_add and not removed:
            _save_derived(generation.path, only_if_stale=True)  # an index from before a derived file existed
            if damaged_derived or not is_sealed(generation.path, ix.latest_generation()):
                seal(generation.path, ix.latest_generation())  # before checksums, or a run stopped before its seal
            return  # no writer at all: nothing to lock, nothing to clean up
        try:
            writer = _writer(ix, whoosh_writer, 0, timeout=lock_wait_s)
        except LockError:
            raise IndexBusy(str(generation.path.parent), lock_wait_s) from None
        try:
            for path in removed + [file.path for file in to_add if file.path in indexed and file.path not in articles]:
                writer.delete_by_term(f.PATH, path)
            added = _add_files(writer, to_add, report, skip, progress, with_entities, workers,
                               run=ix.latest_generation() + 1, kept=articles)
            # A changed file that now yields nothing has lost its documents: an update too.
            report.updated_files = sum(1 for file in to_add if file.path in indexed)
            report.added_files = len(added - indexed.keys())
            report.removed_files = len(removed)
            if report.changed:
                writer.commit()
                _record_files_to_read_again(generation.path, report)
                _save_derived(generation.path)
                seal(generation.path, ix.latest_generation())
            else:
                writer.cancel()
        except BaseException:
            _cancel(writer)
            raise
    finally:
        ix.close()


def _record_files_to_read_again(folder: Path, report: IndexReport) -> None:
    """Note the files that changed while this run read them (indexed under a hash that no longer holds)."""
    paths = sorted({item.path for item in report.skipped if item.read_again})
    if paths or (folder / READ_AGAIN_FILE).exists():
        store.write_atomically(folder / READ_AGAIN_FILE, json.dumps(paths, ensure_ascii=False))


def _files_to_read_again(folder: Path) -> set[str]:
    try:
        paths = json.loads((folder / READ_AGAIN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()  # none (or unreadable: then its checksum says so)
    return {path for path in paths if isinstance(path, str)} if isinstance(paths, list) else set()


def _damage(folder: Path) -> list[Damage]:
    """The damaged files of a generation: those derived from its segments (`_is_derived`) are written again by
    an update; the others (segments, metadata) only a rebuild replaces."""
    commit = latest_commit(folder)
    damage = verify(folder, commit)
    if not is_sealed(folder, commit):  # no checksum vouches for the newest commit: can Whoosh read it?
        try:
            with _mapped_reader(folder) as reader:
                reader.doc_count_all()
        except WHOOSH_DAMAGE_ERRORS as error:
            damage.append(Damage(f"_MAIN_{commit}.toc", f"unreadable ({type(error).__name__}: {error})"))
    return damage


def _is_derived(name: str) -> bool:
    return name in DERIVED_FILES or name.startswith(f"{SPELLING_DIR}/")


@contextlib.contextmanager
def _mapped_reader(folder: Path):
    """A reader of the committed index, through shared maps: Whoosh's own FileStorage copies
    every segment into memory (700 MB at 100,000 articles)."""
    storage = MappedStorage(str(folder))
    try:
        with FileIndex(storage).reader() as reader:
            yield reader
    finally:
        storage.close()


def _save_derived(folder: Path, only_if_stale: bool = False) -> None:
    """Write what searching derives from the committed index: column store, spelling table, query knowledge.

    They are computed once here, at indexing time, so that no search has to
    (facet counts, date order, did-you-mean, names in queries).
    """
    with _mapped_reader(folder) as reader:
        if not only_if_stale or not store_is_current(folder, reader) or not has_merges(folder):
            tables = build_tables(reader)
            merges = _discover_merges(tables)
            save_merges(folder, merges)
            save_store(folder, reader, merges, tables)
        if not only_if_stale or not has_spelling(folder):
            build_spelling(folder, reader)
    save_query_snapshot(folder)


def _discover_merges(tables: dict) -> Merges:
    """The discovered names that are one entity, from every value the index holds (see index/merging.py)."""
    counts = {kind: value_counts(tables[kind]) for kind in MERGED_KINDS}
    if not any(counts.values()):
        return NO_MERGES  # built without entities
    knowledge = load_knowledge()
    known = {key for key in knowledge.entities_by_value if key[0] in MERGED_KINDS}
    return find_merges(counts, known, knowledge.given_names)


def _indexed_files(reader) -> dict[str, str]:
    """{path: content hash} of every corpus file the index holds, from its lexicon.

    Each article carries its file's key, "path, hash, run" (the commit that
    indexed it). An update re-indexes only the articles of a file that changed
    (and always its first, so that one carries the new key): the others keep
    the key of an older run, and the newest run's key is the file's. Deleting
    documents leaves their terms in the lexicon until segments merge, so with
    deletions each file key must still have a live document.
    """
    newest: dict[str, tuple[int, str]] = {}
    for term in reader.lexicon(f.FILE_KEY):
        if reader.has_deletions() and not _is_live(reader, f.FILE_KEY, term):
            continue
        path, content_hash, *run = term.decode("utf-8").split("\x00")
        stamp = int(run[0]) if run and run[0].isdigit() else 0
        if stamp >= newest.get(path, (-1, ""))[0]:
            newest[path] = (stamp, content_hash)
    return {path: content_hash for path, (_, content_hash) in newest.items()}


def _indexed_articles(reader, path: str) -> dict[str, str]:
    """{article id: its `article_key`} of the live articles the index holds from the corpus file ``path``."""
    found = {}
    for term in reader.expand_prefix(f.ARTICLE_KEY, f"{path}\x00"):
        if reader.has_deletions() and not _is_live(reader, f.ARTICLE_KEY, term):
            continue
        key = term.decode("utf-8") if isinstance(term, bytes) else term
        found[article_id(key)] = key
    return found


def _file_key(path: str, content_hash: str, run: int) -> str:
    """The record each article carries of its file: the file's content hash, and the run that indexed it."""
    return f"{path}\x00{content_hash}\x00{run}"


def _is_live(reader, field: str, term) -> bool:
    return any(not reader.is_deleted(d) for d in reader.postings(field, term).all_ids())


def _writer(ix, whoosh_writer: bool, workers: int, **kwargs):
    """The writer of one run: ours (`BulkWriter`, segments written in bulk), or Whoosh's own, in as many
    processes as ours would use (``procs``, one segment each), to compare with."""
    if not whoosh_writer:
        return BulkWriter(ix, limitmb=WRITER_MEMORY_MB, **kwargs)
    if workers > 1:
        return ix.writer(procs=workers, multisegment=True, limitmb=WRITER_MEMORY_MB // workers, **kwargs)
    return ix.writer(limitmb=WRITER_MEMORY_MB, **kwargs)


def _add_files(writer, files: list[CorpusFile], report: IndexReport, skip, progress: Progress | None,
               with_entities: bool, workers: int, run: int, kept: dict[str, dict[str, str]] | None = None) -> set[str]:
    """Index the documents of ``files``; return the paths that yielded at least one.

    A file that yields none (empty, binary, all lines broken) leaves no trace in
    the index, so it is read again, and warned about again, on the next run.
    ``kept`` holds, for files the index has already, the `article_key` of each
    article it holds ({path: {id: key}}): an article read as it was indexed
    stays as it is, but for the first of its file (it carries the file's new key,
    of this ``run``); the others are deleted once the file is read (changed, or gone).
    """
    kept = kept or {}
    unchanged: dict[str, set[str]] = defaultdict(set)
    carried: set[str] = set()

    def to_index(document) -> bool:
        known = kept.get(document.path)
        if known is None:
            return True
        if document.path not in carried:  # the file's first article carries its new record
            carried.add(document.path)
            return True
        if known.get(document.id) == article_key(document):
            unchanged[document.path].add(document.id)
            return False
        return True

    sizes = {file.path: _size(file) for file in files}
    total = sum(sizes.values())
    workers = workers if total >= PARALLEL_MIN_BYTES else 0
    # Files are read in order: the bytes before a document's file are done once all its documents are.
    paths = [file.path for file in files]
    before = dict(zip(paths, itertools.accumulate((sizes[path] for path in paths), initial=0)))
    keys = {file.path: _file_key(file.path, file.content_hash, run) for file in files}
    added: set[str] = set()
    done = 0

    def keyed(document):
        if document.content_hash:  # the file changed since the scan: record the content actually indexed
            keys[document.path] = _file_key(document.path, document.content_hash, run)
        return document, keys[document.path]

    def indexed(path: str, lang: str, read_to: int | None) -> None:
        nonlocal done
        report.languages[lang] += 1
        report.documents_indexed += 1
        added.add(path)
        if progress:  # workers finish documents a little out of order: the bar never goes back
            within = sizes[path] if read_to is None else min(read_to, sizes[path])
            done = max(done, before[path] + within)
            progress(done, total, report.documents_indexed)

    documents = (document for file in files for document in read_file(file, skip) if to_index(document))
    if isinstance(writer, BulkWriter):
        items = (keyed(document) for document in documents)
        writer.add_segments(build_segments(items, writer.storage.folder, writer.indexname, with_entities, workers,
                                           indexed))
    else:
        for document, fields in prepared(documents, with_entities, workers):
            writer.add_document(file_key=keyed(document)[1], **fields)
            indexed(document.path, fields[f.LANG], document.read_to)
    for path, known in kept.items():
        for doc_id, key in known.items():
            if doc_id not in unchanged[path]:
                writer.delete_by_term(f.ARTICLE_KEY, key)  # its old version, or an article the file no longer has
    if progress:
        progress(total, total, report.documents_indexed)
    return added


def _cancel(writer) -> None:
    if not writer.is_closed:
        writer.cancel()


def _size(file: CorpusFile) -> int:
    try:
        return file.abs_path.stat().st_size
    except OSError:
        return 0
