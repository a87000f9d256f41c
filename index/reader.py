"""Reading the corpus: files on disk → `Document`s.

Three formats, chosen by extension:

- ``.txt``: the first non-empty line is the title, the rest the text;
- ``.md`` / ``.markdown``: an optional front-matter block between ``---`` lines
  (``title``, ``date``, ``lang``, ``url``, ``source``), then the body;
- ``.jsonl``: one article per line with ``id``, ``title``, ``text`` and optional
  ``lang``, ``date``, ``url``, ``source``.

A document's id is its path relative to the corpus folder (for JSON Lines,
``path#id``). Whatever cannot be read is reported through ``warn`` as a
`Skipped` naming file and line, and reading goes on: one bad file must never
cost the rest of the corpus.
"""
from __future__ import annotations

import codecs
import datetime
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

TEXT_SUFFIXES = (".txt",)
MARKDOWN_SUFFIXES = (".md", ".markdown")
JSONL_SUFFIXES = (".jsonl",)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + MARKDOWN_SUFFIXES + JSONL_SUFFIXES
METADATA_KEYS = ("lang", "date", "url", "source")

# Bounds that keep one pathological file from exhausting memory. A whole
# .txt/.md file is one article; a JSON Lines file is streamed line by line.
MAX_ARTICLE_BYTES = 20 * 1024 * 1024
MAX_TITLE_CHARS = 300


@dataclass(frozen=True)
class Document:
    """One article as read from the corpus, before any analysis."""

    id: str
    path: str  # the corpus file it came from, relative to the corpus folder
    title: str
    text: str
    lang: str | None = None  # as given in metadata; detection fills the rest later
    date: str | None = None
    url: str | None = None
    source: str | None = None
    # The hash of the bytes actually read, when they are not those the scan hashed (the file changed in
    # between): the index must record what it holds, or editing the file back would leave it stale.
    content_hash: str | None = None
    # How far into its file the reader was once this document was read (bytes; None: the whole file), so that
    # progress follows the bytes actually read, not a JSONL file's full size at its first line.
    read_to: int | None = None


@dataclass(frozen=True)
class CorpusFile:
    """A readable-looking file of the corpus, with the hash of its content."""

    path: str  # relative, with forward slashes: part of every document id
    abs_path: Path
    content_hash: str


@dataclass(frozen=True)
class Skipped:
    """Something the reader could not use, said in one line."""

    path: str
    reason: str
    line: int | None = None
    kept: bool = False  # the document is indexed all the same, without what the reason names
    read_again: bool = False  # the file changed while it was read: the next run must index it again

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}" if self.kept else f"skipped {where}: {self.reason}"


Warn = Callable[[Skipped], None]


def scan_corpus(corpus_dir: Path, warn: Warn) -> list[CorpusFile]:
    """List the corpus files with the hashes of their content, sorted by path.

    Hidden files and folders are ignored; symlinked folders are not followed
    (a symlink loop cannot trap the walk); unsupported extensions are ignored;
    a corpus's documentation (README, SOURCES, LICENSE…) is skipped, with a warning.
    """
    files = []
    inside = corpus_dir.resolve()
    for root, dirnames, filenames in os.walk(corpus_dir, onerror=lambda e: warn(_os_skip(corpus_dir, e))):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and (Path(root) / d).resolve() not in PSEUDO_FILESYSTEMS)
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(SUPPORTED_SUFFIXES):
                continue
            abs_path = Path(root) / name
            rel = abs_path.relative_to(corpus_dir).as_posix()
            if is_documentation(name):
                warn(Skipped(rel, "a corpus's own documentation, not an article (README, SOURCES, LICENSE…)"))
                continue
            if not _is_valid_unicode(rel):
                warn(Skipped(rel.encode("utf-8", "replace").decode("utf-8"), "the file name is not valid UTF-8"))
                continue
            try:
                problem = _not_a_corpus_file(abs_path, inside)
                if problem:
                    warn(Skipped(rel, problem))
                    continue
                files.append(CorpusFile(rel, abs_path, hash_file(abs_path)))
            except OSError as e:
                warn(Skipped(rel, f"cannot read ({e.strerror or e})"))
    return files


# What a corpus folder says about itself (where its articles come from, under which licence): never an article.
DOCUMENTATION_NAMES = frozenset({"readme", "sources", "license", "licence", "copying", "notice", "changelog",
                                 "authors", "citation"})


def is_documentation(name: str) -> bool:
    """Whether a file name is a corpus's documentation (``README.md``, ``SOURCES.txt``, ``LICENSE``…)."""
    return name.split(".")[0].lower() in DOCUMENTATION_NAMES


