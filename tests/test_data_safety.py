"""No valid command, typo or slip deletes what the index holds: the corpus guard (issue 11)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import write_corpus
from index import CorpusNotFound, WouldLoseDocuments, build_index
from search import open_engine


def corpus_of(folder, count: int, word: str = "mare"):
    return write_corpus(folder, {f"{word}-{i:03}.txt": f"Articolo {i}\nOggi il {word} è calmo, numero {i}."
                                 for i in range(count)})


def documents(index_dir) -> int:
    with open_engine(index_dir) as engine:
        return engine.document_count()


def test_updating_from_another_corpus_folder_is_refused_unless_forced(tmp_path, run_cli):
    first, second = corpus_of(tmp_path / "c1", 30), corpus_of(tmp_path / "c2", 3, "monte")
    index_dir = tmp_path / "index"
    build_index(first, index_dir)
    code, out, err = run_cli("index", "--corpus", str(second), "--index", str(index_dir))
    assert code != 0 and "was built from" in err and "--force" in err and len(err.strip().splitlines()) == 1
    assert documents(index_dir) == 30  # nothing touched
    with pytest.raises(WouldLoseDocuments):
        build_index(second, index_dir)
    code, _, err = run_cli("index", "--corpus", str(second), "--index", str(index_dir), "--force")
    assert code == 0, err
    assert documents(index_dir) == 3


def test_an_update_that_would_delete_most_articles_is_refused(tmp_path):
    corpus, index_dir = corpus_of(tmp_path / "c", 30), tmp_path / "index"
    build_index(corpus, index_dir)
    for path in sorted(corpus.iterdir())[:25]:
        path.unlink()
    with pytest.raises(WouldLoseDocuments, match="25 of its corpus files are gone.*25 of its 30 articles"):
        build_index(corpus, index_dir)
    assert documents(index_dir) == 30
    for path in sorted(corpus.iterdir()):
        path.unlink()  # an emptied corpus folder: the same
    with pytest.raises(WouldLoseDocuments):
        build_index(corpus, index_dir, rebuild=True)
    assert build_index(corpus, index_dir, force=True).removed_files == 30
    assert documents(index_dir) == 0


def test_a_few_deleted_files_are_an_ordinary_update(tmp_path):
    corpus, index_dir = corpus_of(tmp_path / "c", 30), tmp_path / "index"
    build_index(corpus, index_dir)
    for path in sorted(corpus.iterdir())[:3]:
        path.unlink()
    assert build_index(corpus, index_dir).removed_files == 3


def test_an_empty_corpus_path_is_an_error_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CorpusNotFound):
        build_index("", tmp_path / "index")
    assert not (tmp_path / "index").exists()


def test_a_search_never_rebuilds_over_a_damaged_current_pointer(tmp_path, run_cli):
    corpus, index_dir = corpus_of(tmp_path / "c", 30), tmp_path / "index"
    build_index(corpus, index_dir)
    generation = (index_dir / "CURRENT").read_text().strip()
    (index_dir / "CURRENT").write_text("")
    small = corpus_of(tmp_path / "other", 5, "lago")
    code, _, err = run_cli("mare", "--corpus", str(small), "--index", str(index_dir))
    assert code != 0 and "CURRENT" in err and len(err.strip().splitlines()) <= 2
    assert (index_dir / generation).is_dir()  # the old generation is still there
    (index_dir / "CURRENT").write_text(generation + "\n")
    assert documents(index_dir) == 30


def test_pipes_devices_and_links_out_of_the_corpus_are_skipped_in_bounded_time(tmp_path):
    import os
    import threading

    corpus = corpus_of(tmp_path / "c", 2)
    os.mkfifo(corpus / "pipe.txt")
    (corpus / "zero.jsonl").symlink_to("/dev/zero")
    outside = tmp_path / "secret.txt"
    outside.write_text("Segreto\nQuesto file non fa parte del corpus.")
    (corpus / "secret.txt").symlink_to(outside)
    (corpus / "inside.txt").symlink_to(corpus / "mare-000.txt")  # a link inside the corpus is fine
    done, skipped = [], []

    def run():
        done.append(build_index(corpus, tmp_path / "index", warn=skipped.append))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert done, "indexing hung on a pipe or a device"
    assert done[0].documents_indexed == 3
    reasons = {item.path: item.reason for item in skipped}
    assert "regular file" in reasons["pipe.txt"] and "outside the corpus" in reasons["zero.jsonl"]
    assert "outside the corpus" in reasons["secret.txt"]


def test_bad_records_and_names_are_one_skipped_document_each(tmp_path):
    import os

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text(
        '{"id": "x1", "title": "Ciao", "text": "x \\ud800 testo"}\n'
        '{"id": "x2", "title": "Buono", "text": "testo buono qui"}\n'
        + "[" * 2000 + "]" * 2000 + "\n"
        + '{"id": "x3", "title": "Emoji \\ud83d\\ude00", "text": "testo ok"}\n', encoding="utf-8")
    with open(os.path.join(os.fsencode(corpus), b"caf\xe9.txt"), "wb") as f:
        f.write(b"Titolo\nTesto normale del file.")
    skipped = []
    report = build_index(corpus, tmp_path / "index", warn=skipped.append)
    assert report.documents_indexed == 2  # x2 and x3 (a surrogate pair is a valid emoji)
    assert sorted((s.line, s.reason.split(" (")[0]) for s in skipped if s.line) == [
        (1, "invalid Unicode"), (3, "JSON nested too deep")]
    assert any("not valid UTF-8" in s.reason for s in skipped)
    assert build_index(corpus, tmp_path / "index").changed is False  # and the next run is no different


@pytest.mark.parametrize("cores, workers", [(1, 1), (2, 1), (8, 7)])
def test_indexing_leaves_a_core_to_searches_by_default(monkeypatch, cores, workers):
    from index.prepare import default_workers

    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert default_workers() == workers


def test_a_killed_runs_half_built_generation_is_removed_by_the_next_run(tmp_path):
    corpus, index_dir = corpus_of(tmp_path / "c", 3), tmp_path / "index"
    build_index(corpus, index_dir)
    current = (index_dir / "CURRENT").read_text().strip()
    abandoned = index_dir / "gen-99999999-000000-abcdef"  # newer than any real one
    abandoned.mkdir()
    (abandoned / "half-written.seg").write_bytes(b"\0" * 1000)
    build_index(corpus, index_dir)
    assert not abandoned.exists() and (index_dir / current).is_dir()


def _process_state(pid: int) -> tuple[str, int] | None:
    """(state letter, parent pid) of a process, from /proc; None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def test_a_killed_indexer_takes_its_worker_processes_with_it(tmp_path):
    source = sorted((Path(__file__).resolve().parents[2] / "shared" / "corpora").glob("*.jsonl"))[0]
    corpus = tmp_path / "c"
    corpus.mkdir()
    with open(source, encoding="utf-8") as f, open(corpus / "big.jsonl", "w", encoding="utf-8") as out:
        for line, _ in zip(f, range(4000)):
            out.write(line)  # several MB: prepared by a pool of worker processes
    indexer = subprocess.Popen(
        [sys.executable, "-c", "import sys; from index import build_index; build_index(sys.argv[1], sys.argv[2], workers=2)",
         str(corpus), str(tmp_path / "index")], cwd=Path(__file__).resolve().parents[1])
    try:
        deadline, workers = time.monotonic() + 60, set()
        while time.monotonic() < deadline and len(workers) < 2:
            workers = {int(e) for e in os.listdir("/proc") if e.isdigit()
                       and (_process_state(int(e)) or ("", 0))[1] == indexer.pid}
            time.sleep(0.1)
        assert workers, "the indexer never started its worker processes"
        time.sleep(3)  # well into the run: workers waiting for more work, Whoosh's writers started
        workers |= {int(e) for e in os.listdir("/proc") if e.isdigit()
                    and (_process_state(int(e)) or ("", 0))[1] == indexer.pid}
    finally:
        indexer.send_signal(signal.SIGKILL)
        indexer.wait()
    time.sleep(3)
    alive = [pid for pid in workers if (_process_state(pid) or ("Z", 0))[0] != "Z"]
    assert alive == []


