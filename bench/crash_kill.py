"""Crash safety: SIGKILL the indexer at random moments, and check the index every time.

Run: python bench/crash_kill.py [--kills 20] [--size 3000]

The index starts in state A (all but the last file of the corpus); the
corpus then grows to state B. Each round starts `corpus-search index` (incremental, or --rebuild on odd
rounds), kills it with SIGKILL after a random delay, and checks that the index
opens, answers queries, holds exactly state A or state B (never a mix), and
that the write lock is free. A last run must then complete state B.
"""
from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpora import bench_corpus, machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def ids(index: Path) -> set[str]:
    from search import open_engine

    engine = open_engine(index)
    result = engine.search("", limit=10_000_000)
    assert engine.search("Shoigu").total >= 1, "the index must answer queries"
    return {hit.id for hit in result.hits}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--size", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    source = bench_corpus(args.size)
    script = str(Path(sys.executable).with_name("corpus-search"))
    from index import build_index

    with tempfile.TemporaryDirectory() as tmp:
        corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
        files = sorted(p for p in source.iterdir() if not p.name.startswith("."))
        corpus.mkdir()
        grown = files[-1:]
        for path in files[:-1]:
            shutil.copy(path, corpus / path.name)
        build_index(corpus, index)
        state_a = ids(index)
        for path in grown:
            shutil.copy(path, corpus / path.name)

        started = time.perf_counter()
        full = subprocess.run([script, "index", "--rebuild", "--corpus", str(corpus), "--index", str(tmp) + "/probe"],
                              capture_output=True)
        full_s = time.perf_counter() - started
        assert full.returncode == 0, full.stderr
        state_b = ids(Path(tmp) / "probe")
        print(machine())
        print(f"state A: {len(state_a):,} documents; state B: {len(state_b):,}; a full run takes {full_s:.1f} s")

        seen = {"A": 0, "B": 0}
        for kill in range(1, args.kills + 1):
            rebuild = kill % 2 == 1
            command = [script, "index", "--corpus", str(corpus), "--index", str(index)] + (["--rebuild"] if rebuild else [])
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
            delay = rng.uniform(0.3, full_s * 1.1)
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait()
            now = ids(index)
            state = "A" if now == state_a else "B" if now == state_b else None
            if state is None:
                raise SystemExit(f"kill {kill}: the index holds {len(now)} documents, neither state A nor B")
            seen[state] += 1
            print(f"  kill {kill:2} after {delay:5.1f} s ({'rebuild' if rebuild else 'update'}): state {state}, "
                  f"{len(now):,} documents")
            if state == "B" and not rebuild:
                # Back to A, so that later kills interrupt real work again.
                for path in grown:
                    (corpus / path.name).unlink()
                build_index(corpus, index, lock_wait_s=30)
                for path in grown:
                    shutil.copy(path, corpus / path.name)
        report = build_index(corpus, index, lock_wait_s=30)  # no stale lock may stop this
        final = ids(index)
        print(f"{args.kills} kills: {seen['A']} left state A, {seen['B']} state B, none a mix; "
              f"the next run completed ({report.documents_indexed:,} documents indexed) and holds state B: "
              f"{final == state_b}")
        if final != state_b:
            raise SystemExit("the final run did not reach state B")


if __name__ == "__main__":
    main()
