"""Writing a corpus into a Sphinx / Manticore cluster: the cluster backend's side of indexing.

The product's own work is the same as for the embedded index: the corpus is
scanned and read by ``index/reader.py``, each article's language is decided
and its entities extracted as ``index/prepare.py`` does (in the same worker
pool). Only the last step differs: instead of Whoosh postings, each article
becomes one row of its language's real-time index (``rt_<lang>``, stemmed by
Sphinx with that language's Snowball stemmer) on the node its id hashes to.

Text is sent folded (``index.analysis.fold``), so that matching folds case and
accents exactly as the embedded index does; the article as written is kept in
the ``stored`` attribute, for display and snippets.

Updates are incremental by content hash, and the hashes live in the cluster,
so any machine can bring it up to date: a file whose hash is unchanged is not
read again, a changed one replaces its articles, a file gone deletes them
(with the same guard against losing much of the index as the embedded one).
"""
from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable

from index.analysis import fold, words
from index.entities import extract_entities
from index.errors import CorpusNotFound, WouldLoseDocuments
from index.language import document_language
from index.prepare import default_workers, grouped_mentions, prepared
from index.reader import Document, Skipped, read_file, scan_corpus
from index.schema import ENTITY_FACETS
from index.spelling import delete_hashes, is_suggestible
from index.sphinx_client import (DISTRIBUTED, EVERY_DOCUMENT, ClusterUnavailable, connect, date_number, document_number, index_of,
                                 node_of, parse_location, value_key, value_token, word_number)
from index.sphinx_nodes import NAMES, STORE, WORDS
from index.writer import IndexReport, Progress, would_lose_too_much

BATCH_BYTES = 2_000_000  # one REPLACE statement; searchd's default max_packet_size is 8 MB
PAGE = 5_000  # rows per page when reading what the cluster holds
VOCABULARY_BATCH = 2_000  # words per statement


def build_cluster_index(corpus_dir: Path | str, location: str, *, rebuild: bool = False,
                        progress: Progress | None = None, warn: Callable[[Skipped], None] | None = None,
                        force: bool = False, workers: int | None = None) -> IndexReport:
    """Bring the cluster at ``location`` up to date with ``corpus_dir``; ``rebuild`` rewrites every article.

    :raise ClusterUnavailable: when a node cannot be reached (every node must be, to write).
    :raise WouldLoseDocuments: when the update would delete many articles, unless ``force``.
    """
    if not str(corpus_dir or "").strip() or not Path(corpus_dir).is_dir():
        raise CorpusNotFound(str(corpus_dir or ""))
    started = time.monotonic()
    cluster = parse_location(location)
    report = IndexReport(rebuilt=rebuild)

    def skip(item: Skipped) -> None:
        report.skipped.append(item)
        if warn:
            warn(item)

    connections = [_connect(host, port) for host, port in cluster.nodes]
    try:
        files = scan_corpus(Path(corpus_dir), skip)
        held = _held_documents(connections[0])
        by_path: dict[str, list[tuple[int, str]]] = defaultdict(list)
        hashes: dict[str, str] = {}
        for number, path, lang, content_hash in held:
            by_path[path].append((number, lang))
            hashes[path] = content_hash
        on_disk = {file.path: file for file in files}
        gone = [path for path in by_path if path not in on_disk]
        lost = sum(len(by_path[path]) for path in gone)
        if not force and would_lose_too_much(lost, len(held)):
            raise WouldLoseDocuments(cluster.url, f"{len(gone)} of its corpus files are gone from {str(corpus_dir)!r}, "
                                                  f"and with them {lost:,} of its {len(held):,} articles")
        to_read = [file for file in files if rebuild or hashes.get(file.path) != file.content_hash]
        report.added_files = sum(1 for file in to_read if file.path not in hashes)
        report.updated_files = len(to_read) - report.added_files
        report.removed_files = len(gone)
        report.unchanged_files = len(files) - len(to_read)
        stale = [entry for path in gone + [file.path for file in to_read] for entry in by_path.get(path, ())]
        _delete(connections, stale)
        total_bytes = sum(file.abs_path.stat().st_size for file in to_read) or 1
        done_bytes = 0
        batches: dict[tuple[int, str], list[tuple]] = defaultdict(list)
        written: set[str] = set()  # the indexes rows went to: each is flushed at the end
        sizes: dict[tuple[int, str], int] = defaultdict(int)

        def documents():
            nonlocal done_bytes
            for file in to_read:
                for document in read_file(file, skip):
                    yield document if document.content_hash else _with_hash(document, file.content_hash)
                done_bytes += file.abs_path.stat().st_size
        workers = default_workers() if workers is None else workers
        vocabulary: Counter = Counter()  # word → articles of this run that have it
        for document, row in prepared(documents(), True, workers, prepare=cluster_row):
            key = (node_of(row[0], len(connections)), index_of(row[4]))
            written.add(key[1])
            vocabulary.update(row[14])
            batches[key].append(row[:14])
            sizes[key] += len(row[1]) + len(row[2]) + len(row[7])
            report.documents_indexed += 1
            report.languages[row[4]] += 1
            if sizes[key] > BATCH_BYTES:
                _replace(connections[key[0]], key[1], batches.pop(key))
                sizes[key] = 0
            if progress:
                progress(done_bytes, total_bytes, report.documents_indexed)
        for (node, index), rows in batches.items():
            _replace(connections[node], index, rows)
        _write_vocabulary(connections, vocabulary, add_to_held=not rebuild)
        for connection in connections:  # make the writes durable: RT indexes flush their RAM chunk to disk
            for index in written | {index_of(lang) for _, lang in stale} | {STORE, NAMES, WORDS}:
                _execute(connection, f"FLUSH RTINDEX {index}")
    finally:
        for connection in connections:
            connection.close()
    report.took_s = time.monotonic() - started
    return report


