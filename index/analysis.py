"""Text analysis: the chains that turn article text into index terms.

Two chains, both built from small Whoosh-style steps composed with ``|``:

- ``exact_analyzer()``: ``NewsTokenizer | FoldFilter``. Every word, folded
  (lower case, accents off), with positions: exact names and phrases.
- ``analyzer_for(lang)``: ``NewsTokenizer | LowercaseFilter | StopFilter(lang)
  | StemVariantsFilter(lang)``: the language's stop words out, each word
  reduced to its Snowball stems. Languages without a Snowball stemmer get
  ``None``: their text is only in the exact field (see ``has_stemmer``).

The query engine analyzes query words through the very same chains, so a word
in a query and in an article always meet in the same form.

The schema pickles these classes into the index: they must stay at module
level under these names, and a change to what they emit must bump
``ANALYSIS_VERSION`` in ``index/schema.py``.
"""
from __future__ import annotations

import functools
import re
import unicodedata

from whoosh.analysis import Filter, LowercaseFilter, StopFilter, Token, Tokenizer
from whoosh.lang.stopwords import stoplists

# ISO 639-1 code → Snowball algorithm name (those snowballstemmer ships).
SNOWBALL_LANGUAGES = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech",
    "da": "danish", "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian",
    "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "hi": "hindi",
    "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian", "lt": "lithuanian",
    "ne": "nepali", "no": "norwegian", "nb": "norwegian", "nn": "norwegian", "fa": "persian",
    "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "st": "sesotho", "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish",
    "yi": "yiddish",
}

# Elided articles and particles of Italian and French: "l'aggressione",
# "dell’Ucraina", "qu'il". The part before the apostrophe is dropped; any other
# apostrophe (O'Brien) splits the word like a hyphen does.
ELISIONS = frozenset(
    """
    l d j m n s t c qu lorsqu puisqu jusqu quoiqu presqu quelqu
    dell dall nell sull all coll pell dagl dell degl negl sugl quell quest
    un nessun alcun buon bell sant mezz tutt cos com dov c'
    """.split()
)

APOSTROPHES = "'’ʼ‘`´"
HYPHENS = "-‐‑‒–"
# A word: letters/digits joined by apostrophes or hyphens, decimal or
# thousands separators between digits ("46.000", "3,5"), and an optional
# Swedish genitive after a colon ("FN:s", "USA:s", "EU:n"), which is dropped.
_WORD = re.compile(
    r"[^\W_]+(?:(?:[%s]|(?<=\d)[.,](?=\d))[^\W_]+)*(?P<genitive>:[^\W\d_]{1,3}\b)?" % re.escape(APOSTROPHES + HYPHENS)
)
_JOINERS = re.compile(r"[%s]" % re.escape(APOSTROPHES + HYPHENS))
MAX_TOKEN_CHARS = 100  # longer "words" are noise (base64, URLs run together)

# Letters that Unicode does not decompose into base letter + accent.
_SPECIAL_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)


@functools.lru_cache(maxsize=200_000)  # news vocabulary is Zipfian: most calls are hits
def fold(text: str) -> str:
    """Lower case without accents: ``Sécurité`` → ``securite``, ``Kinas`` → ``kinas``."""
    text = text.lower()
    if text.isascii():
        return text
    text = text.translate(_SPECIAL_LETTERS)
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class NewsTokenizer(Tokenizer):
    """Words of news text, with elisions dropped and compounds split.

    ``l'aggressione`` → ``aggressione``; ``russo-cinesi`` → ``russo``,
    ``russocinesi`` (same position as ``russo``), ``cinesi``: the parts are
    findable alone and in a phrase, and so is the whole.
    """

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for text, start, end, is_whole in words(value):
            if is_whole:
                pos -= 1
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            pos += 1
            yield token


