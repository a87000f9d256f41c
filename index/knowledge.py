"""The knowledge base of entities: what the extractor knows, loaded from editable files.

Three sources make one table of aliases:

- ``data/entities.txt`` and ``data/entities-*.txt``: people and organizations
  (names, aliases in every language and script, short forms, options), given
  names and their transliterations; one file per theme, all read as one;
- ``data/countries.json``: adjectives, demonyms, places (capitals, cities) and combining forms;
- CLDR territory names in many languages, through Babel.

Every alias is stored as its folded tokens (the same tokenizer as the index)
with a case pattern taken from how the file writes it: a token written with a
capital must be capitalized in the text, so ``Usa`` matches "Usa" and "USA"
but not the Italian verb "usa". The knowledge base is checked when loaded: an
alias claimed by two entities of the files is an error (`KnowledgeError`)
unless both mark it ambiguous.
"""
from __future__ import annotations

import functools
import hashlib
import json
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

from index.analysis import exact_analyzer, fold, stop_words
from index.errors import CorpusSearchError
from index.store import write_atomically

DATA_DIR = Path(__file__).parent / "data"
EXTRACTOR_SOURCES = (Path(__file__).parent / "entities.py", Path(__file__).parent / "tagger.py")
ENTITIES_FILE = "entities.txt"
ENTITIES_GLOB = "entities-*.txt"  # more entity files, by theme: read after ENTITIES_FILE, as if one file
COUNTRIES_FILE = "countries.json"
TAGGER_MODEL_FILE = "tagger.crfsuite"  # index/tagger.py
PLACES_FILE = "places.txt"  # towns, regions, districts: names that are not people's ("Reggio Emilia")
# CLDR languages whose country names are matched: those a Snowball stemmer
# exists for, plus the big languages of other scripts.
CLDR_LANGUAGES = (
    "it fr sv en de es pt nl da nb fi pl cs hu ro ru uk el tr ca et lt lv sk sl hr sr "
    "zh ja ko ar fa he hi id ms vi"
).split()
MIN_CLDR_NAME_CHARS = 4  # shorter CLDR names ("Man", "Ciad") collide with words too easily

# First words of known people's names that are no given name: they must not make "Abu Ghraib",
# "Sheikh Jarrah" or "Pope Street" look like people.
NOT_GIVEN_NAMES = frozenset("""
    abu umm sheikh sheik cheikh emir pope papa king queen prince princess sir lord lady dame saint san santa
    sankt st al el ibn bin ben de di da van von le la du
""".split())

Kind = Literal["person", "org", "country"]
ANY, CAPITAL, ALL_CAPS = 0, 1, 2


