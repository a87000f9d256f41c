"""Load the search server with concurrent clients on loopback and print throughput and latency.

Run: python bench/load_web.py [--index DIR] [--clients 8] [--seconds 20]

Starts `corpus-search serve` on a free port (or uses --url), sends a fixed mix
of page and API requests from N client threads for a bounded time, and prints
requests/s, p50/p95/p99 latency and the error count. The baseline, measured in
the same run, is the same mix through the engine in-process (no HTTP), so the
ratio shows what the web layer costs.
"""
from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MIX = [
    ("/", {"q": "Putin"}),
    ("/api/search", {"q": "Wang Yi Malta"}),
    ("/", {"q": "Poutine", "country": "KP"}),
    ("/api/search", {"q": "", "person": "Xi Jinping"}),
    ("/", {"q": '"Consiglio di sicurezza"'}),
    ("/api/search", {"q": "sanzioni", "page": "2", "per_page": "5"}),
    ("/", {"q": "Ukraine", "lang": "it", "sort": "date"}),
    ("/api/search", {"q": "securite OR sicurezza"}),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index_dir: str, port: int) -> subprocess.Popen:
    command = [str(Path(sys.executable).with_name("corpus-search")), "serve", "--index", index_dir,
               "--port", str(port), "--threads", "8"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?per_page=1", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start within 120 s")


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process, from /proc (None where there is no /proc)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def load(base: str, clients: int, seconds: float) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        nonlocal errors
        i = offset
        while time.monotonic() < stop:
            path, params = MIX[i % len(MIX)]
            i += 1
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(f"{base}{path}?{urlencode(params)}", timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except (urllib.error.URLError, OSError):
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                errors += not ok

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.monotonic() - started


def in_process_baseline(index_dir: str, seconds: float) -> list[float]:
    from search import open_engine

    engine = open_engine(index_dir)
    latencies = []
    stop = time.monotonic() + seconds
    i = 0
    while time.monotonic() < stop:
        _, params = MIX[i % len(MIX)]
        i += 1
        filters = {k: [v] for k, v in params.items() if k in ("person", "country", "org", "lang")}
        started = time.perf_counter()
        engine.search(params.get("q", ""), filters=filters, sort=params.get("sort", "relevance"),
                      limit=int(params.get("per_page", 10)))
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default=os.environ.get("CORPUS_SEARCH_INDEX", ".corpus-search/index"))
    parser.add_argument("--url", help="an already running server (default: start one)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (at most 64)")
    parser.add_argument("--seconds", type=float, default=60, help="how long to load (at most 600)")
    args = parser.parse_args()
    clients, seconds = min(args.clients, 64), min(args.seconds, 600)

    process = None
    base = args.url
    if not base:
        port = free_port()
        process = start_server(args.index, port)
        base = f"http://127.0.0.1:{port}"
    try:
        import json

        documents = json.load(urllib.request.urlopen(f"{base}/api/search?per_page=1"))["total"]
        load(base, clients, min(5.0, seconds))  # warm up: caches filled, memory at its working size
        memory_before = rss_mb(process.pid) if process else None
        latencies, errors, elapsed = load(base, clients, seconds)
        memory_after = rss_mb(process.pid) if process else None
    finally:
        if process:
            process.terminate()
            process.wait()
    baseline = in_process_baseline(args.index, min(seconds, 10))

    print(f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()} · {os.cpu_count()} cores · "
          f"Python {platform.python_version()} · index of {documents:,} documents")
    print(f"HTTP: {clients} clients for {elapsed:.0f} s: {len(latencies):,} requests, {errors} errors, "
          f"{len(latencies) / elapsed:.1f} requests/s")
    print(f"  latency ms: p50 {percentile(latencies, 50):.1f}  p95 {percentile(latencies, 95):.1f}  "
          f"p99 {percentile(latencies, 99):.1f}  max {max(latencies):.1f}")
    if memory_before and memory_after:
        print(f"  server memory: {memory_before:.0f} MB after warm-up, {memory_after:.0f} MB after the run "
              f"({memory_after - memory_before:+.0f} MB)")
    print(f"baseline, engine in-process (one thread): p50 {statistics.median(baseline):.1f} ms, "
          f"{len(baseline) / sum(baseline) * 1000:.1f} searches/s")
    print(f"ratio HTTP p50 / in-process p50: {percentile(latencies, 50) / statistics.median(baseline):.1f}")
    if errors:
        raise SystemExit(f"{errors} requests failed")


if __name__ == "__main__":
    main()
