"""Serving the app: waitress in one process, or in several worker processes sharing one listening socket.

Python runs one thread at a time in a process, so threads alone give a
server one core however many the machine has: under 8 concurrent clients a
request waited for the CPU for 8 times its own work. With ``workers`` > 1 the
socket is bound once and every worker process accepts on it (the kernel hands
each connection to one of them), each with its own engine and threads. The
index files are mapped read-only, so the workers share them through the OS
page cache: a worker adds its own working memory (about 100 MB at 100,000
articles), not a copy of the index.
"""
from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Callable

BACKLOG = 1024
SWITCH_INTERVAL_S = 0.001


CHANNEL_TIMEOUT_S = 60


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def default_workers() -> int:
    """One worker per core, at most 4: each holds its own caches."""
    return max(1, min(os.cpu_count() or 1, 4))


def serve(index_dir: Path | str, host: str, port: int, threads: int, workers: int,
          announce: Callable[[str], None] = print, connection_limit: int | None = None,
          channel_timeout: int = CHANNEL_TIMEOUT_S) -> None:
    """Serve the index at ``index_dir`` until interrupted (Ctrl-C or SIGTERM).

    ``connection_limit`` (default: 32 per thread, at least 100) caps the open
    connections of each worker, and ``channel_timeout`` closes a connection
    idle that many seconds: slow or idle sockets cannot hold every slot.
    """
    limits = {"connection_limit": connection_limit or max(100, threads * 32), "channel_timeout": channel_timeout}
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family, backlog=BACKLOG)
    announce(f"Serving {str(index_dir)!r} on http://{host}:{port}/ with {workers} worker process"
             f"{'es' if workers > 1 else ''} of {threads} threads (Ctrl-C to stop)")
    if workers == 1:
        _run_worker(index_dir, listener, threads, limits)
        return
    children = []
    parent = os.getpid()
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # a worker: serve until told to stop, never return into the parent's code
            code = 0
            try:
                # Ctrl-C reaches the whole process group: the parent decides, then stops the workers.
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                _exit_with_parent(parent)
                _run_worker(index_dir, listener, threads, limits)
            except BaseException:  # noqa: BLE001 - reported, and the parent stops the others
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        children.append(pid)
    listener.close()
    _supervise(children)


def _exit_with_parent(parent: int, every_s: float = 1.0) -> None:
    """Stop this worker when the supervising parent is gone.

    A parent killed outright (SIGKILL, the OOM killer) cannot stop its
    workers, which would go on serving the port, unseen, forever; each worker
    watches for the parent itself instead.
    """
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every_s)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _run_worker(index_dir: Path | str, listener: socket.socket, threads: int, limits: dict) -> None:
    from waitress import serve as waitress_serve

    # Python hands the CPU from thread to thread every 5 ms by default: a 3 ms
    # request queued behind a 20 ms one waited 5 ms a turn. Shorter turns let
    # short requests through (the server process's setting, nobody else's).
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    from web import create_app

    waitress_serve(create_app(index_dir), sockets=[listener], threads=threads, ident="corpus-search",
                   _quiet=True, **limits)


def _supervise(children: list[int]) -> None:
    """Wait for the workers; when one dies or the server is told to stop, stop them all."""
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    alive = set(children)
    failed = False
    while alive:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        alive.discard(pid)
        if not stopping:  # a worker died on its own: the server is not whole any more
            failed = True
            print(f"corpus-search: worker {pid} stopped (status {status}); stopping the server", file=sys.stderr)
            stop(signal.SIGTERM, None)
    if failed:
        raise SystemExit(1)
