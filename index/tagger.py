"""A small statistical named-entity tagger (CRF) whose features carry across languages.

The extractor (``index/entities.py``) finds what the knowledge base knows and
what its rules recognise; this tagger proposes the names neither covers. It is
a linear-chain CRF (python-crfsuite) over tokens, with features chosen to
transfer to languages it never saw in training (Italian has no
licence-compatible training data): word shape, position, cross-lingual word
classes (stop words, articles, "of" words, locative prepositions) and the
knowledge base as gazetteers (given names, first tokens of known people,
organizations and places, titles, organization words). Lexical features
(the word itself, affixes) are optional and set by `FeatureConfig`.

Speed is the reason for most of the structure:

- Only *windows* around capitalized tokens are tagged (a token that is not
  capitalized and not next to a capitalized one is O); training uses the
  same windows, so the model sees what it will be asked.
- The features of a word do not depend on its sentence, so each word's
  features (as itself and as a neighbour at -2..+2) are computed once per
  process and kept only if the model has weights for them.

The model file (``tagger.crfsuite``) comes with a JSON file of the same stem
(``tagger.json``) holding the `FeatureConfig` it was trained with: training and
tagging always compute the same features.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

from index.analysis import ELISIONS, fold, stop_words
from index.entities import (ARTICLES, CONJUNCTIONS, NAME_PARTICLES, OF_WORDS, ORG_SUFFIXES,
                            ORG_WORDS, PERSON_TITLES, PLACE_WORDS_BEFORE, TITLE_SUFFIXES)
from index.knowledge import ANY, KnowledgeBase, load_knowledge

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_MODEL = DATA_DIR / "tagger.crfsuite"
LABELS = ("PER", "ORG", "LOC")  # what `tag` returns (a model may also know MISC: dropped)

# Words: letters/digits, with hyphens or apostrophes inside ("O'Brien", "Jean-Pierre");
# else one punctuation mark. An elided article or preposition ("l'", "dell'", "qu'", "L'")
# is its own token, as in the CoNLL files the model is trained on; a capitalized one
# longer than a letter is a surname's ("D'Alema", "Dell'Utri") and stays.
_TOKEN = re.compile(r"[^\W_]+(?:[-‐‑'’][^\W_]+)*|[^\w\s]|_")
_ELIDED = re.compile(r"([^\W\d_]{1,8})['’](?=[^\W_])")
SENTENCE_ENDS = frozenset(".!?…")
# Stop words of these languages make the language-independent "function word" feature.
STOP_WORD_LANGUAGES = ("it", "fr", "sv", "en", "de", "es", "pt", "nl", "da", "no")
# Prepositions that introduce places, a cross-lingual class (in Roma, à Paris, i Stockholm).
PLACE_PREPOSITIONS = frozenset(fold(w) for w in """
    in a da verso presso
    à en au aux vers chez depuis
    i på från till mot utanför
    in at from to near
