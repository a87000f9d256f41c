"""Reading the corpus: each format, and each kind of bad input (skipped with a warning naming it)."""
from __future__ import annotations

import codecs
import json
import os

import pytest

from conftest import write_corpus
from index.reader import MAX_ARTICLE_BYTES, read_file, scan_corpus


def read_all(folder):
    """(documents, warnings as strings) of every file in ``folder``."""
    warnings = []
    documents = []
    for corpus_file in scan_corpus(folder, lambda s: warnings.append(str(s))):
        documents.extend(read_file(corpus_file, lambda s: warnings.append(str(s))))
    return documents, warnings


def test_text_file_title_is_first_non_empty_line(tmp_path):
    write_corpus(tmp_path, {"a.txt": "\n\n  Il titolo  \n\nIl corpo dell'articolo.\nSeconda riga.\n"})
    [doc], warnings = read_all(tmp_path)
    assert (doc.id, doc.title, doc.text) == ("a.txt", "Il titolo", "Il corpo dell'articolo.\nSeconda riga.")
    assert warnings == []


def test_markdown_front_matter_gives_metadata(tmp_path):
    write_corpus(tmp_path, {"news/b.md": "---\ntitle: \"Wang Yi a Mosca\"\ndate: 2023-09-18\nlang: it\n"
                            "url: https://example.org/a\nsource: ANSA\n---\n\nIl ministro è arrivato.\n"})
    [doc], _ = read_all(tmp_path)
    assert doc.id == "news/b.md"
    assert (doc.title, doc.date, doc.lang, doc.url, doc.source) == (
        "Wang Yi a Mosca", "2023-09-18", "it", "https://example.org/a", "ANSA")
    assert doc.text == "Il ministro è arrivato."


def test_markdown_without_front_matter_takes_its_heading_as_title(tmp_path):
    write_corpus(tmp_path, {"c.md": "# Poutine reçoit Xi\n\nLe président a reçu…\n"})
    [doc], _ = read_all(tmp_path)
    assert (doc.title, doc.text, doc.lang) == ("Poutine reçoit Xi", "Le président a reçu…", None)


def test_jsonl_documents_are_path_hash_id(tmp_path):
    lines = [
        {"id": "x1", "title": "Första", "text": "Text ett.", "lang": "sv", "date": "2024-01-02"},
        {"id": 7, "title": None, "text": "Il testo senza titolo.\nAltro."},
    ]
    write_corpus(tmp_path, {"sub/feed.jsonl": "\n".join(json.dumps(line) for line in lines) + "\n"})
    docs, warnings = read_all(tmp_path)
    assert [d.id for d in docs] == ["sub/feed.jsonl#x1", "sub/feed.jsonl#7"]
    assert (docs[0].lang, docs[0].date) == ("sv", "2024-01-02")
    assert docs[1].title == "Il testo senza titolo."  # a missing title comes from the text
    assert warnings == []


def test_folders_are_walked_recursively_and_hidden_or_foreign_files_ignored(tmp_path):
    write_corpus(tmp_path, {
        "a/b/c/d/e/deep.txt": "Deep\nbody",
        ".hidden/secret.txt": "Secret\nbody",
        ".dotfile.txt": "Dot\nbody",
        "image.png": b"\x89PNG\r\n",
        "notes.TXT": "Upper case extension\nbody",
    })
    docs, warnings = read_all(tmp_path)
    assert sorted(d.id for d in docs) == ["a/b/c/d/e/deep.txt", "notes.TXT"]
    assert warnings == []


def test_a_corpus_folders_own_documentation_is_not_an_article(tmp_path):
    write_corpus(tmp_path, {
        "SOURCES.md": "# Sources\nThese articles come from …",
        "README.txt": "Read me\nbody",
        "sub/LICENSE.md": "Licence\nCC BY 4.0",
        "readme.jsonl": json.dumps({"text": "metadata"}),
        "readmes-of-the-week.txt": "An article\nabout README files",  # an article whose name only starts alike
    })
    docs, warnings = read_all(tmp_path)
    assert [d.id for d in docs] == ["readmes-of-the-week.txt"]
    assert len(warnings) == 4 and all("documentation, not an article" in w for w in warnings)


# Each bad input: (file name, content, words the one-line warning must contain)
BAD_FILES = [
    ("empty.txt", "", "no text"),  # an empty file
    ("blank.md", "\n   \n\t\n", "no text"),  # only whitespace
    ("binary.txt", b"\x00\x01\x02ELF\x00\x00binary", "binary"),  # NUL bytes
    ("latin1.txt", "Città è più bella".encode("latin-1"), "not valid UTF-8"),  # wrong encoding
    ("frontmatter-only.md", "---\ntitle: \n---\n", "no text"),
]


@pytest.mark.parametrize("name, content, reason", BAD_FILES)
def test_bad_file_is_skipped_with_a_one_line_warning_and_the_rest_read(tmp_path, name, content, reason):
    write_corpus(tmp_path, {name: content, "good.txt": "Good\nThe rest is read."})
    docs, warnings = read_all(tmp_path)
    assert [d.id for d in docs] == ["good.txt"]
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert name in warnings[0] and reason in warnings[0]


def test_utf16_with_bom_is_read(tmp_path):
    write_corpus(tmp_path, {"u16.txt": codecs.BOM_UTF16_LE + "Säkerhet\nKinas roll".encode("utf-16-le")})
    [doc], warnings = read_all(tmp_path)
    assert (doc.title, doc.text, warnings) == ("Säkerhet", "Kinas roll", [])


