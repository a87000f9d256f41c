"""Did you mean: a query rewritten with words the index actually holds.

Only words with no match at all are replaced, each by the closest word of the
index's vocabulary (Whoosh's corrector over the exact field); operators,
phrases and field prefixes stay as typed.
"""
from __future__ import annotations

import re

from index import fold
from index.schema import EXACT

_WORD = re.compile(r"(?<![\w:*~\"])([^\W\d_][\w'’-]*)(?![\w:*~])")
OPERATORS = frozenset({"OR", "AND", "NOT"})


def suggest_query(searcher, query: str) -> str | None:
    """The query with unknown words corrected, or None when there is nothing to correct."""
    corrector = searcher.corrector(EXACT)
    reader = searcher.reader()
    changed = False

    def replace(match: re.Match) -> str:
        nonlocal changed
        word = match.group(1)
        folded = fold(word)
        if word in OPERATORS or reader.frequency(EXACT, folded) > 0:
            return word
        suggestions = corrector.suggest(folded, limit=1, maxdist=2)
        if not suggestions:
            return word
        changed = True
        return suggestions[0]

    corrected = _WORD.sub(replace, query)
    return corrected if changed and corrected != query else None
