"""Notes: what an answer says about itself (a filter value no article has, a search cut short).

A note is plain English text wherever text is expected (JSON, the CLI), and
it remembers the message it was made from and the values put into it, so
that the page can say it in the reader's language from the message
catalogue (``web/translations``): ``Note("no article from {value}", value=1999)``.
"""
from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it here (``pybabel extract -k N_``)."""
    return message


class Note(str):
    """A note's English text, with ``message`` (a ``str.format`` template) and the ``values`` it was given."""

    message: str
    values: dict[str, Any]

    def __new__(cls, message: str, **values: Any) -> Note:
        note = super().__new__(cls, message.format(**values))
        note.message, note.values = message, values
        return note

    def __reduce__(self):  # pickled and copied as itself, not as a plain string
        return _note, (self.message, self.values)

    def translated(self, gettext) -> str:
        """The note in the language of ``gettext`` (the English text when the catalogue lacks it)."""
        return gettext(self.message).format(**self.values)


def _note(message: str, values: dict[str, Any]) -> Note:
    return Note(message, **values)
