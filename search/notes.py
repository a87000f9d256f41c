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

    def translated(self, gettext, number=None) -> str:
        """The note in the language of ``gettext`` (the English text when the catalogue lacks it).

        ``number(int) -> str`` writes whole numbers as that language does ("9.980", not "9,980").
        """
        values = {name: _translated_value(value, gettext, number) for name, value in self.values.items()}
        return gettext(self.message).format(**values)


def _translated_value(value: Any, gettext, number):
    if isinstance(value, Note):  # "cannot run query 'x': {reason}", the reason a note of its own
        return value.translated(gettext, number)
    if number is not None and isinstance(value, int) and not isinstance(value, bool):
        return _Number(value, number)
    return value


class _Number(int):
    """A whole number that a message's ``{n}`` or ``{n:,}`` writes in the reader's language."""

    def __new__(cls, value: int, number):
        instance = super().__new__(cls, value)
        instance.number = number
        return instance

    def __format__(self, spec: str) -> str:
        return self.number(int(self)) if spec in ("", ",") else format(int(self), spec)


def _note(message: str, values: dict[str, Any]) -> Note:
    return Note(message, **values)