def cluster_row(document: Document, with_entities: bool = True) -> tuple:
    """One article as a row of its language's real-time index (in a worker process).

    (number, title, body, entities, lang, doc_id, path, stored, content_hash, facet_values, people, countries,
    orgs, day, vocabulary):
    title and body folded for matching, the facet values as keys (counting) and as tokens (matching), and
    the distinct words a "did you mean" may offer.
    """
    lang = document_language(document.lang, document.title, document.text)
    searchable = f"{document.title}\n{document.text}"
    text_words = list(words(searchable))  # read once, for the entities and the vocabulary
    extraction = extract_entities(searchable, lang, text_words=text_words) if with_entities else None
    values = {kind: list(extraction.values(kind)) if extraction else [] for kind in ENTITY_FACETS}
    stored = {"id": document.id, "title": document.title, "text": document.text, "date": document.date, "url": document.url,
              "source": document.source, "path": document.path, "lang": lang, **values,
              "entities": grouped_mentions(extraction, len(document.title) + 1) if extraction else {}}
    tokens = [value_token(kind, value) for kind in ENTITY_FACETS for value in values[kind]]
    tokens += [value_token("lang", lang), EVERY_DOCUMENT]
    return (document_number(document.id), fold(document.title), fold(document.text), " ".join(tokens), lang,
            document.id, document.path, json.dumps(stored, ensure_ascii=False), document.content_hash or "",
            json.dumps(values, ensure_ascii=False),
            tuple(value_key("person", v) for v in values["person"]),
            tuple(value_key("country", v) for v in values["country"]),
            tuple(value_key("org", v) for v in values["org"]), date_number(document.date),
            tuple({folded for word, _, _, whole in text_words if not whole
                   for folded in [fold(word)] if is_suggestible(folded)}))


def _with_hash(document: Document, content_hash: str) -> Document:
    from dataclasses import replace

    return replace(document, content_hash=content_hash)


def _replace(connection, index: str, rows: list[tuple]) -> None:
    columns = ("id, title, body, entities, lang, doc_id, path, content_hash, facet_values, person_keys, "
               "country_keys, org_keys, lang_key, day, year")
    values, args = [], []
    for (number, title, body, entities, lang, doc_id, path, stored, content_hash, facet_values, people, countries,
         orgs, day) in rows:
        values.append(f"({number}, %s, %s, %s, %s, %s, %s, %s, %s, ({_keys(people)}), ({_keys(countries)}), "
                      f"({_keys(orgs)}), {value_key('lang', lang)}, {day}, {day // 10000})")
        args += [title, body, entities, lang, doc_id, path, content_hash, facet_values]
    _execute(connection, f"REPLACE INTO {STORE} (id, stored) VALUES {', '.join(['(%s, %s)'] * len(rows))}",
             [value for row in rows for value in (row[0], row[7])])
    _execute(connection, f"REPLACE INTO {index} ({columns}) VALUES {', '.join(values)}", args)
    names = {value_key(kind, value): value for row in rows for kind, value in _facet_values(row[9])}
    if names:
        _execute(connection, f"REPLACE INTO {NAMES} (id, value) VALUES {', '.join(['(%s, %s)'] * len(names))}",
                 [item for pair in names.items() for item in pair])


