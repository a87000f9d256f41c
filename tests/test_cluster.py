"""Search nodes for the cluster backend: real ``searchd`` processes started, queried, stopped and restarted."""
from __future__ import annotations

import json
import os
import shutil
import socket

import pymysql
import pytest

from index.sphinx_nodes import ClusterError, cluster_state, start_cluster, stop_cluster

if shutil.which("searchd") is None:
    if os.environ.get("CI"):
        pytest.fail("searchd is missing: .ci/run installs it (apt-get install sphinxsearch)", pytrace=False)
    pytestmark = pytest.mark.skip(reason="searchd is not installed (apt-get install sphinxsearch)")


def sql(node, query: str, *args):
    """Rows of one SphinxQL statement on ``node``, and its warnings."""
    connection = pymysql.connect(host="127.0.0.1", port=node.sql_port, user="", autocommit=True, connect_timeout=5)
    with connection, connection.cursor() as cursor:
        cursor.execute(query, args or None)
        rows = cursor.fetchall()
        cursor.execute("SHOW WARNINGS")
        return rows, tuple(cursor.fetchall())


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def two_nodes(tmp_path):
    data = tmp_path / "nodes"
    states = start_cluster(data, nodes=2, first_port=_free_range(4))
    yield data, [state.node for state in states]
    stop_cluster(data)


def _free_range(count: int) -> int:
    """The first of ``count`` consecutive free loopback ports."""
    for start in range(21000, 60000, 97):
        if not any(listening(port) for port in range(start, start + count)):
            return start
    raise RuntimeError("no free ports")


def test_two_nodes_answer_and_a_distributed_index_spans_them(two_nodes):
    data, (first, second) = two_nodes
    assert all(state.running for state in cluster_state(data))
    tables = dict(sql(first, "SHOW TABLES")[0])
    assert tables["docs"] == "distributed" and tables["rt_it"] == tables["rt_sv"] == tables["rt_other"] == "rt"
    sql(second, "INSERT INTO rt_it (id, title, body, doc_id, lang) VALUES (7, 'Ministri', "
                "'I ministri degli esteri si sono incontrati a Malta', 'it/7.txt', 'it')")
    sql(first, "INSERT INTO rt_sv (id, title, body, doc_id, lang) VALUES (8, 'Ministrar', "
               "'Utrikesministrarna möttes på Malta', 'sv/8.txt', 'sv')")
    # Node 1 answers for both: the Italian stemmer makes "ministro" find "ministri" on node 2.
    rows, warnings = sql(first, "SELECT id, doc_id FROM docs WHERE MATCH('ministro') ORDER BY id ASC")
    assert rows == ((7, "it/7.txt"),) and warnings == ()
    rows, _ = sql(first, "SELECT id FROM docs WHERE MATCH('Malta') ORDER BY id ASC")
    assert rows == ((7,), (8,))


def test_with_a_node_stopped_the_other_answers_with_a_warning_and_a_restart_brings_its_data_back(two_nodes):
    data, (first, second) = two_nodes
    sql(second, "INSERT INTO rt_fr (id, title, body, doc_id, lang) VALUES (3, 'Poutine', "
                "'Vladimir Poutine a parlé', 'fr/3.txt', 'fr')")
    sql(first, "INSERT INTO rt_fr (id, title, body, doc_id, lang) VALUES (4, 'Poutine', "
               "'Poutine à Moscou', 'fr/4.txt', 'fr')")
    pid_of_first = cluster_state(data)[0].pid
    states = stop_cluster(data, 2)
    assert [state.running for state in states] == [True, False] and not listening(second.sql_port)
    rows, warnings = sql(first, "SELECT id FROM docs WHERE MATCH('poutine')")
    assert rows == ((4,),)  # the part of the answer that one node holds
    assert warnings and str(second.api_port) in warnings[0][2]  # and which agent did not answer
    states = start_cluster(data)  # only the stopped node starts; node 1 keeps running
    assert [state.running for state in states] == [True, True] and states[0].pid == pid_of_first
    rows, warnings = sql(first, "SELECT id FROM docs WHERE MATCH('poutine') ORDER BY id ASC")
    assert rows == ((3,), (4,)) and warnings == ()  # node 2's document survived its stop (binlog)


def test_stopping_all_nodes_frees_their_ports_and_keeps_their_data(two_nodes):
    data, nodes = two_nodes
    sql(nodes[1], "INSERT INTO rt_other (id, title, body, doc_id, lang) VALUES (9, 'x', 'Ljubljana', 'x', 'sl')")
    states = stop_cluster(data)
    assert not any(state.running for state in states)
    assert not any(listening(port) for node in nodes for port in (node.sql_port, node.api_port))
    assert (data / "node-2" / "data").is_dir() and any((data / "node-2" / "data").iterdir())
    start_cluster(data)
    assert sql(nodes[0], "SELECT id FROM docs WHERE MATCH('ljubljana')")[0] == ((9,),)


def test_a_folder_keeps_its_cluster_and_bad_requests_are_one_line_errors(two_nodes, tmp_path):
    data, _ = two_nodes
    with pytest.raises(ClusterError, match="holds a cluster of 2 nodes, not 3"):
        start_cluster(data, nodes=3)
    with pytest.raises(ClusterError, match="no node 5"):
        stop_cluster(data, 5)
    with pytest.raises(ClusterError, match="no cluster in"):
        stop_cluster(tmp_path / "elsewhere")


def test_the_cli_starts_reports_and_stops_a_cluster(tmp_path, run_cli):
    data = str(tmp_path / "nodes")
    first = _free_range(4)
    code, out, err = run_cli("cluster", "start", "--nodes", "2", "--port", str(first), "--data", data)
    assert code == 0, err
    assert out.strip() == f"sphinx://127.0.0.1:{first},127.0.0.1:{first + 2}"  # the index URL (every node), alone on stdout
    try:
        status = json.loads(run_cli("cluster", "status", "--json", "--data", data)[1])
        assert [(n["node"], n["running"], n["sql_port"]) for n in status["nodes"]] == [(1, True, first),
                                                                                       (2, True, first + 2)]
        code, out, err = run_cli("cluster", "stop", "--node", "2", "--data", data)
        assert code == 0 and "node 2: stopped" in err
        code, out, err = run_cli("cluster", "stop", "--data", str(tmp_path / "nothing"))
        assert code == 1 and err.count("\n") == 1 and "no cluster in" in err
    finally:
        run_cli("cluster", "stop", "--data", data)
    assert not listening(first)
