"""Language: metadata wins, detection fills the rest."""
from __future__ import annotations

import pytest

from index.language import detect_language, document_language, normalize_language


@pytest.mark.parametrize(
    "text, lang",
    [
        ("Il ministro degli Esteri cinese sarà in visita in Russia per colloqui sulla sicurezza.", "it"),
        ("Le ministre chinois des Affaires étrangères a eu des entretiens à Pékin.", "fr"),
        ("Kinas toppdiplomat har träffat utrikesministern i Moskva under gårdagen.", "sv"),
        ("The foreign minister met his counterpart in Beijing on Friday.", "en"),
    ],
)
def test_detects_the_language_of_a_sentence(text, lang):
    assert detect_language(text) == lang


def test_text_without_letters_is_undetermined():
    assert detect_language("2023 — 18/09 … 42") == "und"


@pytest.mark.parametrize(
    "given, code",
    [("it", "it"), ("IT", "it"), ("fr-FR", "fr"), ("sv_SE", "sv"), ("ita", "it"), ("Swedish", "sv"),
     ("", None), (None, None), ("??", None)],
)
def test_metadata_language_is_normalized(given, code):
    assert normalize_language(given) == code


def test_metadata_language_wins_over_detection():
    italian = "Il ministro degli Esteri cinese sarà in visita in Russia."
    assert document_language("sv", "Titolo", italian) == "sv"
    assert document_language(None, "Titolo", italian) == "it"
