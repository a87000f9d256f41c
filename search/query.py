"""Query tree → Whoosh query, through the same analysis as the documents.

A plain word becomes, at once:

- its folded form in ``exact`` (boosted: exact matches rank above stem-only
  ones) and in ``title`` (boosted by the field);
- its Snowball stems in the stemmed field of every language the index holds.

A word that is a stop word in some indexed language (``la``, ``un``, ``och``)
is optional rather than required, the way a reader expects: it adds to the
score but does not exclude articles. Phrases are matched in order on
``exact``. Prefixes and fuzzy words are expanded against the index's own
vocabulary, up to ``MAX_EXPANSIONS`` terms, so that ``a*`` on a large index
stays bounded; the result says when an expansion was cut.

This module also collects what to highlight (`HighlightTerms`): the forms the
query matches, per language, so that snippets mark ``sanzioni`` for a query
``sanzione``.
"""
from __future__ import annotations

from dataclasses import dataclass

from whoosh import query as wq

from index import analyzer_for, exact_analyzer, fold, stop_words
from index.knowledge import ALL_CAPS, QueryKnowledge, case_pattern, tokens_of
from index.schema import ENTITY_FACETS, EXACT, TITLE, stemmed_field
from index.merging import NO_MERGES, Merges
from search.facets import canonical_value
from search.highlight import HighlightTerms
from search.whoosh_facets import facet_query
from search.notes import Note
from search.syntax import And, FieldValue, Fuzzy, MatchAll, Node, Not, Or, Phrase, Prefix, Word

EXACT_BOOST = 1.5
# An article that only has the entity (named in another language) ranks below
# one that has the words the user typed.
ENTITY_BOOST = 0.3
PROPER_NAME_ENDING = 2  # letters a stemmer may take off a place name ("Stockholms" → stockholm, "Genève" → genev)
MAX_EXPANSIONS = 200
MAX_ENTITY_WORDS = 6


@dataclass
class CompiledQuery:
    query: wq.Query
    highlight: HighlightTerms
    notes: list[str]  # said to the user: truncated expansions and the like
    is_match_all: bool


