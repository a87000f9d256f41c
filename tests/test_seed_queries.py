"""The cases of ../shared/eval/seed-queries.json (core, facet, crosslingual), through the CLI's --json contract.

Each case states what a user expects of a query over the seed articles:
'top' must be the first results (in any order), 'all' is the exact set of
matches, 'includes' must match, 'excludes' must not.
"""
from __future__ import annotations

import json

import pytest

from conftest import SHARED

SEED_QUERIES = SHARED / "eval" / "seed-queries.json"


def cases(level: str) -> list:
    if not SEED_QUERIES.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{SEED_QUERIES} is not there"))]
    data = json.loads(SEED_QUERIES.read_text())
    return [pytest.param(case, id=f"{case['query']!r} {case.get('lang', '')} {case.get('filters', '')}".strip())
            for case in data["cases"] if case["level"] == level]


def check_case(case: dict, result: dict) -> None:
    ids = [hit["id"] for hit in result["hits"]]
    assert result["total"] == len(ids), "the limit must not cut the list in this check"
    if "all" in case:
        assert sorted(ids) == sorted(case["all"])
    if "top" in case:
        assert sorted(ids[: len(case["top"])]) == sorted(case["top"]), ids
    for doc_id in case.get("includes", []):
        assert doc_id in ids
    for doc_id in case.get("excludes", []):
        assert doc_id not in ids


@pytest.mark.parametrize("case", cases("core"))
def test_core_seed_query(case, search_json):
    check_case(case, search_json(case["query"], *filter_args(case)))


def filter_args(case: dict) -> list[str]:
    args = ["--lang", case["lang"]] if "lang" in case else []
    for facet, values in case.get("filters", {}).items():
        for value in values:
            args += [f"--{facet}", value]
    return args


@pytest.mark.parametrize("case", cases("facet"))
def test_facet_seed_query(case, search_json):
    check_case(case, search_json(case["query"], *filter_args(case)))


@pytest.mark.parametrize("case", cases("crosslingual"))
def test_crosslingual_seed_query(case, search_json):
    check_case(case, search_json(case["query"], *filter_args(case)))
