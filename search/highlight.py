"""Snippets: the best short passage of a text, with the query's words marked.

A word is marked when the query matches it in any form: its folded form
(``securite`` marks ``sécurité``), its stem in the article's language
(``sanzione`` marks ``sanzioni``), or a prefix. Text comes back as
`Fragment`s (plain text plus a flag), never as markup: each shell escapes and
decorates them itself, so no HTML is ever built from article text here.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from index import fold, has_stemmer, stem_variants, text_words
from search.results import Fragment, Segment

@dataclass
class HighlightTerms:
    """The forms of words a query matches, for marking them in a text."""

    exact: set[str] = field(default_factory=set)  # folded words
    stems: dict[str, set[str]] = field(default_factory=dict)  # lang → stem terms
    prefixes: set[str] = field(default_factory=set)
    phrases: set[tuple[str, ...]] = field(default_factory=set)  # folded words in order
    weak: set[str] = field(default_factory=set)  # stop words: marked only beside a marked word
    entities: set[tuple[str, str]] = field(default_factory=set)  # (facet, value): their mentions are marked

    def __bool__(self) -> bool:
        return bool(self.exact or self.prefixes or self.phrases or self.entities or any(self.stems.values()))


SNIPPET_CHARS = 240
LEAD_CHARS = 60  # how much text to show before the first marked word
MAX_WINDOWS_TRIED = 200  # bounds the work on a long article full of matches
# A snippet is looked for in the first this many characters, and in the whole
# article only if they mark nothing: marking costs time in proportion to the
# text, and most of a search's time went into marking long articles in full.
SCAN_CHARS = 4000
FAR_SCAN_CHARS = 2_000_000  # how far into an article a snippet looks for the query's words


def marked_spans(text: str, lang: str, terms: HighlightTerms) -> list[tuple[int, int]]:
    """Sorted, non-overlapping (start, end) character spans of the words to mark."""
    if not terms:
        return []
    stems = terms.stems.get(lang, set())
    stems_apply = bool(stems) and has_stemmer(lang)
    # (folded word, start, end) for every word; compounds' wholes left out so
    # that a phrase meets the parts in order.
    words, wholes = [], []
    for written, start, end, is_whole in text_words(text):
        (wholes if is_whole else words).append((fold(written), start, end))
    decided: dict[str, bool] = {}  # an article repeats its words: judge each written form once

    def is_strong(word: str, start: int, end: int) -> bool:
        written = text[start:end].lower()
        verdict = decided.get(written)
        if verdict is None:
            verdict = decided[written] = (
                word in terms.exact
                or any(word.startswith(prefix) for prefix in terms.prefixes)
                or (stems_apply and not stems.isdisjoint(stem_variants(lang, written)))
            )
        return verdict

    strong = [is_strong(word, start, end) for word, start, end in words]
    for phrase in terms.phrases:
        for i in range(len(words) - len(phrase) + 1):
            if all(words[i + k][0] == phrase[k] for k in range(len(phrase))):
                strong[i : i + len(phrase)] = [True] * len(phrase)
    marked = list(strong)
    for i, (word, _, _) in enumerate(words):
        if word in terms.weak and ((i > 0 and strong[i - 1]) or (i + 1 < len(words) and strong[i + 1])):
            marked[i] = True
    spans = [(start, end) for (_, start, end), is_marked in zip(words, marked) if is_marked]
    spans += [(start, end) for word, start, end in wholes if word in terms.exact]
    return _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def fragments(text: str, spans: list[tuple[int, int]]) -> tuple[Fragment, ...]:
    """The whole of ``text`` as fragments, the spans marked."""
    out = []
    at = 0
    for start, end in spans:
        if start > at:
            out.append(Fragment(text[at:start], False))
        out.append(Fragment(text[start:end], True))
        at = end
    if at < len(text):
        out.append(Fragment(text[at:], False))
    return tuple(out)


def snippet(
    text: str, lang: str, terms: HighlightTerms, extra_spans: list[tuple[int, int]] = (), max_chars: int = SNIPPET_CHARS,
    look_further: bool = True,
) -> tuple[Fragment, ...]:
    """The passage of about ``max_chars`` that shows the most distinct marked words.

    ``extra_spans`` are marked too: the mentions of the entities the query
    named in another language ("Putin" in an Italian article, for "Poutine").
    The words are looked for near the start of a long article first, then in
    its first ``FAR_SCAN_CHARS`` (0.5 s for 2 MB) unless ``look_further`` is
    False (the search's time is up).
    """
    spans = []
    if len(text) > SCAN_CHARS:  # a long article: look for the words near its start first
        head = text[: text.rfind(" ", 0, SCAN_CHARS) if " " in text[:SCAN_CHARS] else SCAN_CHARS]
        spans = marked_spans(head, lang, terms)
    if not spans and (look_further or len(text) <= SCAN_CHARS):
        spans = marked_spans(text[:FAR_SCAN_CHARS], lang, terms)
    spans = _merge(spans + list(extra_spans))
    start = _best_window(text, spans, max_chars)
    end = min(len(text), start + max_chars)
    if end < len(text):  # end on a word boundary
        cut = text.rfind(" ", start, end)
        end = cut if cut > start + max_chars // 2 else end
    window = text[start:end].replace("\n", " ")
    inside = [(s - start, e - start) for s, e in spans if s >= start and e <= end]
    parts = list(fragments(window, inside))
    if start > 0:
        parts.insert(0, Fragment("… ", False))
    if end < len(text):
        parts.append(Fragment(" …", False))
    return tuple(parts)


def hit_marks(text: str, title: str, lang: str, terms: HighlightTerms, entities: dict,
              look_further: bool = True) -> tuple[tuple[Fragment, ...], tuple[Fragment, ...]]:
    """(snippet, title with its marks) of one hit, whatever backend found it.

    ``entities`` are the article's mentions as stored ({facet: [[value, is_new, [[start, end, text], …]], …]}):
    those of the entities the query named are marked too. An article whose title is its first words (a
    title made from the text ends in " …") has its snippet start after them, not with the title again.
    """
    entity_spans = [(start, end) for kind, value in terms.entities
                    for entry_value, _, spans in entities.get(kind, ()) if entry_value == value
                    for start, end, _ in spans if start >= 0]
    shown = title.removesuffix(" …")
    skip = len(shown) if shown and text.startswith(shown) and len(text) > len(shown) + SNIPPET_CHARS // 4 else 0
    body = text[skip:].lstrip()
    skip = len(text) - len(body)
    spans = [(start - skip, end - skip) for start, end in entity_spans if start >= skip]
    passage = snippet(body, lang, terms, spans, look_further=look_further)
    return passage, fragments(title, marked_spans(title, lang, terms)) if title else ()


def _best_window(text: str, spans: list[tuple[int, int]], max_chars: int) -> int:
    """Where the passage starts: the window whose marked words say the most.

    Each distinct word in a window counts 1 / (its frequency in the text):
    the one mention of a rare query word ("Malta") beats a window repeating
    the words that are everywhere in the article ("Wang Yi").
    """
    if not spans:
        return 0
    words = [fold(text[s:e]) for s, e in spans]
    frequency = Counter(words)
    best_start, best_score = 0, -1.0
    for first, _ in spans[:MAX_WINDOWS_TRIED]:
        start = max(0, first - LEAD_CHARS)
        inside = {w for (s, e), w in zip(spans, words) if start <= s and e <= start + max_chars}
        score = sum(1 / frequency[w] for w in inside)
        if score > best_score:
            best_start, best_score = start, score
    if best_start > 0:  # start on a word boundary
        space = text.find(" ", best_start)
        if 0 <= space < best_start + LEAD_CHARS // 2:
            best_start = space + 1
    return best_start


def annotate_text(
    text: str, match_spans: list[tuple[int, int]], mentions: list[tuple[int, int, str, str]]
) -> tuple[Segment, ...]:
    """Cut ``text`` at every boundary of a marked span or an entity mention (start, end, facet, value)."""
    cuts = {0, len(text)}
    for start, end in match_spans:
        cuts.update((start, end))
    for start, end, _, _ in mentions:
        cuts.update((start, end))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    segments = []
    for start, end in zip(points, points[1:]):
        is_match = any(s <= start and end <= e for s, e in match_spans)
        entity = next(((kind, value) for s, e, kind, value in mentions if s <= start and end <= e), None)
        segments.append(Segment(text[start:end], is_match, entity))
    return tuple(segments)
