"""The CLI as scripts and people use it: the JSON contract, exit codes, messages."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SEED_CORPUS, write_corpus


def test_bare_query_is_shorthand_for_search(run_cli, seed_index):
    _, bare, _ = run_cli("Wang Yi Malta", "--json", "--index", str(seed_index))
    _, explicit, _ = run_cli("search", "Wang Yi Malta", "--json", "--index", str(seed_index))
    bare, explicit = json.loads(bare), json.loads(explicit)
    assert [h["id"] for h in bare["hits"]] == [h["id"] for h in explicit["hits"]] != []


def test_search_json_contract(search_json):
    result = search_json("Putin")
    assert {"query", "total", "took_ms", "hits", "facets"} <= result.keys()
    assert result["query"] == "Putin" and result["total"] == len(result["hits"]) == 4
    for hit in result["hits"]:
        assert {"id", "title", "lang", "score", "snippet", "person", "country", "org"} <= hit.keys()
        assert isinstance(hit["score"], float) and "Vladimir Putin" in hit["person"]
    assert [h["lang"] for h in result["hits"]][-1] == "fr"  # 'Poutine': found through the entity, ranked last
    assert "<mark>Vladimir Poutine</mark>" in result["hits"][-1]["snippet"]  # the mention is marked
    assert result["facets"]["lang"] == [{"value": "it", "count": 2}, {"value": "fr", "count": 1},
                                        {"value": "sv", "count": 1}]
    assert {"value": "Vladimir Putin", "count": 4} in result["facets"]["person"]


def test_limit_offset_and_lang(search_json):
    everything = search_json("", "--limit", "1000000")
    assert everything["total"] == len(everything["hits"]) == 5
    page = search_json("", "--limit", "2", "--offset", "1")
    assert [h["id"] for h in page["hits"]] == [h["id"] for h in everything["hits"][1:3]]
    langs = search_json("", "--lang", "fr", "--lang", "sv")
    assert sorted(h["lang"] for h in langs["hits"]) == ["fr", "sv"]
    assert search_json("", "--limit", "0")["hits"] == []


def test_query_words_may_come_unquoted(run_cli, seed_index):
    code, out, _ = run_cli("search", "Wang", "Yi", "Malta", "--json", "--index", str(seed_index))
    assert code == 0 and json.loads(out)["query"] == "Wang Yi Malta"


def test_no_hits_is_success(run_cli, seed_index):
    code, out, _ = run_cli("search", "zzzzqqq", "--json", "--index", str(seed_index))
    assert code == 0 and json.loads(out)["total"] == 0


def test_readable_output_shows_title_id_language_snippet_and_facets(run_cli, seed_index):
    code, out, _ = run_cli("Shoigu", "--index", str(seed_index))
    assert code == 0
    assert "3 results for 'Shoigu'" in out
    assert "003_479425f1d2741736.txt · fr" in out
    assert "Ergei Shoigu, le secrétaire du Conseil" in out
    assert "Languages: it 2 · fr 1" in out


def test_show_json(run_cli, seed_index):
    code, out, _ = run_cli("show", "003_479425f1d2741736.txt", "--json", "--index", str(seed_index))
    article = json.loads(out)
    assert code == 0 and {"id", "title", "lang", "text"} <= article.keys()
    assert article["lang"] == "fr" and "Pékin" in article["text"]


def test_show_text(run_cli, seed_index):
    code, out, _ = run_cli("show", "002_f821f3d7de1c528f.txt", "--index", str(seed_index))
    assert code == 0 and "lang:   sv" in out and "Jake Sullivan" in out


def test_show_unknown_id_fails_with_one_line(run_cli, seed_index):
    code, _, err = run_cli("show", "nope.txt", "--index", str(seed_index))
    assert code == 1 and err.strip() == "Error: no document with id 'nope.txt' in the index"


@pytest.mark.parametrize(
    "args",
    [
        ["search", "Putin", "--limit", "-1"],  # negative limit
        ["search", "Putin", "--limit", "ten"],  # not a number
        ["search", "Putin", "--sort", "random"],  # unknown sort
        ["search", "Putin", "--colour"],  # unknown option
        ["search", "x" * 10_000],  # overlong query
        ["show"],  # missing ID
    ],
)
def test_usage_errors_exit_2_with_a_message(run_cli, seed_index, args):
    code, out, err = run_cli(*args, "--index", str(seed_index))
    assert code == 2 and out == "" and "Error:" in err and "Traceback" not in err


def test_search_builds_the_missing_index_first(run_cli, tmp_path):
    env = {"CORPUS_SEARCH_CORPUS": str(SEED_CORPUS), "CORPUS_SEARCH_INDEX": str(tmp_path / "ix")}
    code, out, err = run_cli("Wang Yi Malta", "--json", env=env)
    assert code == 0 and "no index yet: building it" in err
    assert json.loads(out)["total"] == 2
    assert (tmp_path / "ix" / "CURRENT").exists()


def test_show_without_index_says_how_to_build_it(run_cli, tmp_path):
    code, _, err = run_cli("show", "x", "--index", str(tmp_path / "none"))
    assert code == 1 and "corpus-search index" in err


def test_missing_corpus_is_an_error_not_a_traceback(run_cli, tmp_path):
    code, _, err = run_cli("index", "--corpus", str(tmp_path / "nowhere"), "--index", str(tmp_path / "ix"))
    assert code == 1 and "no corpus folder" in err


def test_index_command_reports_and_warns(run_cli, tmp_path):
    corpus = write_corpus(tmp_path / "c", {"ok.txt": "Titolo\nIl ministro.", "bad.txt": b"\x00\x01"})
    args = ["index", "--corpus", str(corpus), "--index", str(tmp_path / "ix")]
    code, out, err = run_cli(*args)
    assert code == 0 and "Index built" in out and "1 files added" in out
    assert "warning: skipped bad.txt: binary content" in err
    code, out, _ = run_cli(*args)
    assert code == 0 and "already up to date" in out
    code, out, _ = run_cli(*args, "--rebuild")
    assert code == 0 and "Index built" in out


@pytest.mark.parametrize("command", [[], ["search"], ["index"], ["show"]])
def test_help_everywhere(run_cli, command):
    code, out, _ = run_cli(*command, "--help")
    assert code == 0 and "Usage:" in out


def test_console_script_runs_in_a_fresh_process(tmp_path):
    script = Path(sys.executable).with_name("corpus-search")
    if not script.exists():
        pytest.skip("the project is not installed as a console script in this environment")
    env = {**os.environ, "CORPUS_SEARCH_INDEX": str(tmp_path / "ix")}
    done = subprocess.run([str(script), "Shoigu", "--json", "--limit", "1"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] == 3