@pytest.mark.parametrize("damage", [lambda b: b[: len(b) // 2], lambda b: b"\0" * len(b), lambda b: b""])
def test_a_damaged_column_store_is_rebuilt_not_fatal(tmp_path, damage):
    corpus = write_corpus(tmp_path / "c", {f"{i}.txt": f"Titolo {i}\nIl ministro Sergei Lavrov e il mare {i}."
                                           for i in range(5)})
    build_index(corpus, tmp_path / "index")
    store = tmp_path / "index" / (tmp_path / "index" / "CURRENT").read_text().strip() / "facets.npz"
    store.write_bytes(damage(store.read_bytes()))
    with open_engine(tmp_path / "index") as engine:
        result = engine.search("mare")
        assert result.total == 5 and [v.value for v in result.facets["person"]] == ["Sergei Lavrov"]
    assert not build_index(corpus, tmp_path / "index").changed  # nothing to re-index …
    import numpy as np

    with np.load(store) as data:  # … but the store is whole again
        assert "date_order" in data


def _flip_a_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x20]) + data[middle + 1:]


DAMAGES = {"truncated": lambda b: b[: len(b) // 2], "zeroed": lambda b: b"\0" * len(b), "flipped": _flip_a_byte}
NEEDED_FILES = [".toc", ".seg", "merges.json", "query-knowledge.pickle", "knowledge.pickle", "corpus-search.json"]
OPTIONAL_FILES = ["facets.npz", "spelling/keys.npy", "spelling/words.bin"]


def _damage_file(generation: Path, which: str, damage) -> Path:
    victim = next(p for p in generation.iterdir() if p.suffix == which) if which.startswith(".") else generation / which
    victim.write_bytes(DAMAGES[damage](victim.read_bytes()))
    return victim


def _generation(index_dir: Path) -> Path:
    return index_dir / (index_dir / "CURRENT").read_text().strip()


@pytest.mark.parametrize("damage", sorted(DAMAGES))
@pytest.mark.parametrize("which", NEEDED_FILES)
def test_a_damaged_file_searching_needs_is_one_line_and_repair_rebuilds_it(tmp_path, run_cli, which, damage):
    corpus = corpus_of(tmp_path / "c", 5)
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir)
    victim = _damage_file(_generation(index_dir), which, damage)
    code, out, err = run_cli("mare", "--index", str(index_dir), "--corpus", str(corpus))
    assert code == 1 and "is damaged" in err and victim.name in err and "--repair" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    if which in (".toc", ".seg"):  # a plain update refuses: only a rebuild replaces segments
        code, _, err = run_cli("index", "--index", str(index_dir), "--corpus", str(corpus))
        assert code == 1 and "is damaged" in err and "--repair" in err and len(err.strip().splitlines()) == 1
    if which == "corpus-search.json":  # the record of the corpus folder itself: the user names it
        code, _, err = run_cli("index", "--repair", "--index", str(index_dir))
        assert code == 1 and "--corpus" in err and len(err.strip().splitlines()) == 1
        code, out, err = run_cli("index", "--repair", "--index", str(index_dir), "--corpus", str(corpus))
    else:
        code, out, err = run_cli("index", "--repair", "--index", str(index_dir))  # the recorded corpus
    assert code == 0, err
    assert "repaired" in out and victim.name in out
    assert documents(index_dir) == 5
    code, out, err = run_cli("mare", "--json", "--index", str(index_dir))
    assert code == 0 and json.loads(out)["total"] == 5 and json.loads(out)["notes"] == []


@pytest.mark.parametrize("damage", sorted(DAMAGES))
@pytest.mark.parametrize("which", OPTIONAL_FILES)
def test_a_damaged_optional_file_is_said_in_notes_and_the_next_update_rewrites_it(tmp_path, run_cli, which, damage):
    corpus = write_corpus(tmp_path / "c", {f"{i}.txt": f"Titolo {i}\nIl ministro Sergei Lavrov e il mare {i}."
                                           for i in range(5)})
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir)
    _damage_file(_generation(index_dir), which, damage)
    code, out, err = run_cli("mare", "--json", "--index", str(index_dir))
    result = json.loads(out)
    assert code == 0 and result["total"] == 5
    assert [v["value"] for v in result["facets"]["person"]] == ["Sergei Lavrov"]
    assert any("damaged" in note and which in note and "--repair" in note for note in result["notes"])
    report = build_index(corpus, index_dir)
    assert not report.changed and report.repaired == [f"{_generation(index_dir).name}/{which}"]
    code, out, err = run_cli("mare", "--json", "--index", str(index_dir))
    assert json.loads(out)["notes"] == [] and json.loads(out)["total"] == 5


def test_each_file_is_read_once_until_it_changes_even_with_its_modification_time_set_back(tmp_path, monkeypatch):
    import index.integrity as integrity

    corpus = corpus_of(tmp_path / "c", 5)
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir)
    read = []
    checksum = integrity._checksum
    monkeypatch.setattr(integrity, "_checksum", lambda path: read.append(path.name) or checksum(path))
    cache = tmp_path / "verified"
    with open_engine(index_dir, verified_cache=cache) as engine:
        assert engine.search("mare").total == 5
    assert any(name.endswith(".seg") for name in read)
    read.clear()
    with open_engine(index_dir, verified_cache=cache) as engine:  # a later CLI run: nothing read again
        assert engine.search("mare").total == 5
    assert read == []
    segment = next(p for p in _generation(index_dir).iterdir() if p.suffix == ".seg")
    status = segment.stat()
    segment.write_bytes(_flip_a_byte(segment.read_bytes()))
    os.utime(segment, ns=(status.st_atime_ns, status.st_mtime_ns))  # same size, same mtime: only ctime tells
    from search import IndexDamaged

    with pytest.raises(IndexDamaged, match=segment.name):
        open_engine(index_dir, verified_cache=cache).search("mare")