# Trees of the kernel's files, which never end or never hold articles (a corpus linked to "/").
PSEUDO_FILESYSTEMS = frozenset(Path(p) for p in ("/proc", "/sys", "/dev", "/run"))


def _not_a_corpus_file(path: Path, corpus: Path) -> str | None:
    """Why ``path`` is not read: a FIFO, device or socket (reading it may never end), or a link out of the corpus."""
    if path.is_symlink():
        target = path.resolve()
        if target != corpus and corpus not in target.parents:
            return f"a link to {str(target)!r}, outside the corpus folder"
    if not stat.S_ISREG(path.stat().st_mode):
        return "not a regular file (a pipe, device or socket)"
    return None


def _is_valid_unicode(text: str) -> bool:
    """False for text with lone surrogates (from a JSON escape or an undecodable file name): it cannot be stored."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _digest():
    return hashlib.blake2b(digest_size=16)


def hash_file(path: Path) -> str:
    digest = _digest()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_file(corpus_file: CorpusFile, warn: Warn) -> Iterator[Document]:
    """Yield the documents of one corpus file; report what cannot be used."""
    rel = corpus_file.path
    try:
        if rel.lower().endswith(JSONL_SUFFIXES):
            yield from _read_jsonl(corpus_file, warn)
            return
        size = corpus_file.abs_path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            warn(Skipped(rel, f"too large for one article ({size / 1e6:.0f} MB, limit {MAX_ARTICLE_BYTES / 1e6:.0f} MB)"))
            return
        raw = corpus_file.abs_path.read_bytes()
    except OSError as e:
        warn(Skipped(rel, f"cannot read ({e.strerror or e})"))
        return
    text, problem = decode(raw)
    if problem:
        warn(Skipped(rel, problem))
        return
    if rel.lower().endswith(MARKDOWN_SUFFIXES):
        document = _markdown_document(rel, text, warn)
    else:
        document = _text_document(rel, text)
    if document is None:
        warn(Skipped(rel, "no text"))
        return
    digest = _digest()
    digest.update(raw)
    if digest.hexdigest() != corpus_file.content_hash:
        warn(Skipped(rel, "changed while indexing: indexed as it is now", kept=True))
        document = replace(document, content_hash=digest.hexdigest())
    yield document


def decode(raw: bytes) -> tuple[str, str | None]:
    """Decode file bytes as UTF-8 (or UTF-16/32 with a BOM); say why not if impossible."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            break
    else:
        encoding = "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as e:
        return "", f"not valid {encoding.upper()} at byte {e.start}; re-encode the file as UTF-8"
    if "\x00" in text:
        return "", "binary content (NUL bytes)"
    return text, None


def _text_document(rel: str, text: str) -> Document | None:
    lines = text.strip().splitlines()
    if not lines:
        return None
    title, body = lines[0].strip(), "\n".join(lines[1:]).strip()
    return Document(id=rel, path=rel, title=_clip_title(title), text=body)


