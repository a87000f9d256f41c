"""The query language parser: every construct, and forgiveness for malformed input."""
from __future__ import annotations

import pytest

from search.syntax import (MAX_CLAUSES, MAX_QUERY_CHARS, And, FieldValue, Fuzzy, MatchAll, Not, Or, Phrase, Prefix,
                           QueryError, Word, parse)


@pytest.mark.parametrize(
    "query, tree",
    [
        ("", MatchAll()),
        ("   ", MatchAll()),
        ("*", MatchAll()),
        ("Putin", Word("Putin")),
        ("Wang Yi", And((Word("Wang"), Word("Yi")))),
        ("a AND b", And((Word("a"), Word("b")))),
        ("Trump OR Biden", Or((Word("Trump"), Word("Biden")))),
        ("a b OR c", And((Word("a"), Or((Word("b"), Word("c")))))),  # OR binds tighter
        ("Malta -Lavrov", And((Word("Malta"), Not(Word("Lavrov"))))),
        ("Malta NOT Lavrov", And((Word("Malta"), Not(Word("Lavrov"))))),
        ('"Consiglio di sicurezza"', Phrase("Consiglio di sicurezza")),
        ('-"a b" c', And((Not(Phrase("a b")), Word("c")))),
        ("title:Putin", Word("Putin", "title")),
        ('title:"Wang Yi"', Phrase("Wang Yi", "title")),
        ("title:sanz*", Prefix("sanz", "title")),
        ("lang:sv", FieldValue("lang", "sv")),
        ("LANG:sv", FieldValue("lang", "sv")),
        ("sanz*", Prefix("sanz")),
        ("Shoygu~", Fuzzy("Shoygu", 1)),
        ("Shoygu~2", Fuzzy("Shoygu", 2)),
        ("(a OR b) c", And((Or((Word("a"), Word("b"))), Word("c")))),
        ("-(a b)", Not(And((Word("a"), Word("b"))))),
        ("--a", Word("a")),  # a double negation cancels out
    ],
)
def test_query_syntax(query, tree):
    assert parse(query) == tree


@pytest.mark.parametrize(
    "query, tree",
    [
        ('"unbalanced quote', Phrase("unbalanced quote")),  # closes at the end
        ("((a b", And((Word("a"), Word("b")))),  # unclosed parentheses
        ("a) b)", And((Word("a"), Word("b")))),  # stray closing parentheses
        ("-", MatchAll()),  # a lone minus says nothing
        ("a -", Word("a")),
        ("OR a", Word("a")),  # dangling operators
        ("a OR", Word("a")),
        ("a OR OR b", Or((Word("a"), Word("b")))),
        ("NOT", MatchAll()),
        ("( )", MatchAll()),
        ('""', MatchAll()),
        ("-------x", Not(Word("x"))),
        ("http://example.org", Word("http://example.org")),  # an unknown field is text
        ("((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))", Word("a")),
    ],
)
def test_malformed_query_is_repaired(query, tree):
    assert parse(query) == tree


def test_overlong_query_is_refused_with_the_reason():
    with pytest.raises(QueryError, match=f"limit is {MAX_QUERY_CHARS:,}"):
        parse("x" * 10_000)


def test_too_many_terms_are_refused_with_the_reason():
    with pytest.raises(QueryError, match=f"limit is {MAX_CLAUSES}"):
        parse(" ".join(f"w{i}" for i in range(MAX_CLAUSES + 1)))


def test_deep_nesting_is_parsed_without_recursion_trouble():
    assert parse("(" * 400 + "a" + ")" * 400) == Word("a")