def test_utf8_bom_is_not_part_of_the_title(tmp_path):
    write_corpus(tmp_path, {"bom.txt": codecs.BOM_UTF8 + "Titolo\ntesto".encode()})
    [doc], _ = read_all(tmp_path)
    assert doc.title == "Titolo"


def test_broken_jsonl_lines_are_skipped_naming_file_and_line(tmp_path):
    content = "\n".join([
        json.dumps({"id": "1", "title": "Uno", "text": "primo"}),
        '{"id": "2", "title": "broken",',  # line 2: malformed JSON
        json.dumps(["not", "an", "object"]),  # line 3
        json.dumps({"id": "4", "title": "No text"}),  # line 4: no text
        json.dumps({"id": "1", "title": "Dup", "text": "again"}),  # line 5: duplicate id
        "",
        json.dumps({"id": "7", "title": "Sette", "text": "settimo"}),
    ])
    write_corpus(tmp_path, {"feed.jsonl": content})
    docs, warnings = read_all(tmp_path)
    assert [d.id for d in docs] == ["feed.jsonl#1", "feed.jsonl#7"]
    assert [w.split(":", 2)[1] for w in warnings] == ["2", "3", "4", "5"]
    assert "malformed JSON" in warnings[0] and "feed.jsonl:2" in warnings[0]


def test_invalid_utf8_line_in_jsonl_skips_only_that_line(tmp_path):
    good = json.dumps({"id": "a", "text": "bene"}).encode()
    bad = '{"id": "b", "text": "città"}'.encode("latin-1")
    write_corpus(tmp_path, {"feed.jsonl": good + b"\n" + bad + b"\n"})
    docs, warnings = read_all(tmp_path)
    assert [d.id for d in docs] == ["feed.jsonl#a"]
    assert "feed.jsonl:2" in warnings[0]


def test_oversized_article_is_skipped(tmp_path):
    write_corpus(tmp_path, {"huge.txt": "Titolo\n" + "parola " * (MAX_ARTICLE_BYTES // 7 + 10), "ok.txt": "Ok\nok"})
    docs, warnings = read_all(tmp_path)
    assert [d.id for d in docs] == ["ok.txt"]
    assert "huge.txt" in warnings[0] and "too large" in warnings[0]


def test_symlink_loop_does_not_trap_the_walk(tmp_path):
    write_corpus(tmp_path, {"a/x.txt": "X\nx"})
    os.symlink(tmp_path / "a", tmp_path / "a" / "loop")
    docs, _ = read_all(tmp_path)
    assert [d.id for d in docs] == ["a/x.txt"]


def test_dangling_symlink_is_skipped_with_a_warning(tmp_path):
    write_corpus(tmp_path, {"ok.txt": "Ok\nok"})
    os.symlink(tmp_path / "missing.txt", tmp_path / "dangling.txt")
    docs, warnings = read_all(tmp_path)
    assert [d.id for d in docs] == ["ok.txt"]
    assert len(warnings) == 1 and "dangling.txt" in warnings[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_is_skipped_with_a_warning(tmp_path):
    write_corpus(tmp_path, {"ok.txt": "Ok\nok", "secret.txt": "S\ns"})
    (tmp_path / "secret.txt").chmod(0)
    docs, warnings = read_all(tmp_path)
    assert [d.id for d in docs] == ["ok.txt"]
    assert "secret.txt" in warnings[0]


def test_200_mb_article_is_skipped_without_reading_it_into_memory(tmp_path):
    write_corpus(tmp_path, {"ok.txt": "Ok\nok"})
    with open(tmp_path / "huge.txt", "wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk
    docs, warnings = read_all(tmp_path)
    assert [d.id for d in docs] == ["ok.txt"]
    assert "huge.txt" in warnings[0] and "too large" in warnings[0]


def test_200_mb_line_in_jsonl_is_skipped_and_the_next_lines_read(tmp_path):
    first = json.dumps({"id": "1", "text": "primo"}).encode() + b"\n"
    last = b"\n" + json.dumps({"id": "3", "text": "terzo"}).encode() + b"\n"
    path = tmp_path / "feed.jsonl"
    with open(path, "wb") as f:
        f.write(first)
        f.write(b'{"id": "2", "text": "')
        f.seek(200 * 1024 * 1024, 1)  # a 200 MB line (a sparse hole)
        f.write(last)
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    docs, warnings = read_all(tmp_path)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert [d.id for d in docs] == ["feed.jsonl#1", "feed.jsonl#3"]
    assert "feed.jsonl:2" in warnings[0] and "longer than" in warnings[0]
    assert grown_mb < 100  # the line was never held whole


def test_very_deep_folders_are_read(tmp_path):
    deep = "/".join(f"d{i}" for i in range(100))
    write_corpus(tmp_path, {f"{deep}/bottom.txt": "Fondo\ntesto"})
    docs, _ = read_all(tmp_path)
    assert [d.id for d in docs] == [f"{deep}/bottom.txt"]


def test_extremely_long_line_of_text_is_indexed(tmp_path):
    write_corpus(tmp_path, {"long.txt": "Titolo\n" + " ".join(["parola"] * 300_000) + " fine"})
    [doc], warnings = read_all(tmp_path)
    assert warnings == [] and doc.text.endswith("fine")
