"""One document → the fields the index stores, ready to write; in parallel worker processes.

Everything that costs CPU per article happens here, away from the single
Whoosh writer: language detection, entity extraction, the analysis of every
text field into postings (`Preindexed`), and compressing what is stored. The
writer process only appends postings. Profile of the serial pipeline on
10,000 articles: analysis 75%, entities 15%, language 5%, Whoosh's own
posting work 5%.
"""
from __future__ import annotations

import functools
import hashlib
import multiprocessing
import multiprocessing.util
import os
import signal
from collections import defaultdict
from typing import Iterable, Iterator

from index import schema as f
from whoosh.system import pack_uint

from index.analysis import fold, has_stemmer, stem_variants, stop_words, words
from index.entities import Extraction, extract_entities
from index.knowledge import load_knowledge
from index.language import detect_language, document_language
from index.reader import Document

# Below this much text, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 2_000_000
CHUNK = 16


def article_key(document: Document) -> str:
    """What the index records of an article: its file, its id and a hash of everything indexed from it.

    An update compares it with the article as the changed file now has it, and re-indexes the article only
    if they differ (`index.writer`): one article edited in a file of thousands is one article indexed again.
    """
    content = "\x00".join(value or "" for value in (document.title, document.text, document.lang, document.date,
                                                    document.url, document.source))
    digest = hashlib.blake2b(content.encode("utf-8"), digest_size=8).hexdigest()  # 64 bits: one article's versions
    return f"{document.path}\x00{document.id}\x00{digest}"


def article_id(key: str) -> str:
    """The id an `article_key` names."""
    return key.split("\x00", 1)[1].rpartition("\x00")[0]


def prepare_document(document: Document, with_entities: bool = True) -> dict:
    """The Whoosh fields of one document: language decided, text analyzed, entities extracted."""
    schema = index_schema()
    lang = document_language(document.lang, document.title, document.text)
    searchable = f"{document.title}\n{document.text}"
    text_words = list(words(searchable))  # read once, for the postings and for the entities
    exact, stemmed = text_postings(searchable, lang, schema, text_words)
    fields = {
        f.ID: document.id,
        f.PATH: document.path,
        f.ARTICLE_KEY: article_key(document),
        f.TITLE: f.preindex(schema, f.TITLE, document.title),
        f"_stored_{f.TITLE}": document.title,
        f.EXACT: exact,
        f.TEXT: document.text,
        f.LANG: lang,
        f.DATE: document.date or "",
        f.URL: document.url,
        f.SOURCE: document.source,
    }
    if stemmed is not None:
        fields[f.stemmed_field(lang)] = stemmed
    if with_entities:
        fields.update(entity_fields(extract_entities(searchable, lang, text_words=text_words),
                                    title_length=len(document.title) + 1))
    return fields


def text_postings(text: str, lang: str, schema,
                  text_words: list | None = None) -> tuple[f.Preindexed, f.Preindexed | None]:
    """The postings of ``exact`` and of the language's stemmed field, from one pass over the words.

    The same terms as the two analyzers of the schema would make (a test holds
    them equal), at a third of the cost: the words are read once, and folding
    and stemming come from per-word caches instead of a chain of generators.
    ``text_words`` is ``list(words(text))`` when the caller has read it already.
    """
    positions: dict[str, list[int]] = defaultdict(list)
    stems: dict[str, int] = defaultdict(int)
    stemming = has_stemmer(lang)
    stops = stop_words(lang) if stemming else frozenset()
    pos = -1
    for word, _, _, is_whole in words(text) if text_words is None else text_words:
        if not is_whole:
            pos += 1
        positions[fold(word)].append(pos)
        if stemming:
            lower = word.lower()
            if lower not in stops:
                for variant in stem_variants(lang, lower):
                    stems[variant] += 1
    exact_format = schema[f.EXACT].format
    boost = exact_format.field_boost
    exact = f.Preindexed(
        (term.encode("utf-8"), len(poses), len(poses) * boost, exact_format.encode(poses))
        for term, poses in positions.items()
    )
    if not stemming:
        return exact, None
    boost = schema[f.stemmed_field(lang)].format.field_boost
    stemmed = f.Preindexed(
        (term.encode("utf-8"), freq, freq * boost, pack_uint(freq)) for term, freq in stems.items()
    )
    return exact, stemmed