class QueryCompiler:
    """Compiles one query tree against one index reader.

    ``languages`` are the stemmed languages present in the index: only their
    fields are queried, and only their stop words make a word optional.
    With a ``knowledge`` base, facet values resolve through it (``person:
    poutine``), and, with ``expand_entities``, words that name a known entity
    or country in any language also match the articles that have it as a facet
    value (cross-lingual search); otherwise words match only words.
    """

    def __init__(self, reader, languages: tuple[str, ...], knowledge: QueryKnowledge | None = None,
                 expand_entities: bool = True, budget=None, remember=None, merges: Merges = NO_MERGES) -> None:
        self.reader = reader
        self.merges = merges  # discovered names that are one entity: a facet value matches all its spellings
        # remember(key, compute): answers that depend only on the index state, kept between queries
        # (expanding a fuzzy word walks the vocabulary: 0.7 s at 100,000 articles).
        self.remember = remember or _no_memory
        self.budget = budget  # a search.docsets.Budget: expanding prefixes and fuzzy words stops when it runs out
        self.languages = languages
        self.knowledge = knowledge
        self.expand_entities = expand_entities and knowledge is not None
        self.highlight = HighlightTerms()
        self.notes: list[str] = []
        self._cut_expansions: dict[str, None] = {}  # words whose expansion was cut: one note for all of them
        self._optional_words = frozenset(fold(word) for lang in languages for word in stop_words(lang))

    def compile(self, node: Node) -> CompiledQuery:
        query = self._node(node, negated=False)
        is_match_all = isinstance(node, MatchAll)
        if query is None:
            query = wq.NullQuery
        if self._cut_expansions:
            self.notes.append(_cut_note(list(self._cut_expansions)))
        return CompiledQuery(query, self.highlight, self.notes, is_match_all)

    def _node(self, node: Node, negated: bool) -> wq.Query | None:
        if isinstance(node, And):
            return self._and(node, negated)
        if isinstance(node, Or):
            parts = [q for q in (self._node(child, negated) for child in node.children) if q is not None]
            return wq.Or(parts) if parts else None
        if isinstance(node, Not):
            inner = self._node(node.child, not negated)
            return wq.Not(inner) if inner is not None else None
        if isinstance(node, MatchAll):
            return wq.Every()
        if isinstance(node, FieldValue):
            value = canonical_value(node.field, node.value, self.knowledge, self.merges)
            return self._facet_term(node.field, value, negated)
        if isinstance(node, Word):
            return self._plain_words([node], negated) if node.field is None else self._word(node.text, node.field, negated)
        if isinstance(node, Phrase):
            return self._phrase(node.text, node.field, negated)
        if isinstance(node, Prefix):
            return self._expanded(node.text, node.field, negated, fuzzy_distance=0)
        if isinstance(node, Fuzzy):
            return self._expanded(node.text, node.field, negated, fuzzy_distance=node.distance)
        raise TypeError(f"unknown query node {node!r}")

    def _and(self, node: And, negated: bool) -> wq.Query | None:
        required, optional, excluded = [], [], []
        for group in _plain_word_runs(node.children):
            if isinstance(group, list):  # consecutive plain words: entity names may span them
                for words, is_optional in self._split_entities(group):
                    query = self._plain_words(words, negated, optional=is_optional)
                    if query is not None:
                        (optional if is_optional else required).append(query)
                continue
            query = self._node(group, negated)
            if query is not None:
                (excluded if isinstance(group, Not) else required).append(query)
        if not required:
            required, optional = optional, []
        if not required:
            required = [wq.Every()] if excluded else []
        if not required:
            return None
        query = wq.And(required + excluded) if len(required) + len(excluded) > 1 else required[0]
        if optional:
            query = wq.AndMaybe(query, wq.Or(optional))
        return query

    def _split_entities(self, words: list[Word]) -> list[tuple[list[Word], bool]]:
        """Words grouped as they will be searched: an entity's name together, others alone.

        Returns (words, is_optional) pairs; a lone stop word is optional.
        """
        groups, i = [], 0
        while i < len(words):
            span = self._entity_span(words, i)
            if span:
                groups.append((words[i : i + span], False))
                i += span
            else:
                groups.append(([words[i]], self._is_optional(words[i])))
                i += 1
        return groups

    def _entity_span(self, words: list[Word], start: int) -> int:
        """How many words from ``start`` name a known entity (0: none)."""
        if not self.expand_entities:
            return 0
        for end in range(min(len(words), start + MAX_ENTITY_WORDS), start, -1):
            if self._entities_named(words[start:end]):
                return end - start
        return 0

    def _entities_named(self, words: list[Word]) -> list[tuple[str, str, tuple[str, ...]]]:
        """(facet, value, place names) of the entities these words name, as a user would type them."""
        text = " ".join(word.text for word in words)
        typed = case_pattern(text)
        found = []
        for name in self.knowledge.named(tokens_of(text)) if self.knowledge else ():
            if name.is_short or name.is_combining:
                continue
            if any(rule == ALL_CAPS and seen != ALL_CAPS for rule, seen in zip(name.case, typed)):
                continue  # "un" is not "UN"
            found.append((name.kind, name.value, name.place))
        return list(dict.fromkeys(found))

    def _plain_words(self, words: list[Word], negated: bool, optional: bool = False) -> wq.Query | None:
        """Words searched as words, and, if they name a known entity, as that entity too."""
        parts = [q for q in (self._word(w.text, None, negated, optional) for w in words) if q is not None]
        literal = (wq.And(parts) if len(parts) > 1 else parts[0]) if parts else None
        entities = [] if optional or not self.expand_entities else self._entities_named(words)
        if not entities:
            return literal
        alternatives = []
        typed = tokens_of(" ".join(word.text for word in words))
        for kind, value, place in entities:
            if place:  # a city or region: its names in other languages, not every article about its country
                for name in place:  # one word in any form ("Stockholms"), several as a phrase
                    if tokens_of(name) == typed:
                        continue
                    query = self._word(name, None, negated, proper=True) if len(tokens_of(name)) == 1 else \
                        self._phrase(name, None, negated)
                    if query is not None:  # an Or over the fields: its boost applies (Whoosh ignores it on one child)
                        alternatives.append(query.with_boost(ENTITY_BOOST))
                continue
            alternatives.append(self._facet_term(kind, value, negated, boost=ENTITY_BOOST))
        if not alternatives:
            return literal
        return wq.Or(([literal] if literal is not None else []) + alternatives)

    def _facet_term(self, kind: str, value: str, negated: bool, boost: float = 1.0) -> wq.Query:
        """Articles with this facet value, in any of the spellings merged into it."""
        if kind in ENTITY_FACETS and not negated:
            self.highlight.entities.update((kind, v) for v in self.merges.variants(kind, value))
        return facet_query(kind, value, self.merges, boost)

    def _is_optional(self, node: Node) -> bool:
        return isinstance(node, Word) and node.field is None and fold(node.text) in self._optional_words

    def _word(self, text: str, field_name: str | None, negated: bool, optional: bool = False,
              proper: bool = False) -> wq.Query | None:
        """One word in every field; ``proper``: a proper name in another language's spelling, which a
        stemmer may cut to a stem of other words ("Geneva" is "gen" to the Italian one): only its
        inflections are searched, stems that cut more than `PROPER_NAME_ENDING` letters are left out."""
        groups = _positions(exact_analyzer(), text)
        if not groups:
            return None
        if not negated:
            marked = self.highlight.weak if optional else self.highlight.exact
            marked.update(term for group in groups for term in group)
        if field_name == TITLE:
            return _positional(TITLE, groups)
        clauses = [_positional(EXACT, groups, boost=EXACT_BOOST), _positional(TITLE, groups)]
        for lang in self.languages:
            stem_groups = _positions(analyzer_for(lang), text)
            if not stem_groups:
                continue  # a stop word in this language
            if proper and any(len(whole[0]) - len(stem[0]) > PROPER_NAME_ENDING
                              for whole, stem in zip(groups, stem_groups)):
                continue
            if not negated and not optional:
                self.highlight.stems.setdefault(lang, set()).update(t for g in stem_groups for t in g)
            field_name = stemmed_field(lang)
            ors = [_any_term(field_name, group) for group in stem_groups]
            clauses.append(ors[0] if len(ors) == 1 else wq.And(ors))
        return wq.Or(clauses)

    def _phrase(self, text: str, field_name: str | None, negated: bool) -> wq.Query | None:
        groups = _positions(exact_analyzer(), text)
        if not groups:
            return None
        words = [group[0] for group in groups]
        if not negated:
            self.highlight.phrases.add(tuple(words))
        fields = [TITLE] if field_name == TITLE else [EXACT, TITLE]
        if len(words) == 1:
            return wq.Or([wq.Term(name, words[0]) for name in fields])
        return wq.Or([wq.Phrase(name, words) for name in fields])

    def _expanded(self, text: str, field_name: str | None, negated: bool, fuzzy_distance: int) -> wq.Query | None:
        """A prefix (``fuzzy_distance`` 0) or fuzzy word, as the index terms it stands for."""
        word = fold(text).strip("*~")
        groups = _positions(exact_analyzer(), word)
        if len(groups) != 1:
            return self._word(text, field_name, negated)  # "russo-cin*": search the words
        word = groups[0][0]
        if self.budget is not None and self.budget.spent():
            return wq.NullQuery  # a fuzzy word walks the vocabulary: past the time limit it finds nothing
        fields = [TITLE] if field_name == TITLE else [EXACT, TITLE]
        terms: set[str] = set()
        for name in fields:
            found, is_cut = self.remember(("expansion", name, word, fuzzy_distance),
                                          lambda name=name: self._vocabulary_matches(name, word, fuzzy_distance))
            terms.update(found)
            if is_cut:
                self._cut_expansions[f"{text}~" if fuzzy_distance else f"{text}*"] = None
        if not terms:
            return wq.NullQuery
        if not negated:
            if fuzzy_distance:
                self.highlight.exact.update(terms)
            else:
                self.highlight.prefixes.add(word)
        ordered = sorted(terms)
        return wq.Or([wq.Or([wq.Term(name, term) for term in ordered]) for name in fields])

    def _vocabulary_matches(self, field_name: str, word: str, fuzzy_distance: int) -> tuple[tuple[str, ...], bool]:
        """The index's words that start with ``word`` (or are within ``fuzzy_distance`` edits), and if the list was cut."""
        if fuzzy_distance:
            candidates = self.reader.terms_within(field_name, word, fuzzy_distance, prefix=1)
        else:
            candidates = self.reader.expand_prefix(field_name, word)
        found = []
        for term in candidates:
            if len(found) >= MAX_EXPANSIONS:
                return tuple(found), True
            found.append(_text(term))
        return tuple(found), False


