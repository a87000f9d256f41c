"""The index's fields: their names, their Whoosh types, and the analysis version.

One stemmed field per Snowball language (``text_it``, ``text_fr``, …) keeps
each language's statistics and stop words apart; ``exact`` holds every word of
every article, folded, with positions, for names and phrases; ``title`` is the
folded title again, boosted, for ``title:`` queries and ranking.
"""
from __future__ import annotations

from whoosh import columns, fields

from index.analysis import SNOWBALL_LANGUAGES, analyzer_for, exact_analyzer

# Bump when analysis or fields change what is indexed: an index built with
# another version is rebuilt rather than searched with mismatched terms.
ANALYSIS_VERSION = 7

ID = "id"
PATH = "path"  # the corpus file a document came from
FILE_KEY = "file_key"  # "path\x00hash\x00run": the index's own record of what it holds (see index/writer.py)
ARTICLE_KEY = "article_key"  # "path\x00id\x00hash": each article as indexed, so that an update re-indexes only those that changed
TITLE = "title"
EXACT = "exact"
TEXT = "text"  # stored only: the article body for display and snippets
LANG = "lang"
DATE = "date"
URL = "url"
SOURCE = "source"
PERSON = "person"
COUNTRY = "country"
ORG = "org"
ENTITIES = "entities"  # stored: each entity with its mentions, for display
ENTITY_FACETS = (PERSON, COUNTRY, ORG)
VALUE_SEPARATOR = ","  # between the values of a multi-valued facet field
# A comma inside a value ("Tesla, Inc.") would split it in two: in the keyword field it is written as this
# look-alike, which no name in the corpus uses. Facet columns and stored entities keep the value as it is.
COMMA_IN_VALUE = "\u201a"


def keyword_term(value: str) -> str:
    """A facet value as the keyword field indexes it: a term of its own, commas and all."""
    return value.replace(VALUE_SEPARATOR, COMMA_IN_VALUE)


def from_keyword_term(term: str) -> str:
    return term.replace(COMMA_IN_VALUE, VALUE_SEPARATOR)

TITLE_BOOST = 2.0
STORED_FIELDS = (ID, PATH, TITLE, TEXT, LANG, DATE, URL, SOURCE, PERSON, COUNTRY, ORG, ENTITIES)
FACET_FIELDS = (PERSON, COUNTRY, ORG, LANG)
STEMMED_LANGUAGES = tuple(sorted(set(SNOWBALL_LANGUAGES)))


class Preindexed(tuple):
    """A field's postings computed ahead, in a worker process: ((term bytes, freq, weight, value bytes), …)."""

    __slots__ = ()


class PreindexedText(fields.TEXT):
    """A TEXT field that also accepts `Preindexed` postings, so that analysis runs in worker processes.

    Strings are analyzed as usual (queries, and anything indexed in-process).
    """

    def index(self, value, **kwargs):
        if isinstance(value, Preindexed):
            return value
        return super().index(value, **kwargs)


def preindex(schema: fields.Schema, name: str, text: str) -> Preindexed:
    return Preindexed(schema[name].index(text))


# The article text and its entities are stored as they are: Whoosh's stored-fields column compresses each
# document's fields together (zlib), which beats compressing the text and the entities apart and then
# compressing again. Measured on 572 stored documents of the 10,000-article bench: 1,887 bytes a document,
# against 2,310 with the text and entities packed first. (Indexes that packed them are of an older
# ANALYSIS_VERSION, which no reader opens.)


def stemmed_field(lang: str) -> str:
    """The field that holds the stemmed text of one language."""
    return f"text_{lang}"


def facet_column(name: str) -> str:
    """The column holding a multi-valued facet's values per document, for fast counting."""
    return f"{name}_values"


def build_schema() -> fields.Schema:
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        path=fields.ID(stored=True),
        file_key=fields.ID(),
        article_key=fields.ID(),
        title=PreindexedText(analyzer=exact_analyzer(), stored=True, field_boost=TITLE_BOOST),
        exact=PreindexedText(analyzer=exact_analyzer()),
        text=fields.STORED(),
        lang=fields.ID(stored=True, sortable=True),
        date=fields.ID(stored=True, sortable=True),
        url=fields.STORED(),
        source=fields.STORED(),
        entities=fields.STORED(),
    )
    for name in ENTITY_FACETS:
        # The keyword field answers filters; the column answers counts without touching postings.
        schema.add(name, fields.KEYWORD(stored=True, commas=True, scorable=True))
        schema.add(facet_column(name), fields.COLUMN(columns.VarBytesColumn()))
    for lang in STEMMED_LANGUAGES:
        # No positions: phrases are matched on ``exact``; this keeps the index small.
        schema.add(stemmed_field(lang), PreindexedText(analyzer=analyzer_for(lang), phrase=False))
    return schema
