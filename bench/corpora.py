"""Benchmark corpora: N articles made from the real documents of ../shared/corpora.

The documents are cycled with fresh ids to reach the size, and the five seed
articles are mixed in, so that the seed queries mean something at any size.
Corpora are cached under $CORPUS_SEARCH_BENCH (default /tmp/corpus-search-bench).
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CACHE = Path(os.environ.get("CORPUS_SEARCH_BENCH", "/tmp/corpus-search-bench"))
ARTICLES_PER_FILE = 2000


def machine() -> str:
    """One line naming the machine, for every benchmark's output."""
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            memory = f" · {int(f.readline().split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return (f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.node()} · {platform.machine()} · "
            f"{os.cpu_count()} cores{memory} · Python {platform.python_version()}")


def bench_corpus(size: int) -> Path:
    """The folder of a corpus of ``size`` articles, built on first use."""
    folder = CACHE / f"corpus-v2-{size}"
    if (folder / ".complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for seed in sorted((ROOT / "corpus").glob("*.txt")):
        shutil.copy(seed, folder / seed.name)
    per_file = []
    for path in sorted((SHARED / "corpora").glob("*.jsonl")):
        with open(path, encoding="utf-8") as f:
            per_file.append([json.loads(line) for line in f if line.strip()])
    # Interleaved in proportion, so that any size has all three sources in the same mix as the whole.
    ranked = sorted((i / len(records), k, i) for k, records in enumerate(per_file) for i in range(len(records)))
    sources = [per_file[k][i] for _, k, i in ranked]
    written, batch, out = 5, 0, None
    while written < size:
        record = dict(sources[(written - 5) % len(sources)])
        if out is None or (written - 5) % ARTICLES_PER_FILE == 0:
            if out:
                out.close()
            out = open(folder / f"batch-{batch:04}.jsonl", "w", encoding="utf-8")
            batch += 1
        record["id"] = f"{record['id']}~{written}"
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        written += 1
    if out:
        out.close()
    (folder / ".complete").touch()
    return folder


def corpus_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.suffix in (".txt", ".jsonl"))


def read_articles(folder: Path):
    """(id, title, text, lang) of every article, as the baselines index them."""
    for path in sorted(folder.iterdir()):
        if path.suffix == ".txt":
            lines = path.read_text(encoding="utf-8").strip().splitlines()
            yield path.name, lines[0], "\n".join(lines[1:]), ""
        elif path.suffix == ".jsonl":
            with open(path, encoding="utf-8") as f:
                for line in f:
                    record = json.loads(line)
                    yield (f"{path.name}#{record['id']}", record.get("title") or "", record["text"],
                           record.get("lang") or "")


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