def _no_memory(key, compute):
    return compute()


def _plain_word_runs(children) -> list:
    """Children with each run of consecutive plain (unfielded) words gathered in a list."""
    grouped: list = []
    for child in children:
        if isinstance(child, Word) and child.field is None:
            if grouped and isinstance(grouped[-1], list):
                grouped[-1].append(child)
            else:
                grouped.append([child])
        else:
            grouped.append(child)
    return grouped


def _positions(analyzer, text: str) -> list[list[str]]:
    """The analyzer's terms grouped by position: [["russo", "russocinesi"], ["cinesi"]]."""
    groups: dict[int, list[str]] = {}
    for token in analyzer(text, positions=True):
        group = groups.setdefault(token.pos, [])
        if token.text not in group:
            group.append(token.text)
    return [groups[pos] for pos in sorted(groups)]


def _any_term(field_name: str, terms: list[str], boost: float = 1.0) -> wq.Query:
    if len(terms) == 1:
        return wq.Term(field_name, terms[0], boost=boost)
    return wq.Or([wq.Term(field_name, term) for term in terms], boost=boost)


def _positional(field_name: str, groups: list[list[str]], boost: float = 1.0) -> wq.Query:
    """One word, or the parts of a compound in order, or the compound whole."""
    if len(groups) == 1:
        return _any_term(field_name, groups[0], boost)
    phrase = wq.Phrase(field_name, [group[0] for group in groups], boost=boost)
    wholes = [wq.Term(field_name, term, boost=boost) for group in groups for term in group[1:]]
    return wq.Or([phrase, *wholes]) if wholes else phrase


def _text(term) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


def _cut_note(words: list[str]) -> str:
    """One note for every prefix or fuzzy word whose expansion was cut (64 of them are one note, not 64)."""
    if len(words) == 1:
        return Note("{word!r} matches too many words; only the first {limit} were searched", word=words[0],
                    limit=MAX_EXPANSIONS)
    shown = ", ".join(repr(word) for word in words[:3])
    if len(words) > 3:
        return Note("{words} and {more} more match too many words; only the first {limit} of each were searched",
                    words=shown, more=len(words) - 3, limit=MAX_EXPANSIONS)
    return Note("{words} match too many words; only the first {limit} of each were searched", words=shown,
                limit=MAX_EXPANSIONS)