def entity_fields(extraction: Extraction, title_length: int) -> dict:
    """The facet fields of one document, and its mentions for display.

    Mentions are stored with offsets into the article text (negative: in the
    title), grouped by entity: {"person": [[value, is_new, [[start, end, surface], …]], …], …}.
    """
    fields: dict = {}
    for kind in f.ENTITY_FACETS:
        values = extraction.values(kind)
        fields[kind] = f.VALUE_SEPARATOR.join(f.keyword_term(value) for value in values)
        fields[f.facet_column(kind)] = "\x1f".join(values).encode("utf-8")
    fields[f.ENTITIES] = grouped_mentions(extraction, title_length)
    return fields


def grouped_mentions(extraction: Extraction, title_length: int) -> dict:
    """The mentions of each entity, with offsets into the article text (negative: in the title):
    {"person": [[value, is_new, [[start, end, surface], …]], …], …, "proposals": […]}."""
    grouped: dict[str, dict[str, list]] = {kind: {} for kind in f.ENTITY_FACETS}
    for mention in extraction.mentions:
        entry = grouped[mention.kind].setdefault(mention.value, [mention.value, mention.is_new, []])
        entry[2].append([mention.start - title_length, mention.end - title_length, mention.text])
    stored = {kind: list(entries.values()) for kind, entries in grouped.items()}
    stored["proposals"] = [[p.text, p.candidate, p.distance] for p in extraction.proposals]
    return stored


def default_workers() -> int:
    """Worker processes an indexing run starts unless told: one per core but one, left to searches.

    The workers run niced (`WORKER_NICENESS`) and do nearly all the work, the
    writer only appends: measured on 2 cores with two clients searching, one
    worker kept their p95 at 18 ms during a rebuild (22 s); preparing in the
    writer's own, un-niced process instead made it 27 ms (30 s).
    """
    return max(1, (os.cpu_count() or 1) - 1)


def prepared(documents: Iterable[Document], with_entities: bool, workers: int,
             prepare=prepare_document) -> Iterator[tuple[Document, dict]]:
    """(document, ``prepare(document, with_entities)``) for each document, in order; by ``workers`` worker
    processes (0: in this one). ``prepare`` is the embedded index's fields by default, a cluster row for
    the cluster backend (``index/sphinx_writer.py``): a module-level function, so that workers can run it."""
    if workers < 1:
        for document in documents:
            yield document, prepare(document, with_entities)
        return
    # fork: the workers inherit the loaded knowledge base and language model instead of loading their own.
    if with_entities:
        load_knowledge()
    detect_language("Il ministro è arrivato a Mosca.")
    context = multiprocessing.get_context("fork")
    pool = context.Pool(workers, initializer=_ignore_interrupts)
    try:
        work = functools.partial(_prepare_pair, with_entities=with_entities, prepare=prepare)
        yield from pool.imap(work, documents, chunksize=CHUNK)
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def _prepare_pair(document: Document, with_entities: bool, prepare=prepare_document) -> tuple[Document, dict]:
    return document, prepare(document, with_entities)


def _ignore_interrupts() -> None:
    # Ctrl-C is the parent's to handle: it cancels the writer and stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


WORKER_NICENESS = 10  # searches on the same machine come first
_PR_SET_PDEATHSIG = 1


class _ChildMarker:
    """What multiprocessing's after-fork registry is keyed on (it holds a weak reference)."""


_CHILD_MARKER = _ChildMarker()


@functools.cache
def bind_worker_processes() -> None:
    """Make every process this indexer starts from now on (our pool, Whoosh's sub-writers) die with it.

    A killed indexer left 2–4 workers asleep for minutes, holding 880 MB.
    multiprocessing runs the registered function in each child it starts;
    it asks Linux to send the child SIGKILL when its parent dies, and lowers
    the child's priority. Once per process.
    """
    multiprocessing.util.register_after_fork(_CHILD_MARKER, _as_a_worker)


def _as_a_worker(_marker) -> None:
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the pool's own shutdown is all there is
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        os._exit(0)  # the indexer died before the request was made
    try:
        os.setpriority(os.PRIO_PROCESS, 0, max(WORKER_NICENESS, os.getpriority(os.PRIO_PROCESS, 0)))
    except OSError:
        pass


@functools.cache
def index_schema():
    return f.build_schema()
