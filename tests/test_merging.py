"""One value per discovered entity: spellings of one unknown name merged, different people kept apart."""
from __future__ import annotations

import json
from collections import Counter

from conftest import write_corpus
from index import build_index
from index.merging import find_merges, skeleton
from search import open_engine


def merged(values: dict[str, int], known=(), given=(), kind="person") -> dict[str, str]:
    merges = find_merges({kind: Counter(values)}, {(kind, v) for v in known}, frozenset(given))
    return {m.variant: m.canonical for m in merges.merges}


def test_transliterations_share_a_skeleton():
    assert skeleton("Volodymyr Zelenskyj") == skeleton("Volodymyr Zelensky") == skeleton("Volodimir Zelenskij")
    assert skeleton("Sergueï Choïgou") != skeleton("Sergei Shoigu")  # French "ch" is left alone: Chen is not Shen
    assert skeleton("Kim Jong-un") == skeleton("Kim Jong Un")


def test_spellings_merge_into_the_most_frequent_or_the_known_one():
    assert merged({"Ivan Petrenkov": 3, "Ivan Petrenkow": 1, "Ivan Pettrenkov": 2}) == {
        "Ivan Petrenkow": "Ivan Petrenkov", "Ivan Pettrenkov": "Ivan Petrenkov"}  # w→v, tt→t: one skeleton
    assert merged({"Olga Sjöström": 5, "Olga Shöström": 1}) == {"Olga Shöström": "Olga Sjöström"}
    # A typo joins the group whose name it misses by one letter; the knowledge base's value names the group.
    assert merged({"Giuseppe Verdiani": 9, "Giuseppe Verdianni": 1, "Giuseppe Verdiami": 1}) == {
        "Giuseppe Verdianni": "Giuseppe Verdiani", "Giuseppe Verdiami": "Giuseppe Verdiani"}
    assert merged({"Volodymyr Zelenskyj": 7, "Volodymyr Zelensky": 2}, known={"Volodymyr Zelensky"}) == {
        "Volodymyr Zelenskyj": "Volodymyr Zelensky"}


def test_a_surname_alone_joins_the_one_person_named_in_full_with_it():
    assert merged({"Marco Bussetti": 3, "Bussetti": 2}) == {"Bussetti": "Marco Bussetti"}
    assert merged({"Marco Rossini": 1, "Anna Rossini": 1, "Rossini": 4}) == {}  # whose? unknowable
    assert merged({"Ivan Petrenkov": 3, "Ivan Petrenkow": 1, "Petrenkov": 1}) == {
        "Ivan Petrenkow": "Ivan Petrenkov", "Petrenkov": "Ivan Petrenkov"}  # one person in two spellings
    assert merged({"Marco Bussetti": 3, "Bussetti": 2}, known={"Bussetti"}) == {}


def test_different_people_stay_apart():
    assert merged({"Marco Rossini": 4, "Mario Rossini": 2}, given={"marco", "mario"}) == {}  # two given names
    assert merged({"Li Qiang": 3, "Li Keqiang": 2}, known={"Li Qiang", "Li Keqiang"}) == {}
    assert merged({"Anna Lind": 3, "Anna Lund": 2}) == {}  # too short to guess
    assert merged({"Carl Bildt": 3, "Karl Bildt": 1}) == {}  # other initials: the same man, but a curator says so
    # Near two groups at once: which one is unknowable.
    assert merged({"Eva Bergmund": 5, "Eva Berglend": 4, "Eva Berglund": 1}) == {}
    assert merged({"Maria Kowalska": 5, "Maria Kowalski": 4, "Jan Novakova": 2, "Jan Novakovo": 1}) == {}
    assert merged({"Luca Mazzini": 2, "Luca Masini": 3}) == {}  # both common: two families, not a typo
    assert merged({"Göran Pettersson": 2, "Göran Persson": 200}) == {}  # two edits in a short name
    assert merged({"ABB": 3, "AB": 3}, kind="org") == {}  # acronyms: a doubled letter is another one
    assert merged({"Skolverket": 4, "Skolwerket": 1}, kind="org") == {"Skolwerket": "Skolverket"}
    assert merged({"Banca Alfa Nord": 4, "Banca Alfa Nors": 1}, kind="org") == {}  # organizations: spelling only


def test_the_index_counts_filters_and_lists_merged_spellings(tmp_path, run_cli):
    corpus = write_corpus(tmp_path / "corpus", {
        "it.txt": "Sindaco in visita\nIl sindaco Bohdan Kravtsivskyj ha incontrato a Leopoli i cronisti italiani.",
        "fr.txt": "Visite du maire\nLe maire Bohdan Kravtsivsky a rencontré à Lviv la presse française hier.",
        "sv.txt": "Borgmästarens besök\nBorgmästaren Bohdan Kravtsivskyj träffade i Lviv svenska journalister i går.",
    })
    build_index(corpus, tmp_path / "index")
    with open_engine(tmp_path / "index") as engine:
        people = {v.value: v.count for v in engine.search("").facets["person"]}
        assert people == {"Bohdan Kravtsivskyj": 3}
        for spelling in ("Bohdan Kravtsivsky", "Bohdan Kravtsivskyj"):
            assert engine.search("", filters={"person": [spelling]}).total == 3
            assert engine.search(f'person:"{spelling}"').total == 3
        shown = [e for e in engine.show("fr.txt").entities if e.kind == "person"]
        assert [(e.value, [m[2] for m in e.mentions]) for e in shown] == [("Bohdan Kravtsivskyj", ["Bohdan Kravtsivsky"])]
        hit = engine.search('person:"Bohdan Kravtsivskyj"', filters={"lang": ["fr"]}).hits[0]
        assert "Bohdan Kravtsivsky" in "".join(f.text for f in hit.snippet if f.is_match)  # its mention is marked
    code, out, err = run_cli("entities", "--index", str(tmp_path / "index"), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert {"name": "Bohdan Kravtsivsky", "candidate": "Bohdan Kravtsivskyj", "articles": 1,
            "reason": "the same name in another spelling"} in report["merged"]
    text = run_cli("entities", "--index", str(tmp_path / "index"))[1]
    assert "'Bohdan Kravtsivsky' → 'Bohdan Kravtsivskyj' (1 articles; the same name in another spelling)" in text