class KnowledgeError(CorpusSearchError):
    def __init__(self, path: str, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        where = f"{path}:{line}" if line else path
        super().__init__(f"bad knowledge file {where}: {reason}")


@dataclass(frozen=True)
class Entity:
    kind: Kind
    value: str  # English name for people and organizations, ISO code for countries
    qid: str | None = None
    implies: tuple[str, ...] = ()  # country codes this entity stands for (Kremlin → RU)


@dataclass(frozen=True)
class Alias:
    entity: Entity
    tokens: tuple[str, ...]  # folded
    case: tuple[int, ...]  # ANY / CAPITAL / ALL_CAPS per token
    is_short: bool = False  # counts only if the entity is named in full elsewhere in the article
    is_combining: bool = False  # counts only inside a hyphenated compound
    is_genitive: bool = False  # a Swedish/English genitive form made from an alias ("Kinas")
    place: tuple[str, ...] = ()  # a city or region of the country: all its names ("Stoccolma", "Stockholm")
    languages: tuple[str, ...] = ()  # matched only in articles of these languages ("MP@sv"); () is every language


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one per process
class KnowledgeBase:
    aliases: dict[tuple[str, ...], tuple[Alias, ...]]
    people: tuple[Entity, ...]
    orgs: tuple[Entity, ...]
    person_names: dict[str, tuple[tuple[str, ...], ...]]  # person value → its multi-token names
    given_names: frozenset[str]  # folded first names, to recognise unknown people
    fingerprint: str  # changes when any source changes: the index re-extracts then
    dropped_cldr_aliases: int = 0
    entities_by_value: dict[tuple[str, str], Entity] = field(default_factory=dict)
    places: frozenset[tuple[str, ...]] = frozenset()  # folded tokens of place names: never a person

    def lookup(self, kind: Kind, text: str) -> Entity | None:
        """The entity a filter value names: its value, or any alias of it (``poutine``, ``nordkorea``)."""
        return _resolve(kind, text, self.entities_by_value,
                        lambda tokens: ((a.entity.kind, a.is_combining, a.entity) for a in self.aliases.get(tokens, ())))


class NameRef(NamedTuple):
    """An alias as searching sees it: which entity a name names, and how it must be written."""

    kind: str
    value: str
    case: tuple[int, ...]
    is_short: bool
    is_combining: bool
    place: tuple[str, ...] = ()  # a city or region: searched as its names in every language, not as the country


# The languages of the search page: country labels in them ship with every index.
LABEL_LANGUAGES = ("en", "it", "fr", "sv")


@dataclass(frozen=True, eq=False)
class QueryKnowledge:
    """What searching needs of the knowledge base, in plain tuples: a third of the time to load.

    A query resolves names (``Poutine`` → Vladimir Putin) and filter values,
    and labels countries; it never extracts entities, so it does without the
    extractor's first names, person names and Alias objects (loading the
    full snapshot was 43 ms of a 0.4 s cold search at 100,000 articles).
    """

    names: dict[tuple[str, ...], tuple[tuple, ...]]  # folded tokens → NameRef fields
    values: dict[tuple[str, str], str]  # (kind, value as written) → value
    country_labels: dict[str, dict[str, str]]  # language → ISO code → name

    def named(self, tokens: tuple[str, ...]) -> tuple[NameRef, ...]:
        return tuple(NameRef(*fields) for fields in self.names.get(tokens, ()))

    def lookup(self, kind: Kind, text: str) -> str | None:
        """The value a filter names: the value itself, or any alias of it (``poutine``, ``nordkorea``)."""
        return _resolve(kind, text, self.values,
                        lambda tokens: ((ref.kind, ref.is_combining, ref.value) for ref in self.named(tokens)))

    def country_name(self, code: str, language: str) -> str:
        labels = self.country_labels.get(language)
        return labels.get(code, code) if labels is not None else country_name(code, language)


def query_knowledge(knowledge: KnowledgeBase) -> QueryKnowledge:
    # A query has no language: an alias of one language only ("MP", the Swedish Greens) names nothing in it.
    names = {tokens: refs for tokens, aliases in knowledge.aliases.items()
             if (refs := tuple((a.entity.kind, a.entity.value, a.case, a.is_short, a.is_combining, a.place)
                               for a in aliases if not a.languages))}
    values = {key: entity.value for key, entity in knowledge.entities_by_value.items()}
    from babel import Locale

    labels = {lang: dict(Locale.parse(lang).territories) for lang in LABEL_LANGUAGES}
    return QueryKnowledge(names, values, labels)


def _resolve(kind: Kind, text: str, by_value: dict, named):
    """What ``text`` names as a ``kind``: looked up as a value (``KP``, ``kp``), else as an alias.

    ``named(tokens)`` yields (kind, is_combining, answer) for the aliases with those tokens.
    """
    found = by_value.get((kind, text.strip()))
    if found is None and kind == "country":
        found = by_value.get((kind, text.strip().upper()))
    if found is not None:
        return found
    for alias_kind, is_combining, answer in named(tokens_of(text)):
        if alias_kind == kind and not is_combining:
            return answer
    return None


def tokens_of(text: str) -> tuple[str, ...]:
    """Folded tokens of a name, compounds split into their parts (as the extractor sees them)."""
    tokens, last_pos = [], -1
    for token in exact_analyzer()(text, positions=True):
        if token.pos != last_pos:
            tokens.append(token.text)
            last_pos = token.pos
    return tuple(tokens)


def case_pattern(text: str) -> tuple[int, ...]:
    """How each token of a name, as written in a knowledge file, must be cased in the text."""
    common = _common_short_words()
    pattern, last_pos = [], -1
    for token in exact_analyzer()(text, positions=True, chars=True):
        if token.pos == last_pos:
            continue
        last_pos = token.pos
        written = text[token.startchar : token.endchar]
        if written.isupper() and len(written) <= 3 and fold(written) in common:
            pattern.append(ALL_CAPS)  # "UN", "ONU" must not match "un", "onu"
        elif written[:1].isupper():
            pattern.append(CAPITAL)
        else:
            pattern.append(ANY)
    return tuple(pattern)


@functools.cache
def _common_short_words() -> frozenset[str]:
    return frozenset(fold(w) for lang in ("it", "fr", "sv", "en", "de", "es", "pt", "nl") for w in stop_words(lang))


@functools.cache
def load_knowledge(data_dir: Path = DATA_DIR) -> KnowledgeBase:
    """Read and check the knowledge files once per process.

    :raise KnowledgeError: for a malformed line or an alias two entities claim.
    """
    entity_paths = entity_files(data_dir)
    countries_path, places_path = data_dir / COUNTRIES_FILE, data_dir / PLACES_FILE
    digest = hashlib.sha256()
    # The tagger's model is a source of entities too: a new model must re-extract every article; and
    # so are the rules (the extractor's and the tagger's code): an index built by an earlier version
    # of them is re-extracted on its next update, not left with the facets that version found.
    for path in (*entity_paths, countries_path, places_path, data_dir / TAGGER_MODEL_FILE, *EXTRACTOR_SOURCES):
        if path.exists():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    import babel

    digest.update(babel.__version__.encode())
    builder = _Builder(str(entity_paths[0]))
    _read_entities(entity_paths, builder)
    builder.source = str(countries_path)
    _read_countries(countries_path, builder)
    _read_cldr(builder, json.loads(countries_path.read_text(encoding="utf-8")))
    if places_path.exists():
        builder.source = str(places_path)
        _read_places(places_path, builder)
    return builder.finish(digest.hexdigest()[:16])


def entity_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """The people-and-organization files, in reading order (an error names the file and line)."""
    return [data_dir / ENTITIES_FILE, *sorted(data_dir.glob(ENTITIES_GLOB))]


class _Builder:
    """Collects aliases, refusing conflicts between the files' own entries."""

    def __init__(self, source: str) -> None:
        self.source = source  # the file being read, for error messages
        self.aliases: dict[tuple[str, ...], list[Alias]] = {}
        self.claimed: dict[tuple[str, ...], tuple[Entity, int, bool]] = {}  # from the files: entity, line, ambiguous
        self.cldr_dropped: set[tuple[str, ...]] = set()
        self.people: list[Entity] = []
        self.orgs: list[Entity] = []
        self.person_names: dict[str, list[tuple[str, ...]]] = {}
        self.given_names: set[str] = set()
        self.given_variants: dict[str, list[str]] = {}
        self.by_value: dict[tuple[str, str], Entity] = {}
        self.places: set[tuple[str, ...]] = set()

    def add(self, entity: Entity, text: str, *, line: int = 0, is_short=False, is_combining=False,
            ambiguous=False, any_case=False, from_cldr=False, place: tuple[str, ...] = (),
            languages: tuple[str, ...] = ()) -> None:
        text, written = _alias_languages(text)
        languages = written or languages
        tokens = tokens_of(text)
        if not tokens:
            return
        case = tuple(ANY for _ in tokens) if any_case or is_combining else case_pattern(text)
        if from_cldr:
            if tokens in self.claimed or tokens in self.cldr_dropped:
                return  # the files say what this name means, or CLDR is ambiguous about it
            if {a.entity for a in self.aliases.get(tokens, ())} - {entity}:
                # CLDR names two territories alike in some language: useless for matching.
                self.cldr_dropped.add(tokens)
                del self.aliases[tokens]
                return
        elif not is_short and not is_combining:
            previous = self.claimed.get(tokens)
            if previous and previous[0] != entity and not (previous[2] and ambiguous):
                raise KnowledgeError(
                    self.source, line,
                    f"alias {text!r} of {entity.value!r} is already an alias of {previous[0].value!r} "
                    f"({previous[1]}); mark it ambiguous=... on both lines if both are meant",
                )
            self.claimed[tokens] = (entity, f"{Path(self.source).name}:{line}", ambiguous)
        alias = Alias(entity, tokens, case, is_short=is_short, is_combining=is_combining, place=place,
                      languages=languages)
        existing = self.aliases.setdefault(tokens, [])
        if all((a.entity, a.is_short, a.is_combining, a.case, a.languages)
               != (entity, is_short, is_combining, case, languages) for a in existing):
            existing.append(alias)

    def finish(self, fingerprint: str) -> KnowledgeBase:
        # The Swedish and English genitive ("Kinas", "Putins", "Natos"), unless a real alias has that form.
        for tokens, aliases in list(self.aliases.items()):
            genitive = genitive_of(tokens)
            for alias in aliases:
                if genitive is None or alias.is_short or alias.is_combining or alias.is_genitive:
                    continue
                if genitive not in self.aliases:
                    self.aliases[genitive] = [Alias(alias.entity, genitive, alias.case, is_genitive=True,
                                                    place=alias.place, languages=alias.languages)]
        return KnowledgeBase(
            aliases={tokens: tuple(aliases) for tokens, aliases in self.aliases.items() if aliases},
            people=tuple(self.people),
            orgs=tuple(self.orgs),
            person_names={value: tuple(names) for value, names in self.person_names.items()},
            given_names=frozenset(self.given_names),
            fingerprint=fingerprint,
            dropped_cldr_aliases=len(self.cldr_dropped),
            entities_by_value=dict(self.by_value),
            places=frozenset(self.places),
        )


def _read_entities(paths: list[Path], builder: _Builder) -> None:
    files = [(path, path.read_text(encoding="utf-8").splitlines()) for path in paths]
    # Given-name transliterations first, from every file: people's names are expanded with them.
    for path, number, line in _numbered(files):
        fields = [f.strip() for f in line.split("|")]
        if fields[0] == "given":
            if len(fields) != 3:
                raise KnowledgeError(str(path), number, "a 'given' line has 3 fields: given | name | variants")
            spellings = [fields[1], *_split(fields[2])]
            for spelling in spellings:
                builder.given_variants[fold(spelling)] = spellings
        elif fields[0] == "first":
            builder.given_names.update(fold(name) for name in _split(fields[1]))
    for path, number, line in _numbered(files):
        builder.source = str(path)
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.split("|")]
        if fields[0] in ("given", "first"):
            continue
        if fields[0] not in ("person", "org") or len(fields) < 5:
            raise KnowledgeError(str(path), number, "expected: kind | name | qid | aliases | short forms | options")
        kind, name, qid, aliases, shorts = fields[:5]
        options = dict(_option(o) for o in _split(fields[5] if len(fields) > 5 else "", sep=" "))
        implies = tuple(c.strip().upper() for c in options.get("country", "").split(",") if c.strip())
        entity = Entity(kind, name, None if qid in ("", "-") else qid, implies)
        (builder.people if kind == "person" else builder.orgs).append(entity)
        builder.by_value[(kind, name)] = entity
        ambiguous = set(_split(options.get("ambiguous", ""), sep=","))
        any_case = "anycase" in options
        full_names = [name, *_split(aliases)]
        if kind == "person":
            full_names += _full_name_variants(name, full_names, builder.given_variants)
            first = fold(name.split()[0])
            if len(name.split()) > 1 and first not in NOT_GIVEN_NAMES:
                builder.given_names.add(first)
            builder.person_names[name] = [tokens_of(n) for n in full_names if len(tokens_of(n)) > 1]
        for alias in dict.fromkeys(full_names):
            builder.add(entity, alias, line=number, ambiguous=alias in ambiguous, any_case=any_case)
        for short in _split(shorts):
            builder.add(entity, short, line=number, is_short=True, any_case=any_case)
    builder.given_names.update(builder.given_variants)


