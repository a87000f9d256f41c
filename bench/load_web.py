"""Load the search server with concurrent clients on loopback; latency per query class, errors, memory.

Run: python bench/load_web.py --index DIR [--clients 8] [--seconds 60] [--code CHECKOUT]

Starts `corpus-search serve` on a free port (``--code`` runs the server from
another checkout, e.g. a worktree of an older commit, for before/after
figures on the same index), then, in the same run:

1. the query mix from N concurrent clients for ``--seconds``;
2. the same mix from one client alone (the baseline the concurrent p95 is
   compared with: no class should be more than 3x slower under load);
3. one client sending a deliberately slow query (bounded by the engine's
   time limit) while another sends fast ones: how much the slow one delays
   the others;
4. the mix in-process through the engine (no HTTP), with facet counts.

It prints p50/p95/p99 per query class, errors, and the server's memory at
start and end (all its processes: see `memory_mb`).
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from corpora import machine  # noqa: E402

# (class, path, parameters): every class a reader produces, misses and paging included.
MIX = [
    ("home", "/", {}),
    ("empty query", "/api/search", {"q": ""}),
    ("miss + suggestion", "/", {"q": "perquisizone"}),
    ("miss + suggestion", "/api/search", {"q": "carabinierri"}),
    ("miss + suggestion", "/api/search", {"q": "regeringn åtgärdr"}),
    ("word", "/", {"q": "rapina"}),
    ("word", "/api/search", {"q": "Putin"}),
    ("facet filter", "/api/search", {"q": "", "country": "SE"}),
    ("facet filter", "/", {"q": "Poutine", "country": "RU"}),
    ("facet filter", "/api/search", {"q": "rapina", "lang": "it", "person": "Vladimir Putin"}),
    ("facet filter", "/api/search", {"q": "skola", "org": "Socialdemokraterna"}),
    ("common words", "/api/search", {"q": "regeringen åtgärder sverige"}),
    ("common words", "/", {"q": "polizia carabinieri"}),
    ("phrase", "/", {"q": '"Consiglio di sicurezza"'}),
    ("page 5", "/", {"q": "sanzioni", "page": "5"}),
    ("page 5", "/api/search", {"q": "regeringen", "page": "5"}),
    ("date sort", "/", {"q": "Ukraine", "sort": "date"}),
]
FACETED = {"facet filter", "home", "empty query"}
SLOW_QUERY = " OR ".join(f"{letter}*" for letter in "abcdefghijklmnopqrstuvw")  # bounded by the time limit
FAST_PROBE = ("/api/search", {"q": "rapina"})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index_dir: str, port: int, code: Path, workers: int | None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(code)}
    command = [sys.executable, "-m", "cli", "serve", "--index", index_dir, "--port", str(port), "--threads", "8"]
    if workers:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(command, cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?per_page=1", timeout=5).read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start within 300 s")


def memory_mb(pid: int) -> tuple[float, float, float] | None:
    """(resident, proportional, anonymous) memory in MB of a process and its workers, from /proc.

    Resident memory counts a page shared by several processes (the index
    files each worker maps from the OS cache) once per process; proportional
    memory (PSS) splits it between them, so its sum is what the server really
    takes; anonymous memory is what the processes hold themselves.
    """
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids = [pid] + [int(child) for child in f.read().split()]
        totals = {"Rss": 0.0, "Pss": 0.0, "Anonymous": 0.0}
        for each in pids:
            with open(f"/proc/{each}/smaps_rollup") as f:
                for line in f:
                    name, _, value = line.partition(":")
                    if name in totals:
                        totals[name] += int(value.split()[0]) / 1024
        return totals["Rss"], totals["Pss"], totals["Anonymous"]
    except (OSError, KeyError, ValueError):
        return None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def get(base: str, path: str, params: dict) -> tuple[float, bool]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(f"{base}{path}?{urlencode(params)}", timeout=60) as response:
            response.read()
            ok = response.status == 200
    except (urllib.error.URLError, OSError):
        ok = False
    return (time.perf_counter() - started) * 1000, ok


def load(base: str, clients: int, seconds: float) -> tuple[dict[str, list[float]], int, int]:
    """{class: latencies ms}, errors, requests: ``clients`` threads cycling through the mix."""
    latencies: dict[str, list[float]] = collections.defaultdict(list)
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        nonlocal errors
        i = offset * 5
        while time.monotonic() < stop:
            kind, path, params = MIX[i % len(MIX)]
            i += 1
            elapsed, ok = get(base, path, params)
            with lock:
                latencies[kind].append(elapsed)
                errors += not ok

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, sum(len(v) for v in latencies.values())


def slow_beside_fast(base: str, seconds: float) -> tuple[list[float], list[float], list[float]]:
    """(fast alone, fast while a slow query runs, slow query) latencies in ms."""
    alone = [get(base, *FAST_PROBE)[0] for _ in range(20)]
    stop = time.monotonic() + seconds
    slow: list[float] = []

    def slow_client() -> None:
        while time.monotonic() < stop:
            slow.append(get(base, "/api/search", {"q": SLOW_QUERY})[0])

    thread = threading.Thread(target=slow_client)
    thread.start()
    time.sleep(0.5)
    beside = []
    while time.monotonic() < stop:
        beside.append(get(base, *FAST_PROBE)[0])
        time.sleep(0.05)
    thread.join()
    return alone, beside, slow


def in_process(index_dir: str, code: Path, seconds: float) -> dict[str, list[float]]:
    """The mix through the engine in this process (facet counts included), one thread."""
    sys.path.insert(0, str(code))
    from search import open_engine

    engine = open_engine(index_dir)
    latencies: dict[str, list[float]] = collections.defaultdict(list)
    stop = time.monotonic() + seconds
    i = 0
    while time.monotonic() < stop:
        kind, _, params = MIX[i % len(MIX)]
        i += 1
        filters = {k: [v] for k, v in params.items() if k in ("person", "country", "org", "lang")}
        page = int(params.get("page", 1))
        started = time.perf_counter()
        engine.search(params.get("q", ""), filters=filters, sort=params.get("sort", "relevance"),
                      limit=10, offset=(page - 1) * 10)
        latencies[kind].append((time.perf_counter() - started) * 1000)
    return latencies


def table(title: str, latencies: dict[str, list[float]], baseline: dict[str, list[float]] | None = None) -> None:
    print(title)
    print(f"  {'class':20} {'n':>6} {'p50':>8} {'p95':>8} {'p99':>8}" + ("  p95 / alone" if baseline else ""))
    kinds = [kind for kind in dict.fromkeys(kind for kind, _, _ in MIX) if kind in latencies]
    everything = [v for kind in kinds for v in latencies[kind]]
    for kind, values in [(kind, latencies[kind]) for kind in kinds] + [("all", everything)]:
        line = (f"  {kind:20} {len(values):6} {percentile(values, 50):8.1f} {percentile(values, 95):8.1f} "
                f"{percentile(values, 99):8.1f}")
        if baseline and kind in baseline:
            line += f"  {percentile(values, 95) / percentile(baseline[kind], 95):6.1f}x"
        elif baseline and kind == "all":
            alone = [v for k in kinds for v in baseline.get(k, [])]
            line += f"  {percentile(values, 95) / percentile(alone, 95):6.1f}x"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default=os.environ.get("CORPUS_SEARCH_INDEX", ".corpus-search/index"))
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout to run the server from (default: this one)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (at most 64)")
    parser.add_argument("--seconds", type=float, default=60, help="how long the concurrent load lasts (at most 600)")
    parser.add_argument("--workers", type=int, help="server worker processes (default: the server's own default)")
    args = parser.parse_args()
    clients, seconds = min(args.clients, 64), min(args.seconds, 600)
    code = args.code.resolve()

    port = free_port()
    process = start_server(args.index, port, code, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        documents = json.load(urllib.request.urlopen(f"{base}/api/search?per_page=1"))["total"]
        memory_start = memory_mb(process.pid)
        load(base, clients, min(10.0, seconds))  # warm-up: every class once in every thread
        concurrent, errors, requests = load(base, clients, seconds)
        memory_loaded = memory_mb(process.pid)
        alone, alone_errors, alone_requests = load(base, 1, max(20.0, seconds / 3))
        fast_alone, fast_beside, slow = slow_beside_fast(base, 20.0)
        memory_end = memory_mb(process.pid)
    finally:
        process.terminate()
        process.wait()
    engine_alone = in_process(args.index, code, max(20.0, seconds / 3))

    print(f"{machine()} · index of {documents:,} documents at {args.index} · server code {code}"
          f" · workers {args.workers or 'default'}")
    table(f"HTTP, {clients} clients for {seconds:.0f} s: {requests:,} requests, {errors} errors, "
          f"{requests / seconds:.1f} requests/s", concurrent, alone)
    table(f"HTTP, one client alone: {alone_requests:,} requests, {alone_errors} errors", alone)
    delay = percentile(fast_beside, 95) - percentile(fast_alone, 95)
    print(f"a slow query ({len(slow)} runs, p50 {percentile(slow, 50):.0f} ms) beside a fast one: the fast one's "
          f"p95 {percentile(fast_alone, 95):.1f} ms alone, {percentile(fast_beside, 95):.1f} ms beside it "
          f"(delayed by {delay:.1f} ms; max {max(fast_beside):.1f} ms over {len(fast_beside)} requests)")
    table("engine in-process, one thread, facet counts included", engine_alone)
    faceted = [v for kind in FACETED for v in engine_alone.get(kind, [])]
    print(f"  faceted classes in-process: p50 {percentile(faceted, 50):.1f} ms, p95 {percentile(faceted, 95):.1f} ms")
    for label, memory in (("at start", memory_start), ("after the concurrent load", memory_loaded),
                          (f"at the end ({requests + alone_requests + len(slow) + len(fast_beside) + 20:,} requests)",
                           memory_end)):
        if memory:
            print(f"server memory {label}: {memory[1]:.0f} MB proportional (PSS) · {memory[0]:.0f} MB resident "
                  f"(shared pages once per process) · {memory[2]:.0f} MB anonymous")
    if errors or alone_errors:
        raise SystemExit(f"{errors + alone_errors} requests failed")


if __name__ == "__main__":
    main()