def _markdown_document(rel: str, text: str, warn: Warn) -> Document | None:
    meta, body = split_front_matter(text)
    body = body.strip()
    title = (meta.get("title") or "").strip()
    if not title:
        first, _, rest = body.partition("\n")
        if first.startswith("#"):
            title, body = first.lstrip("#").strip(), rest.strip()
        else:
            title = first.strip()
    if not title and not body:
        return None
    return Document(
        id=rel,
        path=rel,
        title=_clip_title(title),
        text=body,
        **_metadata(meta, rel, None, warn),
    )


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a ``---``-delimited block of ``key: value`` lines from a Markdown body.

    Only flat string values are read: that is all our metadata needs, and it
    keeps a YAML library (and its surprises, such as ``no`` becoming False) out.
    """
    stripped = text.lstrip("\ufeff")
    if not stripped.startswith("---"):
        return {}, text
    lines = stripped.splitlines()
    for end, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            break
    else:
        return {}, text
    meta = {}
    for line in lines[1:end]:
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, "\n".join(lines[end + 1 :])


def _read_jsonl(corpus_file: CorpusFile, warn: Warn) -> Iterator[Document]:
    rel = corpus_file.path
    seen: set[str] = set()
    line_ids: set[str] = set()  # ids made from line numbers (records without one)
    digest = _digest()
    with open(corpus_file.abs_path, "rb") as f:
        for number, raw in enumerate(_bounded_lines(f, digest), start=1):
            if raw is None:
                warn(Skipped(rel, f"line longer than {MAX_ARTICLE_BYTES / 1e6:.0f} MB", number))
                continue
            if not raw.strip():
                continue
            line, problem = decode(raw)
            if problem:
                warn(Skipped(rel, problem, number))
                continue
            try:
                record = json.loads(line)
            except ValueError as e:
                warn(Skipped(rel, f"malformed JSON ({e})", number))
                continue
            except RecursionError:
                warn(Skipped(rel, "JSON nested too deep", number))
                continue
            if not isinstance(record, dict):
                warn(Skipped(rel, "not a JSON object", number))
                continue
            # The line itself was decoded from valid UTF-8: only a \u escape can make a lone surrogate.
            if "\\u" in line and not _is_valid_unicode(json.dumps(record, ensure_ascii=False)):
                warn(Skipped(rel, "invalid Unicode (a lone surrogate such as \\ud800)", number))
                continue
            text = record.get("text")
            if not isinstance(text, str) or not text.strip():
                warn(Skipped(rel, "no 'text'", number))
                continue
            given = _clean_id(record.get("id"))
            local_id = given or str(number)
            if local_id in seen and (not given or local_id in line_ids):
                # A line number and an explicit id that happen to be equal are two articles, not one twice.
                local_id = f"{local_id} (line {number})"
                warn(Skipped(rel, f"id {given or str(number)!r} is taken: indexed as {local_id!r}", number, kept=True))
            if local_id in seen:
                warn(Skipped(rel, f"duplicate id {local_id!r}", number))
                continue
            seen.add(local_id)
            if not given:
                line_ids.add(local_id)
            title = _clean(record.get("title")) or _title_from_text(text)
            yield Document(
                id=f"{rel}#{local_id}",
                path=rel,
                title=_clip_title(title),
                text=text.strip(),
                read_to=f.tell(),
                **_metadata(record, rel, number, warn),
            )
    if digest.hexdigest() != corpus_file.content_hash:
        # Its articles went to the index as they were read, under the scan's hash, which no longer says
        # what the index holds: the writer records the file to be read again by the next run.
        warn(Skipped(rel, "changed while indexing: the next `corpus-search index` reads it again",
                     kept=True, read_again=True))


def _bounded_lines(f, digest) -> Iterator[bytes | None]:
    """The lines of a binary file; None for a line over ``MAX_ARTICLE_BYTES``, never held in memory whole.

    Every byte read goes into ``digest``: the hash of what was actually indexed.
    """
    while True:
        line = f.readline(MAX_ARTICLE_BYTES + 1)
        digest.update(line)
        if not line:
            return
        if len(line) > MAX_ARTICLE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the line, a block at a time
                line = f.readline(1 << 20)
                digest.update(line)
            yield None
        else:
            yield line


def _title_from_text(text: str) -> str:
    """A title for an article that has none: its first line, cut at a word."""
    first = text.strip().splitlines()[0]
    if len(first) <= 120:
        return first
    return first[:120].rsplit(" ", 1)[0] + " …"


def _clip_title(title: str) -> str:
    return title if len(title) <= MAX_TITLE_CHARS else title[:MAX_TITLE_CHARS].rsplit(" ", 1)[0] + " …"


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _metadata(source: dict, rel: str, line: int | None, warn: Warn) -> dict:
    """The metadata fields of a document; a date that is no calendar date is dropped, with a warning."""
    values = {key: _clean(source.get(key)) for key in METADATA_KEYS}
    date = values["date"]
    if date is not None and not _is_calendar_date(date):
        warn(Skipped(rel, f"the date {date[:40]!r} is not a calendar date (YYYY-MM-DD): indexed without one",
                     line, kept=True))
        values["date"] = None
    return values


def _is_calendar_date(text: str) -> bool:
    """``2024-02-29``, ``2024-02`` or ``2024``, optionally followed by a time; never ``99999-99-99``."""
    match = _DATE.match(text)
    if not match or (len(text) > match.end() and text[match.end()] not in "T "):
        return False
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return 1000 <= year <= 2999


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def _clean_id(value: object) -> str | None:
    """A JSONL id as the index keeps it: control characters (a newline, a tab) become one space."""
    cleaned = _clean(value)
    if cleaned is None:
        return None
    return " ".join(_CONTROL.sub(" ", cleaned).split()) or None


def _clean(value: object) -> str | None:
    """Metadata values as non-empty strings (numbers become strings), else None."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    value = str(value).strip()
    return value or None


def _os_skip(corpus_dir: Path, error: OSError) -> Skipped:
    path = Path(error.filename) if error.filename else corpus_dir
    try:
        rel = path.relative_to(corpus_dir).as_posix()
    except ValueError:
        rel = str(path)
    return Skipped(rel, f"cannot read ({error.strerror or error})")