def _numbered(files: list[tuple[Path, list[str]]]):
    for path, lines in files:
        for number, line in enumerate(lines, start=1):
            yield path, number, line


def _full_name_variants(name: str, aliases: list[str], given_variants: dict[str, list[str]]) -> list[str]:
    """Every spelling of the given name with every spelling of the surname.

    "Vladimir Putin" with the alias "Poutine" also gives "Vladimir Poutine";
    "Sergei Shoigu" gives "Serghei Shoigu", "Sergueï Choïgou", …
    """
    first, _, rest = name.partition(" ")
    if not rest:
        return []
    givens = given_variants.get(fold(first), [first])
    surnames = [rest] + [alias for alias in aliases if len(tokens_of(alias)) == 1 and alias[:1].isupper()]
    return [f"{given} {surname}" for given in givens for surname in surnames]


def _read_countries(path: Path, builder: _Builder) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    for code, info in data["countries"].items():
        entity = _country(builder, code)
        for name in info.get("names", "").split("|"):
            builder.add(entity, name.strip())
        for group in info.get("places", ()):
            place = tuple(name.strip() for name in group.split("|") if name.strip())
            for name in place:
                builder.add(entity, name, place=place)
            builder.places.update(tokens for tokens in map(tokens_of, place) if tokens)  # never a person either
        for language, words in info.get("adjectives", {}).items():
            for form, languages in adjective_forms(language, words):
                builder.add(entity, form, any_case=True, languages=languages)
        for word in info.get("combining", "").split():
            builder.add(entity, word, is_combining=True)