def test_repair_keeps_the_damaged_generation_until_the_new_one_is_complete(tmp_path, monkeypatch):
    corpus = corpus_of(tmp_path / "c", 5)
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir)
    damaged = _generation(index_dir)
    _damage_file(damaged, ".seg", "flipped")
    import index.writer as writer

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(writer, "_save_derived", crash)
    with pytest.raises(KeyboardInterrupt):
        build_index(None, index_dir, repair=True)
    assert _generation(index_dir) == damaged and damaged.exists()  # still there, still named current
    monkeypatch.undo()
    assert build_index(None, index_dir, repair=True).rebuilt
    assert _generation(index_dir) != damaged and documents(index_dir) == 5


def test_repair_from_another_corpus_folder_is_refused_unless_forced(tmp_path, run_cli):
    corpus, other = corpus_of(tmp_path / "c", 5), corpus_of(tmp_path / "other", 3, word="monte")
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir)
    _damage_file(_generation(index_dir), ".seg", "zeroed")
    code, _, err = run_cli("index", "--repair", "--index", str(index_dir), "--corpus", str(other))
    assert code == 1 and "--force" in err
    assert build_index(other, index_dir, repair=True, force=True).rebuilt and documents(index_dir) == 3


def test_an_emptied_current_pointer_is_repaired_from_the_recorded_corpus(tmp_path, run_cli):
    corpus = corpus_of(tmp_path / "c", 5)
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir)
    (index_dir / "CURRENT").write_text("")
    code, _, err = run_cli("index", "--index", str(index_dir))
    assert code == 1 and "--repair" in err
    code, out, err = run_cli("index", "--repair", "--index", str(index_dir))
    assert code == 0, err
    assert documents(index_dir) == 5


