"""Building the index: languages, incremental updates, rebuilds, crashes and concurrency."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

import pytest

from conftest import write_corpus
from index import IndexBusy, build_index, current_name
from search import open_engine


def ids(engine, query="", **kwargs):
    return sorted(hit.id for hit in engine.search(query, limit=100_000, **kwargs).hits)


def test_seed_corpus_is_indexed_with_each_articles_language(seed_engine):
    result = seed_engine.search("", limit=10)
    assert result.total == 5
    assert {hit.id: hit.lang for hit in result.hits} == {
        "000_79ca7bfaaf628c67.txt": "it",
        "001_736f248895fc9a9a.txt": "it",
        "002_f821f3d7de1c528f.txt": "sv",
        "003_479425f1d2741736.txt": "fr",
        "004_60e6953ebaf8c9e4.txt": "it",
    }


def test_metadata_language_is_what_the_index_uses(tmp_path):
    corpus = write_corpus(tmp_path / "c", {"x.md": "---\nlang: sv\n---\n# Titolo\nIl ministro è arrivato a Roma."})
    build_index(corpus, tmp_path / "ix")
    assert open_engine(tmp_path / "ix").show("x.md").lang == "sv"


def test_unknown_language_is_indexed_unstemmed(tmp_path):
    corpus = write_corpus(tmp_path / "c", {
        "zh.txt": "中国外交部长\n王毅 抵达 莫斯科 进行 会谈 中国 俄罗斯 战略 安全 磋商",
        "it.txt": "Titolo\nIl ministro è arrivato.",
    })
    report = build_index(corpus, tmp_path / "ix")
    assert report.unstemmed_languages == ["zh"]
    engine = open_engine(tmp_path / "ix")
    assert ids(engine, "莫斯科") == ["zh.txt"]
    assert ids(engine, "ministro") == ["it.txt"]


def test_incremental_index_adds_changes_and_removes_files(tmp_path):
    corpus = write_corpus(tmp_path / "c", {
        "a.txt": "Alfa\nIl ministro parla di sanzioni.",
        "b.txt": "Beta\nLe président parle de sécurité.",
    })
    index_dir = tmp_path / "ix"
    first = build_index(corpus, index_dir)
    assert (first.added_files, first.rebuilt) == (2, True)
    engine = open_engine(index_dir)

    write_corpus(corpus, {"c.txt": "Gamma\nKinas utrikesminister besökte Moskva."})  # add
    write_corpus(corpus, {"a.txt": "Alfa\nIl ministro parla di droni."})  # change
    (corpus / "b.txt").unlink()  # delete
    report = build_index(corpus, index_dir)

    assert (report.added_files, report.updated_files, report.removed_files, report.unchanged_files) == (1, 1, 1, 0)
    assert ids(engine) == ["a.txt", "c.txt"]
    assert ids(engine, "utrikesminister") == ["c.txt"]
    assert ids(engine, "drone") == ["a.txt"]
    assert ids(engine, "sanzioni") == []  # the old text is gone
    assert ids(engine, "sécurité") == []


def test_deleted_then_restored_file_is_indexed_again(tmp_path, fresh_corpus):
    index_dir = tmp_path / "ix"
    build_index(fresh_corpus, index_dir)
    path = fresh_corpus / "003_479425f1d2741736.txt"
    content = path.read_bytes()
    path.unlink()
    assert build_index(fresh_corpus, index_dir).removed_files == 1
    path.write_bytes(content)  # the same content again: the index must not think it still has it
    assert build_index(fresh_corpus, index_dir).added_files == 1
    assert "003_479425f1d2741736.txt" in ids(open_engine(index_dir), "Shoigu")


def test_unchanged_corpus_changes_nothing(tmp_path, fresh_corpus):
    index_dir = tmp_path / "ix"
    build_index(fresh_corpus, index_dir)
    generation = current_name(index_dir)
    files_before = sorted(os.listdir(index_dir / generation))
    report = build_index(fresh_corpus, index_dir)
    assert (report.changed, report.unchanged_files, report.documents_indexed) == (False, 5, 0)
    assert sorted(os.listdir(index_dir / generation)) == files_before


def test_touched_but_identical_file_is_not_reindexed(tmp_path, fresh_corpus):
    index_dir = tmp_path / "ix"
    build_index(fresh_corpus, index_dir)
    path = fresh_corpus / "000_79ca7bfaaf628c67.txt"
    path.write_bytes(path.read_bytes())  # new mtime, same content
    assert build_index(fresh_corpus, index_dir).changed is False


def test_jsonl_line_change_reindexes_that_file(tmp_path):
    lines = [{"id": str(i), "title": f"T{i}", "text": f"articolo numero {i} sulla Cina"} for i in range(3)]
    corpus = write_corpus(tmp_path / "c", {"f.jsonl": "\n".join(map(json.dumps, lines))})
    build_index(corpus, tmp_path / "ix")
    lines[1]["text"] = "articolo cambiato sulla Russia"
    write_corpus(corpus, {"f.jsonl": "\n".join(map(json.dumps, lines[:2]))})
    report = build_index(corpus, tmp_path / "ix")
    engine = open_engine(tmp_path / "ix")
    assert report.updated_files == 1
    assert ids(engine) == ["f.jsonl#0", "f.jsonl#1"]
    assert ids(engine, "Russia") == ["f.jsonl#1"]


def test_an_update_reindexes_only_the_articles_of_a_file_that_changed(tmp_path):
    lines = [{"id": str(i), "title": f"T{i}", "text": f"articolo numero {i} sulla Cina"} for i in range(8)]

    def write(records):
        write_corpus(corpus, {"f.jsonl": "\n".join(map(json.dumps, records)) + "\n"})

    corpus = write_corpus(tmp_path / "c", {})
    write(lines)
    original = (corpus / "f.jsonl").read_bytes()
    assert build_index(corpus, tmp_path / "ix").documents_indexed == 8
    changed = [dict(line) for line in lines]
    changed[3]["text"] = "articolo cambiato sulla Russia"
    del changed[5]
    changed.append({"id": "new", "title": "Nuovo", "text": "articolo nuovo sulla Turchia"})
    write(changed)
    report = build_index(corpus, tmp_path / "ix")
    # The changed and the new article, and the file's first (it carries the file's new record); 5 is deleted.
    assert (report.updated_files, report.documents_indexed) == (1, 3)
    engine = open_engine(tmp_path / "ix")
    assert ids(engine) == sorted(f"f.jsonl#{i}" for i in ("0", "1", "2", "3", "4", "6", "7", "new"))
    assert engine.search("", limit=1).total == 8  # each article once
    assert ids(engine, "Russia") == ["f.jsonl#3"] and ids(engine, "numero 3") == []
    assert ids(engine, "Turchia") == ["f.jsonl#new"] and ids(engine, "numero 6") == ["f.jsonl#6"]
    assert build_index(corpus, tmp_path / "ix").documents_indexed == 0  # the new record holds: nothing to do
    # The file as it was: the index is as it was too.
    (corpus / "f.jsonl").write_bytes(original)
    assert build_index(corpus, tmp_path / "ix").documents_indexed == 3  # 0 (the record), 3 and 5; "new" deleted
    assert ids(engine) == sorted(f"f.jsonl#{i}" for i in range(8)) and ids(engine, "numero 3") == ["f.jsonl#3"]
    assert build_index(corpus, tmp_path / "ix").documents_indexed == 0


def test_a_file_whose_articles_did_not_change_records_its_new_content(tmp_path):
    lines = [json.dumps({"id": str(i), "text": f"testo {i}"}) for i in range(4)]
    corpus = write_corpus(tmp_path / "c", {"f.jsonl": "\n".join(lines)})
    build_index(corpus, tmp_path / "ix")
    write_corpus(corpus, {"f.jsonl": "\n\n".join(lines) + "\n"})  # blank lines: the same articles
    assert build_index(corpus, tmp_path / "ix").documents_indexed == 1
    assert build_index(corpus, tmp_path / "ix").documents_indexed == 0
    assert ids(open_engine(tmp_path / "ix")) == [f"f.jsonl#{i}" for i in range(4)]


def test_rebuild_publishes_a_new_generation_with_the_same_content(tmp_path, fresh_corpus):
    index_dir = tmp_path / "ix"
    build_index(fresh_corpus, index_dir)
    engine = open_engine(index_dir)
    before, generation = ids(engine, "Putin"), current_name(index_dir)
    report = build_index(fresh_corpus, index_dir, rebuild=True)
    assert report.rebuilt and current_name(index_dir) != generation
    assert ids(engine, "Putin") == before  # the open engine follows the new generation


def test_corpus_file_that_went_bad_loses_its_documents(tmp_path):
    corpus = write_corpus(tmp_path / "c", {"a.txt": "Alfa\nsanzioni", "b.txt": "Beta\ndroni"})
    build_index(corpus, tmp_path / "ix")
    write_corpus(corpus, {"a.txt": b"\x00\x00binary now"})
    warnings = []
    report = build_index(corpus, tmp_path / "ix", warn=lambda s: warnings.append(str(s)))
    assert report.updated_files == 1 and "a.txt" in warnings[0]
    assert ids(open_engine(tmp_path / "ix")) == ["b.txt"]


def test_failure_mid_indexing_leaves_the_previous_index_searchable(tmp_path, fresh_corpus):
    index_dir = tmp_path / "ix"
    build_index(fresh_corpus, index_dir)
    engine = open_engine(index_dir)
    before = ids(engine, "Shoigu")
    write_corpus(fresh_corpus, {f"new{i}.txt": f"Nuovo {i}\nShoigu incontra Wang Yi" for i in range(5)})

    def interrupt(done, total, documents):
        raise KeyboardInterrupt  # as Ctrl-C would, after the first file

    with pytest.raises(KeyboardInterrupt):
        build_index(fresh_corpus, index_dir, progress=interrupt)
    assert ids(engine, "Shoigu") == before
    with pytest.raises(KeyboardInterrupt):
        build_index(fresh_corpus, index_dir, progress=interrupt, rebuild=True)
    assert ids(engine, "Shoigu") == before
    assert len([p for p in index_dir.iterdir() if p.name.startswith("gen-")]) == 1  # no half generation left

    report = build_index(fresh_corpus, index_dir)  # the next run completes the job
    assert report.added_files == 5
    assert len(ids(engine, "Shoigu")) == len(before) + 5


def _synthetic_corpus(folder, files: int, per_file: int):
    rng = random.Random(1)
    words = "ministro esteri cinese russia visita colloqui sicurezza accordo armi sanzioni mosca pechino".split()
    for f in range(files):
        lines = [
            json.dumps({"id": str(i), "title": f"Articolo {f}-{i}", "lang": "it",
                        "text": " ".join(rng.choice(words) for _ in range(120))})
            for i in range(per_file)
        ]
        write_corpus(folder, {f"batch{f:03}.jsonl": "\n".join(lines)})
    return folder


def test_sigkill_mid_indexing_keeps_the_index_whole(tmp_path, fresh_corpus):
    index_dir = tmp_path / "ix"
    build_index(fresh_corpus, index_dir)
    before = ids(open_engine(index_dir))
    _synthetic_corpus(fresh_corpus / "bulk", files=20, per_file=100)
    command = [sys.executable, "-m", "cli", "index", "--corpus", str(fresh_corpus), "--index", str(index_dir)]
    for delay in (0.5, 1.5):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   cwd=os.path.dirname(os.path.dirname(__file__)))
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = ids(open_engine(index_dir))
        assert now == before or len(now) == len(before) + 2000  # the old state or the new, never a mix
    report = build_index(fresh_corpus, index_dir, lock_wait_s=1)  # no stale lock; the job completes
    assert len(ids(open_engine(index_dir))) == len(before) + 2000
    assert report.documents_indexed in (0, 2000)


def _hold_lock_in_another_process(index_dir):
    """A process that takes the index's write lock, says so, and waits to be killed."""
    code = ("import sys, time; from pathlib import Path; from index.store import write_lock\n"
            "with write_lock(Path(sys.argv[1]), wait_s=5):\n    print('locked', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code, str(index_dir)], stdout=subprocess.PIPE, text=True,
                              cwd=os.path.dirname(os.path.dirname(__file__)))
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_second_writer_gets_a_clear_error(tmp_path, fresh_corpus):
    index_dir = tmp_path / "ix"
    build_index(fresh_corpus, index_dir)
    holder = _hold_lock_in_another_process(index_dir)
    try:
        with pytest.raises(IndexBusy, match="another indexer is writing"):
            build_index(fresh_corpus, index_dir, lock_wait_s=0.2)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_lock_of_a_killed_writer_is_released(tmp_path, fresh_corpus):
    index_dir = tmp_path / "ix"
    build_index(fresh_corpus, index_dir)
    holder = _hold_lock_in_another_process(index_dir)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    holder.stdout.close()
    write_corpus(fresh_corpus, {"new.txt": "Nuovo\nShoigu a Pechino"})
    assert build_index(fresh_corpus, index_dir, lock_wait_s=1).added_files == 1