def genitive_of(tokens: tuple[str, ...]) -> tuple[str, ...] | None:
    """The Swedish and English genitive the loader adds to an alias ("Kinas", "Putins"), or None: not after
    an "s", a short word or a mark."""
    last = tokens[-1]
    if not last[-1:].isalpha() or last.endswith("s") or len(last) < 3:
        return None
    return tokens[:-1] + (last + "s",)


def adjective_forms(language: str, words: str) -> list[tuple[str, tuple[str, ...]]]:
    """The forms one language's adjectives of a country stand for, each with the languages it is limited to.

    Adjectives are matched in articles of every language, so a form that is an ordinary word of another
    language carries an "@xx" suffix, as entity aliases do: "persa@es" is Iranian in Spanish articles only,
    where an Italian "partita persa" is a lost match. A form inflected by rule keeps its word's limit.
    """
    forms = []
    for written in words.split("|") if "|" in words else words.split():
        word, languages = _alias_languages(written)
        forms += [(form, languages) for form in (word, *_inflected_adjectives(language, word))]
    return forms


def _inflected_adjectives(language: str, word: str) -> tuple[str, ...]:
    """Forms of a nationality adjective that follow from the one listed, by rule: Swedish writes a
    masculine person with a weak "-e" ("den norske författaren", "den ryske presidenten"), the listed
    "-a" form's twin."""
    if language == "sv" and word.endswith("ska") and " " not in word:
        return (word[:-1] + "e",)
    return ()


