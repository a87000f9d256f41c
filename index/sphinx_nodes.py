"""Search nodes on this machine: Sphinx (2.2.11, Debian's ``sphinxsearch``) or Manticore ``searchd`` processes.

``corpus-search cluster start --nodes 2 --data DIR`` writes one configuration
per node under ``DIR/node-K/``, starts each ``searchd`` on loopback with its
own ports, pid file and data folder, and prints the index URL to use
(``sphinx://127.0.0.1:PORT``, the first node's SphinxQL port). Each node holds
one real-time index per language (``rt_<lang>``, with that language's Snowball
stemmer) and a distributed index ``docs`` over its own indexes and every
other node's, so any node answers for the whole cluster and says which agent
did not answer.

Starting again starts only the nodes that are not running, on the ports they
had; stopping (all nodes, or node K) sends SIGTERM to the pid in the node's pid
file and waits. Neither ever deletes a node's data: a stopped node keeps its
indexes and its binlog, and comes back with them.

Only settings that Sphinx 2.2.11 and Manticore both read are written; see the
README's cluster section for what a Manticore production setup changes.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from index.errors import CorpusSearchError
from index.store import write_atomically

CLUSTER_FILE = "cluster.json"
SEARCHD = "searchd"
# Languages with a Snowball stemmer in Sphinx's libstemmer build; other languages go to rt_other, unstemmed.
STEMMED = {"it": "libstemmer_italian", "fr": "libstemmer_french", "sv": "libstemmer_swedish",
           "en": "libstemmer_english", "de": "libstemmer_german", "es": "libstemmer_spanish",
           "pt": "libstemmer_portuguese", "nl": "libstemmer_dutch", "da": "libstemmer_danish",
           "no": "libstemmer_norwegian", "fi": "libstemmer_finnish", "ru": "libstemmer_russian"}
OTHER = "other"
STORE = "rt_store"  # each node's articles as written (see node_config)
NAMES = "rt_names"  # the facet values of each node's articles, by key
WORDS = "rt_words"  # the words of each node's share of the vocabulary (did you mean)
DEFAULT_NODES = 2
DEFAULT_FIRST_PORT = 9306  # Sphinx's own SphinxQL port: node K takes 9306 + 2(K-1) and the next one
START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 20.0


class ClusterError(CorpusSearchError):
    """A cluster that cannot be started, found or stopped: said in one line."""


@dataclass(frozen=True)
class Node:
    number: int  # 1, 2, …
    sql_port: int  # SphinxQL (MySQL protocol): what the product talks to
    api_port: int  # Sphinx's own protocol: how a node's distributed index reaches the others

    def folder(self, data_dir: Path) -> Path:
        return data_dir / f"node-{self.number}"

    def pid_file(self, data_dir: Path) -> Path:
        return self.folder(data_dir) / "searchd.pid"

    def config_file(self, data_dir: Path) -> Path:
        return self.folder(data_dir) / "sphinx.conf"


@dataclass(frozen=True)
class NodeState:
    node: Node
    pid: int | None  # None: not running

    @property
    def running(self) -> bool:
        return self.pid is not None


def index_names() -> list[str]:
    """The real-time indexes every node holds: one per stemmed language, and one for the others."""
    return [f"rt_{lang}" for lang in (*STEMMED, OTHER)]


def cluster_url(nodes: list[Node]) -> str:
    """The index location of the cluster: every node, so that a search goes on when one is down and a
    writer can send each document to its node."""
    return "sphinx://" + ",".join(f"127.0.0.1:{node.sql_port}" for node in nodes)


def _charset_table() -> str:
    """Sphinx's word characters: digits, a–z and every letter or digit past U+00BF, as ranges.

    The product folds text itself before sending it (``index.analysis.fold``: the
    same folding as the embedded index), so no case or accent mapping is
    needed here; Sphinx 2.2.11's default table knows only English and Russian
    letters, and would cut "sécurité" in three.
    """
    ranges, start = [], None
    for code in range(0xC0, 0x10000):
        letter = not 0xD800 <= code < 0xE000 and chr(code).isalnum()
        if letter and start is None:
            start = code
        elif not letter and start is not None:
            ranges.append(f"U+{start:X}..U+{code - 1:X}" if code - 1 > start else f"U+{start:X}")
            start = None
    return ", ".join(["0..9", "A..Z->a..z", "_", "a..z", *ranges])


CHARSET_TABLE = _charset_table()


def node_config(node: Node, nodes: list[Node], data_dir: Path) -> str:
    """The ``sphinx.conf`` of ``node``: its real-time indexes, the distributed index, its daemon."""
    folder = node.folder(data_dir).resolve()
    blocks = []
    for lang in (*STEMMED, OTHER):
        morphology = f"\n    morphology = {STEMMED[lang]}" if lang in STEMMED else ""
        blocks.append(f"""index rt_{lang}
{{
    type = rt
    path = {folder / "data" / f"rt_{lang}"}
    rt_field = title
    rt_field = body
    rt_field = entities
    rt_attr_string = doc_id
    rt_attr_string = path
    rt_attr_string = lang
    rt_attr_string = content_hash
    rt_attr_string = facet_values
    rt_attr_multi = person_keys
    rt_attr_multi = country_keys
    rt_attr_multi = org_keys
    rt_attr_uint = lang_key
    rt_attr_uint = day
    rt_attr_uint = year{morphology}
    charset_table = {CHARSET_TABLE}
    min_word_len = 1
    min_prefix_len = 2
    dict = keywords
    html_strip = 0
}}
""")
    # The articles as written, for display and snippets, apart from the searched rows: every match a
    # search keeps in its sorter (max_matches, facet groups) copies its row's attributes, and with the
    # text among them a facet count over 3,500 hits took 35 ms instead of 1.
    blocks.append(f"""index {STORE}
{{
    type = rt
    path = {folder / "data" / STORE}
    rt_field = unused
    rt_attr_string = stored
}}
""")
    # Facet values by their keys, so that a count's keys become names in one lookup by id.
    blocks.append(f"""index {NAMES}
{{
    type = rt
    path = {folder / "data" / NAMES}
    rt_field = unused
    rt_attr_string = value
}}
""")
    # The vocabulary, for "did you mean": each word with the articles that have it and the hashes of its
    # deletes (index/spelling.py), so that a typo's candidates are one lookup on the nodes.
    blocks.append(f"""index {WORDS}
{{
    type = rt
    path = {folder / "data" / WORDS}
    rt_field = unused
    rt_attr_string = word
    rt_attr_uint = documents
    rt_attr_multi = deletes
}}
""")
    for distributed, locals_ in (("docs", index_names()), ("store", [STORE]), ("names", [NAMES]),
                                 ("words", [WORDS])):
        # Persistent: a distributed query reuses its connections to the other nodes. Opening one per query,
        # 2 in 400 searches by 8 threads at once found the other node's connect() timed out.
        agents = "".join(f"    agent_persistent = 127.0.0.1:{other.api_port}:{','.join(locals_)}\n"
                         for other in nodes if other != node)
        listed = "".join(f"    local = {name}\n" for name in locals_)
        blocks.append(f"""index {distributed}
{{
    type = distributed
{listed}{agents}    agent_connect_timeout = 1000
    agent_query_timeout = 10000
}}
""")
    blocks.append(f"""searchd
{{
    listen = 127.0.0.1:{node.sql_port}:mysql41
    listen = 127.0.0.1:{node.api_port}
    log = {folder / "searchd.log"}
    query_log = {folder / "query.log"}
    pid_file = {folder / "searchd.pid"}
    binlog_path = {folder / "data"}
    workers = threads
    max_children = 64
    persistent_connections_limit = 32
    read_timeout = 5
    client_timeout = 60
    seamless_rotate = 1
    unlink_old = 1
}}
""")
    return "\n".join(blocks)


def start_cluster(data_dir: Path, nodes: int | None = None, first_port: int | None = None) -> list[NodeState]:
    """Start the cluster in ``data_dir`` (made if missing); nodes already running are kept.

    A new cluster has ``nodes`` nodes (default 2) on ports from ``first_port``
    (default `DEFAULT_FIRST_PORT`, or free ports if those are taken); a folder
    that holds a cluster keeps its number of nodes and its ports.

    :raise ClusterError: when ``searchd`` is missing, the folder holds a cluster of another size,
        or a node does not come up.
    """
    searchd = shutil.which(SEARCHD)
    if searchd is None:
        raise ClusterError("searchd is not installed: apt-get install sphinxsearch (or install Manticore Search)")
    data_dir.mkdir(parents=True, exist_ok=True)
    known = load_nodes(data_dir, missing_ok=True)
    if known and nodes is not None and len(known) != nodes:
        raise ClusterError(f"{data_dir} holds a cluster of {len(known)} nodes, not {nodes}: start it with "
                           f"--nodes {len(known)}, or use another --data folder")
    cluster = known or _new_nodes(nodes or DEFAULT_NODES, first_port)
    if not known:
        _write_json(data_dir / CLUSTER_FILE, {"nodes": [asdict(node) for node in cluster]})
    for node in cluster:
        (node.folder(data_dir) / "data").mkdir(parents=True, exist_ok=True)
        node.config_file(data_dir).write_text(node_config(node, cluster, data_dir), encoding="utf-8")
    for node in cluster:
        if _running_pid(node.pid_file(data_dir)) is None:
            _start_node(searchd, node, data_dir)
    return cluster_state(data_dir)


def stop_cluster(data_dir: Path, number: int | None = None) -> list[NodeState]:
    """Stop every node of the cluster in ``data_dir``, or node ``number``; their data stays.

    :raise ClusterError: when there is no cluster there, no such node, or a node does not stop.
    """
    cluster = load_nodes(data_dir)
    if number is not None and number not in {node.number for node in cluster}:
        raise ClusterError(f"there is no node {number} in {data_dir}: its nodes are 1 to {len(cluster)}")
    for node in cluster:
        if number is not None and node.number != number:
            continue
        pid = _running_pid(node.pid_file(data_dir))
        if pid is None:
            continue
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            raise ClusterError(f"node {node.number} (pid {pid}) did not stop within {STOP_TIMEOUT_S:g} s")
    return cluster_state(data_dir)


def cluster_state(data_dir: Path) -> list[NodeState]:
    return [NodeState(node, _running_pid(node.pid_file(data_dir))) for node in load_nodes(data_dir)]


def load_nodes(data_dir: Path, missing_ok: bool = False) -> list[Node]:
    """The nodes recorded in ``data_dir``.

    :raise ClusterError: when the folder holds no cluster (unless ``missing_ok``: then []).
    """
    path = data_dir / CLUSTER_FILE
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
        return [Node(**node) for node in recorded["nodes"]]
    except FileNotFoundError:
        if missing_ok:
            return []
        raise ClusterError(f"no cluster in {data_dir} (start one with: corpus-search cluster start --data "
                           f"{data_dir})") from None
    except (ValueError, KeyError, TypeError) as error:
        raise ClusterError(f"{path} is not a cluster description ({error})") from None


def _new_nodes(count: int, first_port: int | None) -> list[Node]:
    """Ports for ``count`` nodes, two each, from ``first_port``; without one, from `DEFAULT_FIRST_PORT` if
    those are free (a URL that is the same on every machine), else ports the system picks."""
    if first_port is not None:
        return [Node(k + 1, first_port + 2 * k, first_port + 2 * k + 1) for k in range(count)]
    default = [Node(k + 1, DEFAULT_FIRST_PORT + 2 * k, DEFAULT_FIRST_PORT + 2 * k + 1) for k in range(count)]
    if not any(_port_taken(n.sql_port) or _port_taken(n.api_port) for n in default):
        return default
    ports = _free_ports(2 * count)
    return [Node(k + 1, ports[2 * k], ports[2 * k + 1]) for k in range(count)]


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _start_node(searchd: str, node: Node, data_dir: Path) -> None:
    config = node.config_file(data_dir)
    if _port_taken(node.sql_port) or _port_taken(node.api_port):
        raise ClusterError(f"node {node.number}: port {node.sql_port} or {node.api_port} is taken by another "
                           "program")
    result = subprocess.run([searchd, "--config", str(config)], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        lines = [line for line in (result.stdout + result.stderr).splitlines() if "ERROR" in line or "FATAL" in line]
        raise ClusterError(f"node {node.number} did not start: {(lines or ['see ' + str(config)])[-1]}")
    deadline = time.monotonic() + START_TIMEOUT_S
    while not _port_taken(node.sql_port):
        if time.monotonic() > deadline:
            raise ClusterError(f"node {node.number} did not listen on port {node.sql_port} within "
                               f"{START_TIMEOUT_S:g} s (see {node.folder(data_dir) / 'searchd.log'})")
        time.sleep(0.05)


def _port_taken(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _running_pid(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _alive(pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (our own child that exited) is not running
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True


def _write_json(path: Path, data: dict) -> None:
    write_atomically(path, json.dumps(data, indent=2) + "\n")
