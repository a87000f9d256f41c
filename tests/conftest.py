"""Fixtures named by the world they build: real corpora and real indexes on disk."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from index import build_index
from search import open_engine

ROOT = Path(__file__).resolve().parents[1]
SEED_CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def own_cache_folder(tmp_path_factory):
    """The user's cache folder (where readers remember verified files) is the test run's own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield


def write_corpus(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``{relative path: content}`` under ``folder``; return the folder."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Path:
    """The five seed articles, indexed once for the session. Read-only."""
    index_dir = tmp_path_factory.mktemp("seed") / "index"
    build_index(SEED_CORPUS, index_dir)
    return index_dir


@pytest.fixture(scope="session")
def seed_engine(seed_index):
    return open_engine(seed_index)


@pytest.fixture
def fresh_corpus(tmp_path) -> Path:
    """A writable copy of the seed corpus."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    return corpus


@pytest.fixture
def run_cli():
    """Run the CLI in-process as a user would; return (exit code, stdout, stderr)."""

    def run(*args: str, env: dict | None = None):
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture
def search_json(run_cli, seed_index):
    """``corpus-search search QUERY --json`` on the seed index, parsed."""

    def search(query: str, *extra: str) -> dict:
        code, out, err = run_cli("search", query, "--json", "--limit", "100", "--index", str(seed_index), *extra)
        assert code == 0, err
        return json.loads(out)

    return search


REAL_CORPORA = SHARED / "corpora"
REAL_SAMPLE = {"news_it_dice_crime_NC.jsonl": 300, "opinion_sv_absabank_imm.jsonl": 60,
               "parliament_sv_riksdagen_interpellations.jsonl": 240}


@pytest.fixture(scope="session")
def real_index(tmp_path_factory) -> Path:
    """600 real articles from ../shared/corpora (Italian news, Swedish opinion and parliament), indexed once.

    Fails rather than skips without ../shared: these tests are part of the bar.
    """
    if not REAL_CORPORA.is_dir():
        pytest.fail(f"{REAL_CORPORA} is missing: the tests need the real articles beside the repo")
    corpus = tmp_path_factory.mktemp("real") / "corpus"
    corpus.mkdir()
    for name, count in REAL_SAMPLE.items():
        with open(REAL_CORPORA / name, encoding="utf-8") as source:
            lines = [line for _, line in zip(range(count), source)]
        (corpus / name).write_text("".join(lines), encoding="utf-8")
    index_dir = corpus.parent / "index"
    build_index(corpus, index_dir)
    return index_dir
