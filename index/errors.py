"""The one family of errors that `index/` and `search/` raise.

Each shell (CLI, web, API user) translates `CorpusSearchError` in one place;
the message is already a full sentence a user can act on.
"""
from __future__ import annotations


class CorpusSearchError(Exception):
    """Base class: anything a user can cause and fix."""


class CorpusNotFound(CorpusSearchError):
    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"no corpus folder at {path!r}. Pass --corpus DIR or set CORPUS_SEARCH_CORPUS.")


class CorpusUnknown(CorpusNotFound):
    """A repair without --corpus, where the index cannot say which folder it was built from."""

    def __init__(self, index_path: str) -> None:
        self.path = index_path
        CorpusSearchError.__init__(self, f"the index at {index_path!r} has no readable record of its corpus folder "
                                   "(its corpus-search.json is missing or damaged): name it with --corpus DIR")


class IndexNotFound(CorpusSearchError):
    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"no index at {path!r}. Build it with: corpus-search index --index {path}")


class IndexOutdated(CorpusSearchError):
    def __init__(self, path: str, found: int, expected: int) -> None:
        self.path, self.found, self.expected = path, found, expected
        super().__init__(
            f"the index at {path!r} was built by another version (analysis {found}, this is {expected}). "
            f"Rebuild it with: corpus-search index --rebuild --index {path}"
        )


class IndexBusy(CorpusSearchError):
    def __init__(self, path: str, waited_s: float) -> None:
        self.path, self.waited_s = path, waited_s
        super().__init__(
            f"another indexer is writing to {path!r} (waited {waited_s:g} s). Try again when it has finished."
        )


class WouldLoseDocuments(CorpusSearchError):
    """An update that would delete much of what the index holds: done only when asked with force."""

    def __init__(self, path: str, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"not touching the index at {path!r}: {reason}. "
                         "To do it anyway, run again with --force (force=True from Python).")


class IndexDamaged(CorpusSearchError):
    """A file of the index cannot be read (truncated, zeroed, flipped): say so in one line, with the way out."""

    def __init__(self, path: str, detail: str) -> None:
        self.path, self.detail = path, detail
        super().__init__(f"the index at {path!r} is damaged ({detail}). Repair it from its corpus with: "
                         f"corpus-search index --repair --index {path}")