""".split())


@dataclass(frozen=True)
class FeatureConfig:
    """Which features the model uses; stored beside the model so tagging matches training.

    ``lexical``: "all" (the folded word for every token), "function" (only for
    stop words, titles and other listed words: these are what transfers) or
    "none". ``affixes``: prefixes and suffixes of 2-3 characters of the token
    itself. ``radius``: tokens tagged on each side of a capitalized token.
    ``initial_anchors``: whether a sentence-initial capitalized token opens a
    window by itself: "none", "known" (only a word the gazetteers know, an
    organization word or an acronym) or "all". ``language``: the language code
    as a feature.
    """

    lexical: str = "all"
    affixes: bool = True
    radius: int = 1
    initial_anchors: str = "known"
    language: bool = False
    neighbour_lexical: bool = True  # the ±1 neighbours' words too (under the same ``lexical`` rule)
    version: int = 2

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> FeatureConfig:
        return cls(**json.loads(text))


# --- tokens and windows ---------------------------------------------------------------------------------


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """(token, start, end) of ``text``: the same tokens the CoNLL training files are made of."""
    tokens = []
    for match in _TOKEN.finditer(text):
        word, start = match.group(), match.start()
        if "'" not in word and "’" not in word:
            tokens.append((word, start, match.end()))
            continue
        elided = _ELIDED.match(word)
        while elided and _is_elision(elided.group(1)):
            cut = elided.end()
            tokens.append((word[:cut], start, start + cut))
            word, start = word[cut:], start + cut
            elided = _ELIDED.match(word)
        tokens.append((word, start, match.end()))
    return tokens


def _is_elision(word: str) -> bool:
    return fold(word) in ELISIONS and (word.islower() or word == "L")


def sentences(text: str, tokens: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
    """(first, end) token ranges of sentences: cut after . ! ? … and at line breaks.

    Training sentences have no neighbours across their ends; cutting the text
    the same way keeps the features the same.
    """
    ranges, first = [], 0
    for i in range(1, len(tokens)):
        if tokens[i - 1][0] in SENTENCE_ENDS or text.find("\n", tokens[i - 1][2], tokens[i][1]) >= 0:
            ranges.append((first, i))
            first = i
    if tokens:
        ranges.append((first, len(tokens)))
    return ranges


def sentence_starts(words: list[str]) -> list[bool]:
    """Whether each token starts a sentence: the first token, or one after . ! ? …"""
    return [i == 0 or words[i - 1] in SENTENCE_ENDS for i in range(len(words))]


def is_capitalized(word: str) -> bool:
    return word[:1].isupper()


def windows(words: list[str], starts: list[bool], config: FeatureConfig, gaz: Gazetteer,
            extra_anchors: list[bool] | None = None) -> list[tuple[int, int]]:
    """(first, end) ranges to tag: ``config.radius`` tokens around each capitalized token.

    A sentence-initial capitalized token is usually a common word: it opens a
    window of its own only as ``config.initial_anchors`` says. Training may add
    ``extra_anchors`` (the gold entities' tokens) so that no entity is cut.
    """
    spans: list[tuple[int, int]] = []
    radius = config.radius
    initial = config.initial_anchors
    for i, word in enumerate(words):
        anchor = is_capitalized(word) and (
            not starts[i] or initial == "all" or (initial == "known" and looks_like_name(word, gaz)))
        if not anchor and not (extra_anchors and extra_anchors[i]):
            continue
        first, end = max(0, i - radius), min(len(words), i + radius + 1)
        if spans and first <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((first, end))
    return spans


# --- features -------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Gazetteer:
    """Word lists from the knowledge base, by folded token: what lets one model serve every language."""

    given: frozenset[str]
    person_first: frozenset[str]  # first token of a known person's multi-token name
    person_single: frozenset[str]  # a one-token name of a known person (a surname, mostly)
    person_inner: frozenset[str]  # a later token of a known person's multi-token name
    org_first: frozenset[str]
    org_single: frozenset[str]
    org_inner: frozenset[str]
    place_first: frozenset[str]  # countries, cities, regions (capitalized aliases)
    place_single: frozenset[str]
    place_inner: frozenset[str]
    adjectives: frozenset[str]  # lower-case country words: italiano, svensk, russe
    stop: frozenset[str]


@functools.lru_cache(maxsize=4)
def gazetteer(knowledge: KnowledgeBase) -> Gazetteer:
    """The knowledge base's names as per-token sets (read from the live knowledge base, never a copy)."""
    sets: dict[str, set[str]] = {name: set() for name in
                                 ("person_first", "person_single", "person_inner", "org_first", "org_single",
                                  "org_inner", "place_first", "place_single", "place_inner", "adjectives")}
    kinds = {"person": "person", "org": "org", "country": "place"}
    for tokens, aliases in knowledge.aliases.items():
        for alias in aliases:
            if alias.is_short or alias.is_combining:
                continue
            if alias.entity.kind == "country" and all(rule == ANY for rule in alias.case):
                if len(tokens) == 1:
                    sets["adjectives"].add(tokens[0])
                continue
            prefix = kinds[alias.entity.kind]
            sets[f"{prefix}_single" if len(tokens) == 1 else f"{prefix}_first"].add(tokens[0])
            sets[f"{prefix}_inner"].update(tokens[1:])
    stop = frozenset(fold(w) for lang in STOP_WORD_LANGUAGES for w in stop_words(lang))
    return Gazetteer(given=frozenset(knowledge.given_names), stop=stop,
                     **{name: frozenset(words) for name, words in sets.items()})


def looks_like_name(word: str, gaz: Gazetteer) -> bool:
    """Whether a sentence-initial capitalized word is worth tagging: known to a gazetteer, an org word, an acronym."""
    if len(word) > 1 and word.isupper():
        return True
    key = fold(word)
    if key in gaz.stop:
        return False
    return (key in gaz.given or key in gaz.person_first or key in gaz.person_single or key in gaz.org_first
            or key in gaz.org_single or key in gaz.place_first or key in gaz.place_single
            or key in ORG_WORDS or key.endswith(ORG_SUFFIXES))


def shape(word: str) -> str:
    """The word's letters as X/x/d, runs collapsed: "McDonald" → XxXx, "G7" → Xd, "l'" → x'."""
    out = []
    for char in word[:12]:
        kind = "X" if char.isupper() else "x" if char.isalpha() else "d" if char.isdigit() else char
        if not out or out[-1] != kind:
            out.append(kind)
    return "".join(out)


def _is_listed(folded: str, gaz: Gazetteer) -> bool:
    """Words whose identity transfers: function words and the extractor's titles, org and place words."""
    return (folded in gaz.stop or folded in PERSON_TITLES or folded in ORG_WORDS
            or folded in PLACE_WORDS_BEFORE or folded in PLACE_PREPOSITIONS)


def word_classes(word: str, folded: str, gaz: Gazetteer) -> list[str]:
    """Language-independent features of a word: shape and gazetteer classes."""
    features = ["s=" + shape(word)]
    if not word[:1].isalnum():
        features.append("w=" + word)  # punctuation is the same in every language
        return features
    if is_capitalized(word):
        features.append("C")
        if len(word) > 1 and word.isupper():
            features.append("A")
    if any(c.isdigit() for c in word):
        features.append("D")
    if "-" in word:
        features.append("H")
    if "'" in word or "’" in word:
        features.append("Q")
    key = folded.split("-")[0] if "-" in folded else folded.rstrip("'’")
    for name, members in (("g", gaz.given), ("pf", gaz.person_first), ("ps", gaz.person_single),
                          ("pi", gaz.person_inner), ("of", gaz.org_first), ("os", gaz.org_single),
                          ("oi", gaz.org_inner), ("lf", gaz.place_first), ("ls", gaz.place_single),
                          ("li", gaz.place_inner), ("ad", gaz.adjectives), ("sw", gaz.stop)):
        if key in members:
            features.append(name)
    if folded in PERSON_TITLES or folded.endswith(TITLE_SUFFIXES):
        features.append("T")
    if folded in ORG_WORDS or folded.endswith(ORG_SUFFIXES):
        features.append("O")
    for name, members in (("P", PLACE_WORDS_BEFORE), ("in", PLACE_PREPOSITIONS), ("art", ARTICLES),
                          ("ofw", OF_WORDS), ("cj", CONJUNCTIONS), ("np", NAME_PARTICLES)):
        if key in members:
            features.append(name)
    return features


@dataclass(eq=False)
class Featurizer:
    """Features of tokens in context, per word computed once (and pruned to what the model knows).

    ``known``: the model's attributes; features outside it are dropped as soon as
    they are made, so tagging passes crfsuite only strings it has weights for
    (and the cache holds the model's own string objects, not copies: ~0.75 kB a
    word, so the default cache costs ~40 MB at most).
    """

    config: FeatureConfig
    gazetteer: Gazetteer
    known: frozenset[str] | None = None
    cache_size: int = 50_000
    _cached: object = field(init=False, repr=False)
    _canonical: dict[str, str] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._cached = functools.lru_cache(maxsize=self.cache_size)(self._by_offset)
        self._canonical = None if self.known is None else {f: f for f in self.known}

    def _by_offset(self, word: str) -> tuple[tuple[str, ...], ...]:
        """The word's features as its neighbours see them: (as +2, as +1, itself, as -1, as -2)."""
        folded = fold(word)
        classes = word_classes(word, folded, self.gazetteer)
        lexical = self.config.lexical == "all" or (
            self.config.lexical == "function" and _is_listed(folded, self.gazetteer))
        own = list(classes)
        if lexical:
            own.append("w=" + folded)
        if self.config.affixes and word[:1].isalpha() and len(folded) > 3:
            own += ["p2=" + folded[:2], "p3=" + folded[:3], "x2=" + folded[-2:], "x3=" + folded[-3:]]
        near = list(classes)
        if lexical and self.config.neighbour_lexical:
            near.append("w=" + folded)
        views = (("+2:", classes), ("+1:", near), ("", own), ("-1:", near), ("-2:", classes))
        # As the token at i+2 is seen from i, its features carry "+2:", and so on.
        result = []
        for prefix, features in views:
            named = tuple(prefix + f for f in features)
            if self._canonical is not None:
                named = tuple(self._canonical[f] for f in named if f in self._canonical)
            result.append(named)
        return tuple(result)

    def features(self, words: list[str], starts: list[bool], first: int, end: int, lang: str = "") -> list[list[str]]:
        """Feature lists of ``words[first:end]``, with neighbours looked up in the whole sentence."""
        views = [self._cached(w) for w in words[max(0, first - 2) : min(len(words), end + 2)]]
        offset = max(0, first - 2)
        n = len(words)
        bias = ["L=" + lang] if self.config.language and lang else []
        out = []
        for i in range(first, end):
            j = i - offset
            features = list(views[j][2])
            features += bias
            if starts[i]:
                features.append("S")
            if i >= 1:
                features += views[j - 1][3]
            else:
                features.append("-1:BOS")
            if i >= 2:
                features += views[j - 2][4]
            if i + 1 < n:
                features += views[j + 1][1]
            else:
                features.append("+1:EOS")
            if i + 2 < n:
                features += views[j + 2][0]
            out.append(features)
        return out


# --- the model ------------------------------------------------------------------------------------------


def config_path(model_path: Path) -> Path:
    return model_path.with_suffix(".json")


class Span(NamedTuple):
    """A name the tagger found: character offsets, label (PER, ORG, LOC) and confidence.

    ``score`` is the mean, over the span's tokens, of the marginal probability
    of the label each token got (B-PER, I-PER…): near 1 where the model has no
    doubt, near 0.5 where another reading was almost as likely. It lets the
    extractor trust a confident span without asking for more evidence.
    """

    start: int
    end: int
    label: str
    score: float


@dataclass(eq=False)
class Tagger:
    """A loaded model: its crfsuite tagger, its feature configuration and its featurizer."""

    crf: object
    featurizer: Featurizer

    @property
    def config(self) -> FeatureConfig:
        return self.featurizer.config

    def tag_words(self, words: list[str], lang: str = "") -> list[str]:
        """BIO labels of one sentence's tokens (O outside the windows around capitalized tokens)."""
        return self.scored_words(words, lang)[0]

    def scored_words(self, words: list[str], lang: str = "") -> tuple[list[str], list[float]]:
        """BIO labels of one sentence's tokens and, for each label but O, the model's marginal probability of it.

        The marginals come from the same forward-backward pass as the labels
        (crfsuite keeps it after ``tag``), so they cost little; O tokens get 1.0
        without asking, since only names are ever scored.
        """
        labels = ["O"] * len(words)
        confidence = [1.0] * len(words)
        starts = sentence_starts(words)
        spans = windows(words, starts, self.config, self.featurizer.gazetteer)
        for first, end in spans:
            window = self.crf.tag(self.featurizer.features(words, starts, first, end, lang))
            labels[first:end] = window
            for offset, label in enumerate(window):
                if label != "O":
                    confidence[first + offset] = self.crf.marginal(label, offset)
        return labels, confidence

    def spans(self, text: str, lang: str = "") -> list[Span]:
        """The names in ``text`` as `Span` (characters, label PER/ORG/LOC, confidence)."""
        tokens = tokenize(text)
        result = []
        for first, end in sentences(text, tokens):
            sentence = tokens[first:end]
            words = [t[0] for t in sentence]
            if not any(is_capitalized(w) for w in words):
                continue
            labels, confidence = self.scored_words(words, lang)
            for a, b, label in bio_spans(labels):
                if label in LABELS:
                    score = sum(confidence[a:b]) / (b - a)
                    result.append(Span(sentence[a][1], sentence[b - 1][2], label, score))
        return result

    def tag(self, text: str, lang: str = "") -> list[tuple[int, int, str]]:
        """(start, end, label) character spans of the names in ``text``; label is PER, ORG or LOC."""
        return [(span.start, span.end, span.label) for span in self.spans(text, lang)]


def bio_spans(labels: list[str]) -> list[tuple[int, int, str]]:
    """(first, end, type) token spans of BIO labels; an I- that does not continue a span opens one."""
    spans: list[tuple[int, int, str]] = []
    current = None
    for i, label in enumerate([*labels, "O"]):
        kind = label[2:] if label != "O" else None
        if current and (kind != current[1] or label.startswith("B-")):
            spans.append((current[0], i, current[1]))
            current = None
        if kind and current is None:
            current = (i, kind)
    return spans


def open_tagger(model_path: Path, knowledge: KnowledgeBase | None = None) -> Tagger:
    """A tagger for ``model_path`` (and its ``.json`` configuration), features read from ``knowledge``."""
    import pycrfsuite

    config = FeatureConfig.from_json(config_path(model_path).read_text(encoding="utf-8"))
    crf = pycrfsuite.Tagger()
    crf.open(str(model_path))
    known = frozenset(attr for attr, _ in crf.info().state_features)
    featurizer = Featurizer(config, gazetteer(knowledge or load_knowledge()), known)
    return Tagger(crf, featurizer)


@functools.cache
def load_tagger(model_path: Path = DEFAULT_MODEL) -> Tagger:
    """The tagger of ``model_path``, loaded once per process (with the shipped knowledge base)."""
    return open_tagger(Path(model_path))


def tag(text: str, lang: str = "", model_path: Path = DEFAULT_MODEL) -> list[tuple[int, int, str]]:
    """(start, end, label) spans of people (PER), organizations (ORG) and places (LOC) in ``text``."""
    return load_tagger(Path(model_path)).tag(text, lang)


def tag_spans(text: str, lang: str = "", model_path: Path = DEFAULT_MODEL) -> list[Span]:
    """As `tag`, with each span's confidence (`Span.score`)."""
    return load_tagger(Path(model_path)).spans(text, lang)