def test_searches_in_many_threads_during_a_write_see_every_document(tmp_path, fresh_corpus):
    index_dir = tmp_path / "ix"
    build_index(fresh_corpus, index_dir)
    engine = open_engine(index_dir)
    seed_ids = ids(engine)
    _synthetic_corpus(fresh_corpus / "bulk", files=5, per_file=60)
    errors, totals = [], []
    stop = threading.Event()

    def search_loop():
        try:
            while not stop.is_set():
                totals.append(engine.search("", limit=0).total)
                assert [engine.show(doc_id).id for doc_id in seed_ids] == seed_ids
                assert engine.search("Shoigu").total == 3
                time.sleep(0.005)
        except Exception as error:  # collected and reported below: a thread cannot fail the test itself
            errors.append(error)

    threads = [threading.Thread(target=search_loop) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        build_index(fresh_corpus, index_dir)
        build_index(fresh_corpus, index_dir, rebuild=True)
        time.sleep(0.2)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert min(totals) == 5 and max(totals) == 305


def test_reader_processes_and_the_web_app_search_during_a_write(tmp_path, fresh_corpus):
    import json as json_module
    import urllib.request

    from waitress.server import create_server

    from web import create_app

    index_dir = tmp_path / "ix"
    build_index(fresh_corpus, index_dir)
    _synthetic_corpus(fresh_corpus / "bulk", files=4, per_file=60)
    code = ("import sys, time; from search import open_engine\n"
            "e = open_engine(sys.argv[1]); n = 0; end = time.time() + float(sys.argv[2])\n"
            "while time.time() < end:\n"
            "    r = e.search('Shoigu'); assert r.total == 3, r.total\n"
            "    t = e.search('', limit=0).total; assert t >= 5, t\n"
            "    n += 1\n"
            "print(n)")
    readers = [subprocess.Popen([sys.executable, "-c", code, str(index_dir), "6"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=os.path.dirname(os.path.dirname(__file__)))
               for _ in range(2)]
    httpd = create_server(create_app(index_dir), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=_run_until_closed, args=(httpd,), daemon=True).start()
    web_errors, web_totals = [], []
    stop = threading.Event()

    def web_loop():
        while not stop.is_set():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{httpd.effective_port}/api/search?q=Shoigu") as r:
                    web_totals.append(json_module.load(r)["total"])
            except Exception as error:  # reported below
                web_errors.append(error)

    web = threading.Thread(target=web_loop)
    web.start()
    try:
        build_index(fresh_corpus, index_dir)
        build_index(fresh_corpus, index_dir, rebuild=True)
    finally:
        stop.set()
        web.join()
        httpd.close()
    for reader in readers:
        out, err = reader.communicate(timeout=60)
        assert reader.returncode == 0, err
        assert int(out) > 0
    assert web_errors == [] and set(web_totals) == {3}


def _run_until_closed(httpd) -> None:
    """waitress's loop, which raises EBADF when the test closes the server under it: that is the end, not an error."""
    try:
        httpd.run()
    except OSError:
        pass


def test_progress_follows_the_bytes_read_within_a_jsonl_file_and_counts_articles(tmp_path):
    lines = [json.dumps({"id": str(i), "text": f"Il porto numero {i} " + "parola " * 50}) for i in range(200)]
    corpus = write_corpus(tmp_path / "c", {"a.txt": "Titolo\nUn testo.", "big.jsonl": "\n".join(lines)})
    calls = []
    build_index(corpus, tmp_path / "index", progress=lambda done, total, documents: calls.append((done, total, documents)))
    total = calls[0][1]
    assert total == sum(p.stat().st_size for p in corpus.iterdir())
    dones = [done for done, _, _ in calls]
    assert dones == sorted(dones) and dones[-1] == total  # never back, and complete at the end
    inside_jsonl = [done for done, _, documents in calls if 1 < documents < 201]
    assert len(set(inside_jsonl)) > 100  # it moves line by line, not to the file's full size at its first line
    assert inside_jsonl[0] < total / 10
    assert [documents for _, _, documents in calls][-1] == 201


def test_index_json_prints_the_report_for_scripts(tmp_path, run_cli):
    corpus = write_corpus(tmp_path / "c", {"a.txt": "Titolo\nIl ministro parla.", "empty.txt": ""})
    code, out, err = run_cli("index", "--json", "--corpus", str(corpus), "--index", str(tmp_path / "index"))
    report = json.loads(out)
    assert code == 0 and report["outcome"] == "built" and report["documents_indexed"] == 1
    assert report["languages"] == {"it": 1} and report["skipped"][0]["path"] == "empty.txt"
    code, out, _ = run_cli("index", "--json", "--corpus", str(corpus), "--index", str(tmp_path / "index"))
    assert json.loads(out)["outcome"] == "unchanged" and json.loads(out)["unchanged_files"] == 1
