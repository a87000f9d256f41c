"""`corpus-search serve` as a user runs it: a real process, worker processes sharing a port, real HTTP."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serving(base: str, wait_s: float = 60) -> bool:
    """Whether the server at ``base`` answers within ``wait_s``."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/search?q=", timeout=5).read()
            return True
        except OSError:
            time.sleep(0.2)
    return False


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.fixture
def served(seed_index):
    port = free_port()
    command = [sys.executable, "-m", "cli", "serve", "--index", str(seed_index), "--port", str(port), "--workers", "2"]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    if not serving(base):
        process.kill()
        pytest.fail(f"the server did not start: {process.stderr.read()}")
    yield process, base
    if process.poll() is None:
        process.kill()
        process.wait()
    process.stderr.close()


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def test_two_workers_answer_concurrent_requests_and_stop_together(served):
    process, base = served
    workers = children(process.pid)
    assert len(workers) == 2
    queries = ["Putin", "carabinierri", "", "Wang Yi Malta", "sanzoni"] * 8
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda q: get_json(f"{base}/api/search?q={urllib.request.quote(q)}"), queries))
    by_query, suggestions = {}, {}
    for query, answer in zip(queries, answers):
        by_query.setdefault(query, set()).add(json.dumps([answer["total"], [h["id"] for h in answer["hits"]]]))
        suggestions.setdefault(query, set()).add(answer["suggestion"])
    assert all(len(variants) == 1 for variants in by_query.values()), by_query  # every worker gives the same hits
    # A suggestion has its own small time budget: on a loaded machine a worker may give none (never another).
    assert all(len(found - {None}) <= 1 for found in suggestions.values()), suggestions
    assert suggestions["sanzoni"] - {None} and suggestions["Putin"] == {None}
    assert get_json(f"{base}/api/search?q=Putin")["total"] == 4
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()


def test_a_worker_that_dies_stops_the_server_rather_than_leaving_it_half_alive(served):
    process, _ = served
    os.kill(children(process.pid)[0], signal.SIGKILL)
    assert process.wait(timeout=30) == 1
    assert "stopping the server" in process.stderr.read()


def test_a_port_in_use_is_a_one_line_error(seed_index):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "cli", "serve", "--index", str(seed_index), "--port", str(port)],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "cannot listen on 127.0.0.1:" in result.stderr and "Traceback" not in result.stderr


def test_serving_beyond_loopback_warns_to_put_a_proxy_in_front(seed_index):
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "cli", "serve", "--index", str(seed_index), "--host", "0.0.0.0",
                                 "--port", str(port), "--connection-limit", "50", "--channel-timeout", "5"],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "reachable from other machines: put a reverse proxy" in result.stderr
    assert result.returncode == 1 and "cannot listen on 0.0.0.0:" in result.stderr


def test_ctrl_c_in_the_terminal_stops_every_worker_cleanly(seed_index):
    """Ctrl-C signals the whole process group: the server must exit 0, with no worker left and no error."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--index", str(seed_index), "--port", str(port),
                                "--workers", "2"], cwd=ROOT, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert serving(f"http://127.0.0.1:{port}")
        workers = children(process.pid)
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert "stopping the server" not in process.stderr.read()
        assert all(not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
                   for pid in workers)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()


def test_the_server_heals_when_its_index_folder_is_replaced_under_load(tmp_path):
    import shutil
    import threading
    import urllib.error

    from conftest import write_corpus
    from index import build_index

    calm = write_corpus(tmp_path / "calm", {f"{i}.txt": f"Titolo {i}\nIl mare è calmo {i}." for i in range(50)})
    rough = write_corpus(tmp_path / "rough", {f"{i}.txt": f"Titolo {i}\nIl mare è mosso {i}." for i in range(70)})
    index_dir = tmp_path / "index"
    build_index(calm, index_dir)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--index", str(index_dir), "--port", str(port),
                                "--workers", "2"], cwd=ROOT, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    statuses: list[int] = []
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            try:
                with urllib.request.urlopen(f"{base}/api/search?q=mare", timeout=30) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
            except OSError:
                time.sleep(0.05)

    try:
        assert serving(base)
        clients = [threading.Thread(target=client) for _ in range(4)]
        for thread in clients:
            thread.start()
        for corpus in (rough, calm, rough):
            time.sleep(0.5)
            shutil.rmtree(index_dir)  # removed under the server's feet, then built again from another folder
            time.sleep(0.3)
            build_index(corpus, index_dir)
        time.sleep(0.5)
        stop.set()
        for thread in clients:
            thread.join()
        totals = {get_json(f"{base}/api/search?q=mare")["total"] for _ in range(20)}  # both workers answer
        assert totals == {70}
        assert statuses and set(statuses) <= {200, 503}, sorted(set(statuses))  # 503 only while there was no index
    finally:
        stop.set()
        process.kill()
        process.wait()


def test_workers_stop_when_their_supervisor_is_killed(tmp_path):
    # SIGKILL leaves the parent no chance to stop its workers: they must notice and leave the port.
    from conftest import write_corpus
    from index import build_index

    corpus = write_corpus(tmp_path / "corpus", {"a.txt": "Titolo\nIl mare è calmo."})
    build_index(corpus, tmp_path / "index")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--index", str(tmp_path / "index"),
                                "--port", str(port), "--workers", "2"], cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        assert serving(f"http://127.0.0.1:{port}")
        children_file = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        workers = [int(pid) for pid in children_file.read_text().split()]
        assert len(workers) == 2
    finally:
        process.kill()
        process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.2)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "orphaned workers still serve the port"
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q=mare", timeout=2)
