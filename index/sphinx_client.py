"""Talking to a Sphinx / Manticore cluster: where it is, how a document is named and routed in it.

What the writer (``index/sphinx_writer.py``) and the searcher
(``search/sphinx_engine.py``) must agree on lives here, once: the location
syntax, a document's numeric id and node, the index a language goes to, the
keys of facet values and the tokens that let a query match them.

A location is ``sphinx://HOST:PORT[,HOST:PORT…]``: the SphinxQL ports of the
nodes (``corpus-search cluster start`` prints it). Searching asks the first
node that answers, since each node's distributed index ``docs`` spans the
cluster; writing sends each document to its own node.
"""
from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass

from index.errors import CorpusSearchError
from index.sphinx_nodes import OTHER, STEMMED

SCHEME = "sphinx://"
CONNECT_TIMEOUT_S = 3.0
READ_TIMEOUT_S = 30.0
DISTRIBUTED = "docs"  # the searched rows of every node
STORED = "store"  # the articles as written, of every node, by id
NAMED = "names"  # facet values by key, of every node
VOCABULARY = "words"  # the words of the whole cluster, with their deletes
_HOST_PORT = re.compile(r"^(?P<host>[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\]):(?P<port>\d{1,5})$")
KEY_PREFIX = {"person": "p", "country": "c", "org": "o", "lang": "l"}
EVERY_DOCUMENT = "zzall"  # a word of every article's entities field: what "everything but X" matches against


class ClusterUnavailable(CorpusSearchError):
    """No node of the cluster answers, or the location is not one: said in one line."""


@dataclass(frozen=True)
class ClusterLocation:
    nodes: tuple[tuple[str, int], ...]

    @property
    def url(self) -> str:
        return SCHEME + ",".join(f"{host}:{port}" for host, port in self.nodes)

    def __str__(self) -> str:
        return self.url


def is_cluster_location(location) -> bool:
    return isinstance(location, ClusterLocation) or str(location).startswith(SCHEME)


def parse_location(location: str) -> ClusterLocation:
    """``sphinx://127.0.0.1:9306,127.0.0.1:9308`` → its nodes.

    :raise ClusterUnavailable: when the text is not such a location.
    """
    if isinstance(location, ClusterLocation):
        return location
    text = str(location)
    if not text.startswith(SCHEME):
        raise ClusterUnavailable(f"{text!r} is not a cluster location (sphinx://HOST:PORT[,HOST:PORT…])")
    nodes = []
    for part in text[len(SCHEME):].rstrip("/").split(","):
        match = _HOST_PORT.match(part.strip())
        if not match or not 0 < int(match["port"]) < 65536:
            raise ClusterUnavailable(f"{text!r} is not a cluster location: {part!r} is not HOST:PORT "
                                     "(e.g. sphinx://127.0.0.1:9306)")
        nodes.append((match["host"].strip("[]"), int(match["port"])))
    return ClusterLocation(tuple(nodes))


def connect(host: str, port: int):
    """A SphinxQL connection (MySQL protocol) to one node, autocommitting."""
    import pymysql

    return pymysql.connect(host=host, port=port, user="", autocommit=True, charset="utf8",
                           connect_timeout=CONNECT_TIMEOUT_S, read_timeout=READ_TIMEOUT_S,
                           write_timeout=READ_TIMEOUT_S)


def document_number(doc_id: str) -> int:
    """A document's id in the cluster: 63 bits of a hash of its own id, never 0 (Sphinx ids are positive)."""
    number = int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "big") >> 1
    return number or 1


def node_of(number: int, nodes: int) -> int:
    """Which node (0-based) holds a document: a stable hash of its id, so any writer sends it to the same one."""
    return number % nodes


def index_of(lang: str) -> str:
    """The real-time index a language's articles go to: its stemmer's, or ``rt_other``."""
    return f"rt_{lang}" if lang in STEMMED else f"rt_{OTHER}"


def word_number(word: str) -> int:
    """A vocabulary word's id (and node, by `node_of`): 63 bits of its hash, never 0."""
    return document_number("\x1eword\x1e" + word)


def value_key(kind: str, value: str) -> int:
    """A facet value as a 32-bit key (Sphinx 2.2.11's multi-valued attributes hold unsigned 32-bit numbers)."""
    return zlib.crc32(f"{kind}\x1f{value}".encode("utf-8")) or 1  # also an id of rt_names: never 0


def value_token(kind: str, value: str) -> str:
    """A facet value as one word of the hidden ``entities`` field, so that a query can match it inside
    OR and NOT (``Poutine`` → the word, or the articles that name Vladimir Putin); digits after a letter
    and a prefix no word has, so no stemmer changes it and no text holds it."""
    return f"zz{KEY_PREFIX[kind]}{value_key(kind, value)}"


def date_number(date: str | None) -> int:
    """``2024-03-15`` → 20240315, ``2024`` → 20240000; 0 when undated (outside every range)."""
    digits = (date or "").replace("-", "")[:8]
    if not digits.isdigit() or len(digits) < 4:
        return 0
    return int(digits.ljust(8, "0"))
