"""The page in the reader's language: message catalogues and one template environment per language.

The catalogues are the ``.po`` files of ``web/translations/<lang>/LC_MESSAGES``
(gettext's format, read with Babel: no compiled ``.mo`` to keep in step).
Messages are marked in the templates with ``_()`` / ``ngettext()`` and in
Python with ``N_()`` or ``Note()``; ``python -m web.i18n`` extracts them into
``messages.pot`` and updates each catalogue (new messages get an empty
translation, which ``tests/test_i18n.py`` refuses).

Each language gets its own overlay of the app's Jinja environment with its
translations installed, made once when the app starts: requests only read
them, so no request changes what another one renders.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from jinja2 import Environment

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"  # the language the messages are written in: no catalogue


def catalogue_path(lang: str) -> Path:
    return TRANSLATIONS_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_translations(lang: str) -> NullTranslations:
    """The translations of ``lang`` from its ``.po`` file (none for English)."""
    if lang == SOURCE_LANGUAGE:
        return NullTranslations()
    with open(catalogue_path(lang), "rb") as po:
        catalog = read_po(po, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@dataclass(frozen=True)
class PageLanguage:
    """What rendering a page in one language needs: its templates and its translations."""

    code: str
    environment: Environment
    translations: NullTranslations

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def note(self, note: Any) -> str:
        """A search note in this language (a ``search.notes.Note``; other text as it is)."""
        translated = getattr(note, "translated", None)
        return translated(self.gettext, self.number) if translated else str(note)

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.code)


def page_languages(environment: Environment, codes) -> dict[str, PageLanguage]:
    """One `PageLanguage` per language code, on overlays of the app's ``environment``."""
    languages = {}
    for code in codes:
        translations = load_translations(code)
        overlay = environment.overlay(extensions=["jinja2.ext.i18n"])
        # An overlay shares its parent's globals and filters: each language needs its own.
        overlay.globals, overlay.filters = dict(environment.globals), dict(environment.filters)
        overlay.install_gettext_translations(translations, newstyle=True)
        language = PageLanguage(code, overlay, translations)
        overlay.filters.update(number=language.number, note=language.note)
        languages[code] = language
    return languages


def update_catalogues(languages=("it", "fr", "sv")) -> None:
    """Extract the marked messages into ``messages.pot`` and merge them into each language's catalogue."""
    from babel.messages.frontend import CommandLineInterface

    root = Path(__file__).parent.parent
    template = TRANSLATIONS_DIR / f"{DOMAIN}.pot"
    TRANSLATIONS_DIR.mkdir(exist_ok=True)
    run = CommandLineInterface().run
    run(["pybabel", "extract", "-F", str(Path(__file__).parent / "babel.cfg"), "-k", "N_", "-k", "Note",
         "--no-location", "--sort-output", "--omit-header", "-o", str(template), str(root / "web"),
         str(root / "search")])
    for lang in languages:
        command = "update" if catalogue_path(lang).exists() else "init"
        run(["pybabel", command, "-i", str(template), "-d", str(TRANSLATIONS_DIR), "-l", lang, "--no-wrap",
             *(["--no-fuzzy-matching", "--ignore-obsolete"] if command == "update" else [])])


if __name__ == "__main__":
    update_catalogues()
