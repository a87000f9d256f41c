"""Did you mean, on real articles: one-letter typos of the index's own words get a correction with results."""
from __future__ import annotations

import json
import random

import pytest

from index import fold
from index.spelling import deletes, load_spelling
from search import open_engine
from search.suggest import corrections


@pytest.fixture(scope="module")
def real_engine(real_index):
    engine = open_engine(real_index)
    yield engine
    engine.close()


def typo(word: str, rng: random.Random) -> str:
    """``word`` with one letter dropped, doubled, replaced or swapped with the next."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["drop", "double", "replace", "swap"])
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "replace":
        return word[:i] + ("x" if word[i] != "x" else "k") + word[i + 1:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def frequent_words(engine, count: int) -> list[str]:
    """Words of at least 7 letters that many articles of the index have (read from its spelling table)."""
    table = load_spelling(engine._current().folder)
    ranked = sorted(range(len(table.documents)), key=lambda i: -int(table.documents[i]))
    words = [table.word(i) for i in ranked if len(table.word(i)) >= 7]
    return words[:count]


def test_one_letter_typos_of_real_words_are_corrected_to_queries_with_results(real_engine):
    rng = random.Random(9)
    words = frequent_words(real_engine, 60)
    assert len(words) == 60
    corrected = 0
    for word in words:
        typed = typo(word, rng)
        result = real_engine.search(typed)
        if result.total:  # the typo is itself a word of the index (or its stem matches): nothing to correct
            assert result.suggestion is None
            continue
        assert result.suggestion, f"no suggestion for {typed!r} (from {word!r})"
        assert real_engine.search(result.suggestion).total > 0, f"{result.suggestion!r} leads to no results"
        corrected += fold(result.suggestion) == word
    assert corrected >= 40  # most typos are corrected back to the very word they came from


def test_a_multi_word_suggestion_returns_results_together(real_engine):
    result = real_engine.search("carabinierri perquisizone")
    assert result.total == 0
    assert result.suggestion == "carabinieri perquisizione"
    assert real_engine.search(result.suggestion).total > 0


def test_no_suggestion_when_the_correction_has_no_results_under_the_filters(real_engine):
    assert real_engine.search("carabinierri").suggestion == "carabinieri"
    assert real_engine.search("carabinierri", filters={"lang": ["sv"]}).suggestion is None


def test_known_words_and_nonsense_get_no_suggestion(real_engine):
    assert real_engine.search("carabinieri").suggestion is None  # it has hits
    assert real_engine.search("qqqqzzzzxxxx").suggestion is None
    assert real_engine.search("").suggestion is None


def test_the_suggestion_keeps_the_users_case_and_operators(real_engine):
    result = real_engine.search("Carabinierri -xqzw")
    assert result.suggestion == "Carabinieri -xqzw"


def test_corrections_rank_fewer_edits_then_more_articles(real_engine):
    table = load_spelling(real_engine._current().folder)
    found = corrections(table, "carabinierri")
    assert found[0] == "carabinieri"
    assert len(found) == len(set(found))


def test_deletes_cover_every_string_two_deletions_away():
    assert deletes("abc", 2) == {"abc", "bc", "ac", "ab", "a", "b", "c"}


def test_cli_and_api_carry_the_suggestion(run_cli, real_index):
    code, out, err = run_cli("carabinierri", "--index", str(real_index))
    assert code == 0 and "Did you mean: carabinieri?" in out
    code, out, _ = run_cli("search", "carabinierri", "--json", "--index", str(real_index))
    assert json.loads(out)["suggestion"] == "carabinieri"
    code, out, _ = run_cli("search", "carabinieri", "--json", "--index", str(real_index))
    assert json.loads(out)["suggestion"] is None


def test_cli_says_which_command_a_typo_meant(run_cli, real_index):
    code, out, err = run_cli("serch", "carabinieri", "--index", str(real_index))
    assert code == 0 and "Did you mean the command 'search'?" in err
    code, out, err = run_cli("shwo", "x", "--index", str(real_index))
    assert "Did you mean the command 'show'?" in err
    code, out, err = run_cli("serie", "--index", str(real_index))  # a real word one typo from "serve": no hint
    assert "Did you mean the command" not in err


def test_a_suggestion_must_find_articles_under_the_exclusions_and_dates_too(seed_engine):
    assert seed_engine.search("Poutinne").suggestion == "Poutine"
    # Its articles are the ones left out, or outside the range: offering it would lead to nothing.
    assert seed_engine.search("Poutinne", exclude={"person": ["Vladimir Putin"]}).suggestion is None
    assert seed_engine.search("Poutinne", since="2090").suggestion is None


def test_an_update_writes_the_same_spelling_table_as_a_fresh_build(tmp_path):
    """The table an update derives from the last one's deletes and its kept segment vocabularies equals the
    table computed from nothing, for the words, their counts and every (delete, word) pair."""
    import shutil

    import numpy as np

    from index import build_index
    from index.spelling import SPELLING_DIR, build_spelling
    from index.store import current_generation
    from index.writer import _mapped_reader
    from tests.conftest import REAL_CORPORA

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with open(REAL_CORPORA / "news_it_dice_crime_NC.jsonl", encoding="utf-8") as source:
        lines = [line for _, line in zip(range(300), source)]
    (corpus / "a.jsonl").write_text("".join(lines[:150]), encoding="utf-8")
    (corpus / "b.jsonl").write_text("".join(lines[150:250]), encoding="utf-8")
    build_index(corpus, tmp_path / "index")
    (corpus / "b.jsonl").write_text("".join(lines[150:200] + lines[250:]), encoding="utf-8")  # 50 out, 50 new
    (corpus / "c.jsonl").write_text('{"id": "x", "title": "Zzyzx", "text": "Parola nuovissima: quokkarium."}\n',
                                    encoding="utf-8")
    build_index(corpus, tmp_path / "index")
    folder = current_generation(tmp_path / "index").path
    updated = load_spelling(folder)
    with _mapped_reader(folder) as reader:  # each segment's vocabulary is kept, for the next update
        kept = {f"{segment.segment().segment_id()}.npz" for segment in reader.readers}
    assert kept == {path.name for path in (folder / SPELLING_DIR / "segments").iterdir()} and len(kept) >= 2
    assert "quokkarium" in {updated.word(i) for i in range(len(updated.documents))}

    fresh = tmp_path / "fresh"
    shutil.copytree(folder, fresh)
    shutil.rmtree(fresh / SPELLING_DIR)
    with _mapped_reader(fresh) as reader:
        build_spelling(fresh, reader)
    scratch = load_spelling(fresh)
    assert [updated.word(i) for i in range(len(updated.documents))] == [scratch.word(i) for i in range(len(scratch.documents))]
    assert np.array_equal(updated.documents, scratch.documents)
    pairs = lambda table: sorted(zip(table.keys.tolist(), table.entries.tolist()))  # noqa: E731
    assert pairs(updated) == pairs(scratch)
