"""A whole result set as CSV or JSON Lines, one line at a time (the CLI and the page stream the same text)."""
from __future__ import annotations

import csv
import io
import json
from typing import Iterable, Iterator

from search.results import EXPORT_FIELDS, ExportRow

FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


def export_lines(rows: Iterable[ExportRow], fmt: str) -> Iterator[str]:
    """The text of an export in ``fmt`` (``csv``: a header, then one row per article; ``jsonl``: one object per
    line), produced as ``rows`` are consumed, so that no export is ever held whole."""
    if fmt == "jsonl":
        for row in rows:
            yield json.dumps(row.to_json(), ensure_ascii=False) + "\n"
        return
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # quotes what must be: commas, quotes and newlines inside titles stay one cell
    for cells in ([*EXPORT_FIELDS], *(row.to_csv() for row in rows)):
        writer.writerow(cells)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