def words(text: str):
    """(word, start, end, is_whole) for each word of ``text``, as written (not folded).

    ``is_whole`` marks the joined form of a compound, which follows its first
    part and shares its position. The tokenizer and the entity extractor both
    read text through this one function.
    """
    for match in _WORD.finditer(text):
        start = match.start()
        word = match.group()
        if match.group("genitive"):
            word = word[: match.start("genitive") - start]
        if not _JOINERS.search(word):
            if len(word) <= MAX_TOKEN_CHARS:
                yield word, start, start + len(word), False
            continue
        for piece, offset, end, is_whole in _split_word(word):
            if len(piece) <= MAX_TOKEN_CHARS:
                yield piece, start + offset, start + end, is_whole


def _split_word(word: str) -> list[tuple[str, int, int, bool]]:
    """Split one matched word into (text, start, end, shares the previous position)."""
    parts = []
    offset = 0
    for piece in _JOINERS.split(word):
        parts.append((piece, offset))
        offset += len(piece) + 1
    # An elided particle before an apostrophe is dropped.
    while len(parts) > 1 and word[parts[0][1] + len(parts[0][0])] in APOSTROPHES and fold(parts[0][0]) in ELISIONS:
        parts.pop(0)
    split = [(text, off, off + len(text), False) for text, off in parts]
    if len(parts) > 1:
        whole = "".join(text for text, _ in parts)
        split.insert(1, (whole, parts[0][1], len(word), True))
    return split


class FoldFilter(Filter):
    """Lower case and accents off: ``Sécurité`` → ``securite``."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold(token.text)
            yield token


class StemVariantsFilter(Filter):
    """Snowball stems of each word, folded, in both orders that matter.

    A word yields ``fold(stem(word))`` and ``stem(fold(word))`` (one term if
    they agree) at the same position. The first is the stemmer working as
    designed on accented text; the second is what a query typed without
    accents produces (``securite``), so both forms of a word meet.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other.lang == self.lang

    def __getstate__(self):
        return {"lang": self.lang}  # the stemmer is rebuilt, not pickled

    def __setstate__(self, state):
        self.lang = state["lang"]

    def __call__(self, tokens):
        lang = self.lang
        for token in tokens:
            if token.stopped:
                continue
            variants = stem_variants(lang, token.text)
            token.text = variants[0]
            yield token
            if len(variants) > 1:
                token.text = variants[1]
                yield token


@functools.lru_cache(maxsize=200_000)
def stem_variants(lang: str, word: str) -> tuple[str, ...]:
    """``(fold(stem(word)), stem(fold(word)))``, or one term when they agree."""
    stem = stemmer_for(lang)
    first = fold(stem(word))
    folded = fold(word)
    second = stem(folded) if folded != word else first
    return (first,) if second == first else (first, second)


@functools.cache
def stemmer_for(lang: str):
    """The Snowball stem function of a language (PyStemmer's C code when installed)."""
    import snowballstemmer

    return snowballstemmer.stemmer(SNOWBALL_LANGUAGES[lang]).stemWord


def has_stemmer(lang: str) -> bool:
    return lang in SNOWBALL_LANGUAGES


# Words Snowball's lists lack but every article of the language is full of.
_EXTRA_STOP_WORDS = {"fr": frozenset({"les", "cette", "cet", "leurs"})}


@functools.cache
def stop_words(lang: str) -> frozenset[str]:
    """The language's stop words (Snowball's lists, as Whoosh ships them); empty if none."""
    return frozenset(stoplists.get(lang, ())) | _EXTRA_STOP_WORDS.get(lang, frozenset())


@functools.cache
def exact_analyzer():
    """Every word of the text, folded, with positions: names and phrases."""
    return NewsTokenizer() | FoldFilter()


@functools.cache
def analyzer_for(lang: str):
    """The stemming chain of a language, or None when Snowball has no stemmer for it."""
    if not has_stemmer(lang):
        return None
    return NewsTokenizer() | LowercaseFilter() | StopFilter(stoplist=stop_words(lang), minsize=1, renumber=False) | StemVariantsFilter(lang)


def terms(analyzer, text: str) -> list[str]:
    """The terms an analyzer makes of a text (copied: Whoosh reuses one Token)."""
    return [token.text for token in analyzer(text)]