def test_an_impossible_date_is_dropped_with_a_warning_not_sorted_first(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text(
        '{"id": "1", "title": "A", "text": "mare uno", "date": "99999-99-99"}\n'
        '{"id": "2", "title": "B", "text": "mare due", "date": "2024-02-30"}\n'
        '{"id": "3", "title": "C", "text": "mare tre", "date": "2024-02-29"}\n', encoding="utf-8")
    warnings = []
    assert build_index(corpus, tmp_path / "index", warn=warnings.append).documents_indexed == 3
    assert [(w.line, w.kept) for w in warnings] == [(1, True), (2, True)]
    assert str(warnings[0]).startswith("a.jsonl:1: the date '99999-99-99' is not a calendar date")
    with open_engine(tmp_path / "index") as engine:
        assert [(h.id, h.date) for h in engine.search("mare", sort="date").hits] == [
            ("a.jsonl#3", "2024-02-29"), ("a.jsonl#1", None), ("a.jsonl#2", None)]


def test_jsonl_ids_keep_every_article_and_have_no_control_characters(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text(
        '{"title": "A", "text": "mare uno"}\n'            # line 1: id "1" from its line number
        '{"id": "1", "title": "B", "text": "mare due"}\n'  # an explicit "1": another article
        '{"id": "x\\ny", "title": "C", "text": "mare tre"}\n'
        '{"id": "x\\ny", "title": "D", "text": "mare tre bis"}\n', encoding="utf-8")  # a real duplicate
    warnings = []
    build_index(corpus, tmp_path / "index", warn=warnings.append)
    with open_engine(tmp_path / "index") as engine:
        assert sorted(h.id for h in engine.search("mare").hits) == ["a.jsonl#1", "a.jsonl#1 (line 2)", "a.jsonl#x y"]
        assert engine.show("a.jsonl#x y").title == "C"
    assert [(w.line, w.kept) for w in warnings] == [(2, True), (4, False)]


def test_a_file_edited_during_a_run_and_back_is_not_left_stale(tmp_path):
    from index.reader import read_file, scan_corpus

    corpus = corpus_of(tmp_path / "c", 1)
    path = corpus / "mare-000.txt"
    original = path.read_text()
    scanned = scan_corpus(corpus, lambda item: None)  # the scan hashes the original …
    path.write_text("Titolo\nOggi il vento è forte.")  # … the run reads an edited file
    warnings = []
    (document,) = read_file(scanned[0], warnings.append)
    assert "vento" in document.text and document.content_hash not in (None, scanned[0].content_hash)
    assert "changed while indexing" in warnings[0].reason and warnings[0].kept


def test_an_edit_between_scan_and_read_is_recorded_so_editing_back_is_seen(tmp_path, monkeypatch):
    import index.writer as writer

    corpus, index_dir = corpus_of(tmp_path / "c", 1), tmp_path / "index"
    path = corpus / "mare-000.txt"
    build_index(corpus, index_dir)
    second, third = "Titolo\nOggi il vento è forte.", "Titolo\nOggi nevica in montagna."
    path.write_text(second)
    scan = writer.scan_corpus

    def scan_then_edit(corpus_dir, skip):
        files = scan(corpus_dir, skip)  # hashes the second version …
        path.write_text(third)  # … but the run reads the third
        return files

    monkeypatch.setattr(writer, "scan_corpus", scan_then_edit)
    build_index(corpus, index_dir)
    monkeypatch.undo()
    path.write_text(second)  # edited back to what the scan saw
    assert build_index(corpus, index_dir).updated_files == 1  # seen: the index held the third version
    with open_engine(index_dir) as engine:
        assert engine.search("vento").total == 1 and engine.search("nevica").total == 0


# Whoosh's writer leaves its half-written files open when a write fails; they close with the process.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_full_disk_is_one_line_and_leaves_the_index_as_it_was(tmp_path, run_cli, monkeypatch):
    import errno

    from whoosh.filedb.structfile import StructFile

    corpus = corpus_of(tmp_path / "c", 5)
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir)
    (corpus / "new.txt").write_text("Nuovo\nIl mare è mosso.", encoding="utf-8")

    def no_space(self, *args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(StructFile, "write", no_space)
    for command in (["index"], ["index", "--rebuild"]):
        code, out, err = run_cli(*command, "--index", str(index_dir), "--corpus", str(corpus))
        assert code == 1 and "No space left on device" in err and "as it was" in err, err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    monkeypatch.undo()
    assert documents(index_dir) == 5
    assert build_index(corpus, index_dir).added_files == 1 and documents(index_dir) == 6


def test_a_jsonl_file_edited_while_read_and_back_is_read_again_by_the_next_run(tmp_path, monkeypatch):
    import index.writer as writer

    lines = lambda word: "\n".join(json.dumps({"id": str(i), "text": f"Oggi il {word} numero {i}."}) for i in range(3))
    corpus, index_dir = write_corpus(tmp_path / "c", {"all.jsonl": lines("mare")}), tmp_path / "index"
    build_index(corpus, index_dir)
    path = corpus / "all.jsonl"
    path.write_text(lines("vento"))
    scan = writer.scan_corpus

    def scan_then_edit(corpus_dir, skip):
        files = scan(corpus_dir, skip)  # hashes the "vento" version …
        path.write_text(lines("neve"))  # … but the run reads the "neve" one
        return files

    monkeypatch.setattr(writer, "scan_corpus", scan_then_edit)
    report = build_index(corpus, index_dir)
    assert any(item.read_again for item in report.skipped)
    monkeypatch.undo()
    path.write_text(lines("vento"))  # edited back to what the scan saw
    assert build_index(corpus, index_dir).updated_files == 1  # read again: the index held the "neve" version
    with open_engine(index_dir) as engine:
        assert engine.search("vento").total == 3 and engine.search("neve").total == 0
    assert build_index(corpus, index_dir).unchanged_files == 1  # and then it is settled