def _read_cldr(builder: _Builder, countries: dict) -> None:
    from babel import Locale

    excluded_codes = set(countries.get("not_countries", "").split())
    excluded_names = {tokens_of(n) for n in countries.get("not_names", {}).get("names", "").split("|")}
    for language in CLDR_LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if len(code) != 2 or not code.isalpha() or code in excluded_codes:
                continue
            if len(name) < MIN_CLDR_NAME_CHARS or tokens_of(name) in excluded_names:
                continue
            builder.add(_country(builder, code), name, from_cldr=True)


def _read_places(path: Path, builder: _Builder) -> None:
    """``XX | Name; Name; …`` lines: place names, which discovery must not take for people."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        code, separator, names = line.partition("|")
        if not separator or len(code.strip()) != 2:
            raise KnowledgeError(str(path), number, "expected: XX | place; place; …")
        builder.places.update(tokens for tokens in map(tokens_of, _split(names)) if tokens)


def _country(builder: _Builder, code: str) -> Entity:
    key = ("country", code)
    if key not in builder.by_value:
        builder.by_value[key] = Entity("country", code)
    return builder.by_value[key]


_LANGUAGES_SUFFIX = re.compile(r"@([a-z]{2,3}(?:,[a-z]{2,3})*)$")


def _alias_languages(text: str) -> tuple[str, tuple[str, ...]]:
    """An alias and the languages it is limited to: "MP@sv" is the Swedish Greens in Swedish articles only,
    where an English "MP" is a member of parliament."""
    found = _LANGUAGES_SUFFIX.search(text)
    if not found:
        return text, ()
    return text[: found.start()].strip(), tuple(found.group(1).split(","))


def _split(text: str, sep: str = ";") -> list[str]:
    return [part.strip() for part in text.split(sep) if part.strip()]


def _option(text: str) -> tuple[str, str]:
    key, _, value = text.partition("=")
    return key.strip(), value.strip()


SNAPSHOT_FILE = "knowledge.pickle"
QUERY_SNAPSHOT_FILE = "query-knowledge.pickle"


def save_snapshot(knowledge: KnowledgeBase, folder: Path) -> None:
    """Store the knowledge base beside an index, so that searches load it in ~0.1 s instead of ~1 s.

    It is a pickle, like the rest of a Whoosh index: only trusted indexes may be opened.
    """
    _write_pickle(folder / SNAPSHOT_FILE, knowledge)
    _write_pickle(folder / QUERY_SNAPSHOT_FILE, query_knowledge(knowledge))


def save_query_snapshot(folder: Path) -> None:
    """Add the query snapshot to an index built before it existed (from its full snapshot)."""
    if (folder / SNAPSHOT_FILE).exists() and not (folder / QUERY_SNAPSHOT_FILE).exists():
        _write_pickle(folder / QUERY_SNAPSHOT_FILE, query_knowledge(load_snapshot(folder)))


def _write_pickle(path: Path, content) -> None:
    """``content`` pickled into ``path`` whole or not at all (readers never see half a file)."""
    write_atomically(path, pickle.dumps(content, protocol=pickle.HIGHEST_PROTOCOL))


def load_query_knowledge(folder: Path) -> QueryKnowledge:
    """What searching needs of the knowledge base an index was built with (see `QueryKnowledge`)."""
    try:
        loaded = pickle.loads((folder / QUERY_SNAPSHOT_FILE).read_bytes())
        if isinstance(loaded, QueryKnowledge):
            return loaded
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    return query_knowledge(load_snapshot(folder))  # an index from before the query snapshot existed


def load_snapshot(folder: Path) -> KnowledgeBase:
    """The knowledge base an index was built with (the shipped one if the index has no snapshot)."""
    try:
        return pickle.loads((folder / SNAPSHOT_FILE).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return load_knowledge()


def country_name(code: str, language: str = "en") -> str:
    """A country's name in a language (CLDR), or the code if CLDR has none."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language).territories.get(code, code)
    except (ValueError, UnknownLocaleError):
        return code


def language_name(code: str, language: str = "en") -> str:
    """A language's name in a language (CLDR), or the code if CLDR has none."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language).languages.get(code, code)
    except (ValueError, UnknownLocaleError):
        return code
