"""Crash safety: SIGKILL the indexer at random moments, and check the index every time.

Run: python bench/crash_kill.py [--kills 20] [--size 3000] [--power-loss]

The index starts in state A (all but the last file of the corpus); the
corpus then grows to state B. Each round starts `corpus-search index` (incremental, or --rebuild on odd
rounds), kills it with SIGKILL after a random delay, and checks that the index
opens, answers queries, holds exactly state A or state B (never a mix), and
that the write lock is free. A last run must then complete state B.

With ``--power-loss``, each kill is also a power cut: every file the killed
run wrote and had not yet synced (what a power cut may lose: files of an
unpublished generation, segments no published table of contents names,
temporary files) is truncated, zeroed or has a byte flipped. Every fourth
round, one published segment is also damaged (a failing disk): the index must
then say so in one line, and ``corpus-search index --repair`` must bring it
back with nothing lost.
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


PROBES = ("Shoigu", "Putin", "governo", "Stockholm", "président", '"prime minister"')


def ids(index: Path) -> tuple:
    """What the index holds and answers: every id, and every match of a few queries (wrong answers show).

    Matches, not their order: an update's deleted documents weigh in Whoosh's
    scores until segments merge, so the same state may rank ties differently.
    """
    from search import open_engine

    with open_engine(index) as engine:
        everything = engine.search("", limit=10_000_000)
        answers = tuple((probe, result.total, frozenset(hit.id for hit in result.hits))
                        for probe in PROBES for result in [engine.search(probe, limit=10_000_000)])
    assert answers[0][1] >= 1, "the index must answer queries"
    return frozenset(hit.id for hit in everything.hits), answers


def unsynced_files(index: Path, since: float) -> list[Path]:
    """The files the killed run wrote that nothing published names: a power cut may lose or tear them."""
    from whoosh.index import FileIndex

    from index.integrity import MANIFEST
    from index.mapped import MappedStorage
    from index.store import CURRENT

    current = index / (index / CURRENT).read_text().strip()
    storage = MappedStorage(str(current))
    try:
        ix = FileIndex(storage)
        published = {f"_MAIN_{ix.latest_generation()}.toc"} | {f"MAIN_{s.segment_id()}.seg" for s in ix._segments()}
    finally:
        storage.close()
    fresh_generation = current.stat().st_mtime >= since and (current / MANIFEST).exists()
    torn = []
    for path in index.rglob("*"):
        if not path.is_file() or path.stat().st_mtime < since or path.name.endswith("WRITELOCK"):
            continue
        if path.is_relative_to(current) and (fresh_generation or path.name in published or path.suffix not in (".seg", ".toc")
                                             and not path.name.startswith(".")):
            continue  # published: synced before it was (derived files are written synced and atomically)
        if path.parent == index:
            continue  # CURRENT: written synced and atomically
        torn.append(path)
    return torn


def tear(path: Path, rng: random.Random) -> str:
    data = path.read_bytes()
    how = rng.choice(["truncated", "zeroed", "flipped"]) if data else "truncated"
    if how == "truncated":
        data = data[: rng.randrange(len(data))] if data else b""
    elif how == "zeroed":
        data = b"\0" * len(data)
    else:
        at = rng.randrange(len(data))
        data = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]
    path.write_bytes(data)
    return how


def repaired_after_disk_damage(index: Path, script: str, rng: random.Random) -> str:
    """Damage a published segment; the index must say so in one line, and --repair bring it back."""
    from index.store import CURRENT

    current = index / (index / CURRENT).read_text().strip()
    victim = rng.choice(sorted(current.glob("*.seg")))
    tear(victim, rng)
    search = subprocess.run([script, "Shoigu", "--index", str(index)], capture_output=True, text=True)
    said = search.returncode == 1 and "is damaged" in search.stderr and len(search.stderr.strip().splitlines()) == 1
    if not said:
        raise SystemExit(f"a damaged {victim.name} was not reported in one line: {search.stderr[-500:]}")
    repair = subprocess.run([script, "index", "--repair", "--index", str(index)], capture_output=True, text=True)
    if repair.returncode != 0:
        raise SystemExit(f"--repair failed: {repair.stderr[-500:]}")
    return victim.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--size", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--power-loss", action="store_true",
                        help="also tear the files a power cut could lose, and damage published ones now and then")
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
        print(f"state A: {len(state_a[0]):,} documents; state B: {len(state_b[0]):,}; a full run takes {full_s:.1f} s")

        seen = {"A": 0, "B": 0}
        torn_files = repairs = 0
        for kill in range(1, args.kills + 1):
            rebuild = kill % 2 == 1
            command = [script, "index", "--corpus", str(corpus), "--index", str(index)] + (["--rebuild"] if rebuild else [])
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
            delay = rng.uniform(0.3, full_s * 1.1)
            run_started = time.time() - 1  # file times have coarse steps on some file systems
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait()
            extra = ""
            if args.power_loss:
                torn = unsynced_files(index, run_started)
                hows = [tear(path, rng) for path in torn]
                torn_files += len(torn)
                extra = f"; power cut tore {len(torn)} unsynced files ({', '.join(sorted(set(hows))) or '-'})"
                if kill % 4 == 0:
                    extra += f"; disk damage to {repaired_after_disk_damage(index, script, rng)} reported and repaired"
                    repairs += 1
            now = ids(index)
            state = "A" if now == state_a else "B" if now == state_b else None
            if state is None:
                raise SystemExit(f"kill {kill}: the index holds {len(now[0])} documents or answers queries unlike "
                                 "state A and state B")
            seen[state] += 1
            print(f"  kill {kill:2} after {delay:5.1f} s ({'rebuild' if rebuild else 'update'}): state {state}, "
                  f"{len(now[0]):,} documents{extra}")
            if state == "B" and not rebuild:
                # Back to A, so that later kills interrupt real work again.
                for path in grown:
                    (corpus / path.name).unlink()
                build_index(corpus, index, lock_wait_s=30, force=True)  # meant: most articles go
                for path in grown:
                    shutil.copy(path, corpus / path.name)
        report = build_index(corpus, index, lock_wait_s=30)  # no stale lock may stop this
        final = ids(index)
        print(f"{args.kills} kills: {seen['A']} left state A, {seen['B']} state B, none a mix, 0 documents lost; "
              f"the next run completed ({report.documents_indexed:,} documents indexed) and holds state B: "
              f"{final == state_b}")
        if args.power_loss:
            print(f"power loss: {torn_files} unsynced files torn, {repairs} damaged published segments reported "
                  "in one line and repaired")
        if final != state_b:
            raise SystemExit("the final run did not reach state B")


if __name__ == "__main__":
    main()
