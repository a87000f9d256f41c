"""Did you mean: a query rewritten with words the index actually holds, that returns results.

Only words that match nothing on their own are replaced (``sanzione`` finds
``sanzioni`` by its stem, so it is no typo). Candidates come from the spelling
table the writer saved (``index/spelling.py``): a few binary searches, never
a walk of the vocabulary. They are ranked by edit distance, then by how many
articles have them, and a rewrite is offered only if the corrected query
returns results (a suggestion that leads to another empty page is worse than
none). Operators, phrases and field prefixes stay as typed.
"""
from __future__ import annotations

import itertools
import re
from typing import Callable

from rapidfuzz.distance import OSA

from index import fold
from index.spelling import SpellingTable, is_suggestible
from search.budget import Budget

_WORD = re.compile(r"(?<![\w:*~\"])([^\W\d_][\w'’-]*)(?![\w:*~])")
OPERATORS = frozenset({"OR", "AND", "NOT"})
CANDIDATES_PER_WORD = 3
MAX_REWRITES_TRIED = 8
SHORT_WORD_CHARS = 4  # a word this short gets one edit, not two: "malte" is not "mare"


def corrections(table: SpellingTable, word: str, limit: int = CANDIDATES_PER_WORD) -> list[str]:
    """The ``limit`` best corrections of one folded word: fewest edits first, then most frequent."""
    if not is_suggestible(word):
        return []
    max_edits = 1 if len(word) <= SHORT_WORD_CHARS else 2
    ranked = []
    for word_id in table.candidates(word).tolist():
        candidate = table.word(word_id)
        edits = OSA.distance(word, candidate, score_cutoff=max_edits)
        if 0 < edits <= max_edits:
            ranked.append((edits, -int(table.documents[word_id]), candidate))
    ranked.sort()
    return [candidate for _, _, candidate in ranked[:limit]]


def suggest_query(
    query: str,
    table: SpellingTable | None,
    matches_alone: Callable[[str], bool],
    has_results: Callable[[str], bool],
    budget: Budget,
) -> str | None:
    """The query with its unknown words corrected so that it returns results, or None.

    ``matches_alone(word)`` says whether a word finds anything by itself;
    ``has_results(query)`` whether a rewritten query (with the user's
    filters) finds anything. Stops trying when ``budget`` is spent.
    """
    if table is None:
        return None
    spans = [m for m in _WORD.finditer(query) if m.group(1) not in OPERATORS]
    options: list[list[str]] = []
    unknown: list[re.Match] = []
    for match in spans:
        word = match.group(1)
        if matches_alone(word):
            continue
        found = [_cased_like(word, c) for c in corrections(table, fold(word))]
        if found:
            unknown.append(match)
            options.append(found)
        if budget.spent():
            return None
    if not unknown:
        return None
    # The most likely rewrites first: each word's best candidate, then second choices, …
    rewrites = sorted(itertools.product(*(range(len(o)) for o in options)), key=lambda ranks: (sum(ranks), ranks))
    for ranks in rewrites[:MAX_REWRITES_TRIED]:
        rewritten = _replace(query, unknown, [options[i][rank] for i, rank in enumerate(ranks)])
        if rewritten != query and has_results(rewritten):
            return rewritten
        if budget.spent():
            break
    return None


def _replace(query: str, matches: list[re.Match], words: list[str]) -> str:
    parts, last = [], 0
    for match, word in zip(matches, words):
        parts += [query[last : match.start(1)], word]
        last = match.end(1)
    return "".join(parts) + query[last:]


def _cased_like(typed: str, word: str) -> str:
    """The correction written the way the user wrote the word: ``Putim`` → ``Putin``, ``NATP`` → ``NATO``."""
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