def _facet_values(facet_values: str):
    for kind, values in json.loads(facet_values).items():
        for value in values:
            yield kind, value


def _write_vocabulary(connections: list, vocabulary: Counter, add_to_held: bool) -> None:
    """Each word of the run, on the node its hash names, with its articles and its deletes' hashes.

    An update adds its articles to the counts the cluster holds; a rebuild writes them anew. Counts are
    never lowered when articles go: a "did you mean" is only offered once its query has results, so a
    word whose articles are gone is tried and left out.
    """
    by_node: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for word, count in vocabulary.items():
        number = word_number(word)
        by_node[node_of(number, len(connections))].append((number, word, count))
    for node, entries in by_node.items():
        for start in range(0, len(entries), VOCABULARY_BATCH):
            part = entries[start:start + VOCABULARY_BATCH]
            held = {}
            if add_to_held:
                held = dict(_execute(connections[node], f"SELECT id, documents FROM {WORDS} WHERE id IN "
                                                        f"({', '.join(str(n) for n, _, _ in part)}) "
                                                        f"LIMIT {len(part)} OPTION max_matches={len(part)}"))
            rows = [f"({number}, %s, {count + int(held.get(number, 0))}, ({_keys(delete_hashes(word))}))"
                    for number, word, count in part]
            _execute(connections[node], f"REPLACE INTO {WORDS} (id, word, documents, deletes) VALUES "
                                        f"{', '.join(rows)}", [word for _, word, _ in part])


def _keys(keys: tuple[int, ...]) -> str:
    return ", ".join(str(int(key)) for key in sorted(set(keys)))


def _delete(connections: list, entries: list[tuple[int, str]]) -> None:
    """Delete the articles (number, lang) from the index and node each was written to."""
    grouped: dict[tuple[int, str], list[int]] = defaultdict(list)
    for number, lang in entries:
        grouped[(node_of(number, len(connections)), index_of(lang))].append(number)
    for (node, index), numbers in grouped.items():
        for start in range(0, len(numbers), 1000):
            listed = ", ".join(str(n) for n in numbers[start:start + 1000])
            _execute(connections[node], f"DELETE FROM {index} WHERE id IN ({listed})")
            _execute(connections[node], f"DELETE FROM {STORE} WHERE id IN ({listed})")


def _held_documents(connection) -> list[tuple[int, str, str, str]]:
    """(number, path, lang, content_hash) of every article the cluster holds, read in pages by id."""
    held, last = [], 0
    while True:
        rows = _execute(connection, f"SELECT id, path, lang, content_hash FROM {DISTRIBUTED} WHERE id > {last} "
                                    f"ORDER BY id ASC LIMIT {PAGE} OPTION max_matches={PAGE}")
        held += [(int(number), path, lang, content_hash) for number, path, lang, content_hash in rows]
        if len(rows) < PAGE:
            return held
        last = int(rows[-1][0])


def _connect(host: str, port: int):
    try:
        return connect(host, port)
    except Exception as error:  # pymysql's OperationalError, a refused or timed-out socket
        raise ClusterUnavailable(f"cannot write to the cluster: node {host}:{port} does not answer ({_reason(error)}); "
                                 "every node must run to write (corpus-search cluster start)") from None


def _execute(connection, statement: str, args=None):
    import pymysql

    try:
        with connection.cursor() as cursor:
            cursor.execute(statement, args)
            return cursor.fetchall()
    except pymysql.MySQLError as error:
        raise ClusterUnavailable(f"the cluster refused a write ({_reason(error)})") from None


def _reason(error: Exception) -> str:
    args = getattr(error, "args", ())
    return str(args[-1]) if args else str(error)
