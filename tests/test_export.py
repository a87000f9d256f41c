"""Exporting a whole result set as CSV or JSON Lines: the CLI, the page's links, streamed."""
from __future__ import annotations

import csv
import io
import json

import pytest

import search.engine
from conftest import write_corpus
from index import build_index
from search import open_engine
from web import create_app

ROWS = 10_000


@pytest.fixture(scope="module")
def big_index(tmp_path_factory):
    """10,000 articles (facets left out: this is about streaming, and it builds in seconds)."""
    folder = tmp_path_factory.mktemp("export")
    lines = [json.dumps({"id": str(n), "title": f'Porto {n}, "molo", e altro', "text": f"Il porto numero {n}.",
                         "date": f"20{10 + n % 10}-0{1 + n % 9}-1{n % 10}", "url": f"https://example.org/{n}"})
             for n in range(ROWS)]
    corpus = write_corpus(folder / "corpus", {"all.jsonl": "\n".join(lines)})
    build_index(corpus, folder / "index", with_entities=False)
    return folder / "index"


def test_an_export_is_produced_row_by_row_not_held_whole(big_index, monkeypatch):
    made = []
    real_row = search.engine.ExportRow
    monkeypatch.setattr(search.engine, "ExportRow", lambda **fields: made.append(1) or real_row(**fields))
    with open_engine(big_index) as engine:
        rows = engine.export("porto")
        first = next(rows)
        assert len(made) == 1 and first.date.startswith("2019")  # newest first
        assert sum(1 for _ in rows) == ROWS - 1


def test_the_cli_exports_every_match_as_csv_or_json_lines(big_index, run_cli, seed_index):
    code, out, _ = run_cli("porto", "--format", "csv", "--since", "2019", "--index", str(big_index))
    table = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(table) == ROWS // 10 and all(r["date"].startswith("2019") for r in table)
    assert table[0]["title"].endswith('"molo", e altro') and table[0]["url"].startswith("https://example.org/")
    code, out, _ = run_cli("Putin", "--format", "jsonl", "--index", str(seed_index))
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(records) == 4  # all of them, whatever --limit says
    assert all("Vladimir Putin" in r["person"] and r["lang"] for r in records)
    assert set(records[0]) == {"id", "title", "date", "lang", "person", "country", "org", "url", "source", "path"}


def test_the_page_links_its_whole_result_set_as_a_streamed_download(big_index):
    client = create_app(big_index).test_client()
    page = client.get("/?q=porto&from=2015&to=2015").get_data(as_text=True)
    assert 'href="/export.csv?q=porto&amp;from=2015&amp;to=2015"' in page and "/export.jsonl?" in page
    response = client.get("/export.jsonl?q=porto", buffered=False)
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.is_streamed
    first_chunk = next(iter(response.response))
    assert first_chunk.count(b"\n") < ROWS  # the first part arrives before the last row is read
    response.close()
    whole = client.get("/export.csv?q=porto&from=2015&to=2015").get_data(as_text=True)
    assert len(whole.splitlines()) == 1 + ROWS // 10
    assert client.get("/export.csv?q=porto&from=March").status_code == 400  # said before the download starts
    assert client.get("/export.xml?q=porto").status_code == 404
