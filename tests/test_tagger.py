"""The statistical name tagger: the shipped model finds unseen names in any language, safely and reproducibly."""
from __future__ import annotations

from pathlib import Path

import pytest

from index.knowledge import load_knowledge
from index.tagger import (DEFAULT_MODEL, LABELS, FeatureConfig, Featurizer, bio_spans, gazetteer, load_tagger,
                          open_tagger, tag, tag_spans, tokenize)
from index.train_tagger import TrainConfig, read_conll, split, train_model


def names(text: str) -> dict[str, str]:
    return {text[start:end]: label for start, end, label in tag(text)}


def assert_valid_spans(text: str, spans: list[tuple[int, int, str]]) -> None:
    previous_end = 0
    for start, end, label in spans:
        assert label in LABELS
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip() and text[start:end]
        previous_end = end


# --- the shipped model ----------------------------------------------------------------------------------


def test_shipped_model_and_its_configuration_are_there():
    assert DEFAULT_MODEL.exists() and DEFAULT_MODEL.with_suffix(".json").exists()
    assert DEFAULT_MODEL.stat().st_size < 2_000_000
    assert load_tagger() is load_tagger()  # loaded once per process


@pytest.mark.parametrize("text, person", [
    ("Ieri il sindaco Marco Ferretti ha incontrato i giornalisti nella sala del consiglio.", "Marco Ferretti"),
    ("Hier, le maire Jean-Luc Morvan a rencontré les habitants du quartier.", "Jean-Luc Morvan"),
    ("I går träffade kommunalrådet Karin Lindqvist föräldrarna på skolan.", "Karin Lindqvist"),
])
def test_finds_a_person_the_knowledge_base_does_not_know(text, person):
    surname = person.split()[-1].lower()
    assert (surname,) not in load_knowledge().aliases  # unseen: only the model can find them
    assert names(text).get(person) == "PER"


def test_finds_places_and_organizations_too():
    found = names("La ministre Élodie Charpentier a annoncé à Rennes que la Banque de France publiera ses chiffres.")
    assert found.get("Élodie Charpentier") == "PER"
    assert found.get("Rennes") == "LOC"
    assert found.get("Banque de France") == "ORG"


def test_spans_are_character_offsets_into_the_text():
    text = "Secondo la Procura di Modena, Giulia Bernardini è stata vista a Bologna.\n\nEnligt Anders Bergström."
    spans = tag(text)
    assert_valid_spans(text, spans)
    assert {text[s:e] for s, e, _ in spans} >= {"Giulia Bernardini", "Anders Bergström"}


def test_scored_spans_are_the_tagged_spans_with_a_confidence():
    text = "Secondo la Procura di Modena, Giulia Bernardini è stata vista a Bologna.\n\nEnligt Anders Bergström."
    spans = tag_spans(text, "it")
    assert [(s.start, s.end, s.label) for s in spans] == tag(text, "it")
    assert all(0.0 < s.score <= 1.0 for s in spans)
    # A name the model knows from its context is surer than one it guesses at.
    sure = next(s for s in spans if text[s.start : s.end] == "Giulia Bernardini")
    assert sure.score > 0.9


@pytest.mark.parametrize("text", [
    "",
    " \n\t ",
    "...!?;;--''’’",
    "🙂🙂 Marco 🇮🇹 Ferretti 👍🏽 a 🏛️ Roma",
    "Zoë Ångström-Éclair ㅤ 北京 Москва Владимир Путин مرحبا Ω \u200d\u0301e\u0301 Ǆ ﬁ",
    "A" * 5_000,
    "l'" * 1_000 + "L'Aquila",
    ("Il sindaco Marco Ferretti parla. " * 3_100)[:100_000],
    "parola " * 15_000,  # one 100,000-character sentence without capitals
])
def test_odd_input_gives_valid_spans(text):
    assert_valid_spans(text, tag(text))


# --- tokens and labels ----------------------------------------------------------------------------------


def test_tokens_split_elisions_but_keep_names_with_apostrophes_and_hyphens():
    assert [t for t, _, _ in tokenize("dell'Emilia, L'Aquila, qu’il, D'Alema, O'Brien, Jean-Luc, 46.000!")] == [
        "dell'", "Emilia", ",", "L'", "Aquila", ",", "qu’", "il", ",", "D'Alema", ",", "O'Brien", ",", "Jean-Luc",
        ",", "46", ".", "000", "!"]


def test_bio_spans_open_a_span_at_a_stray_inside_tag():
    assert bio_spans(["B-PER", "I-PER", "O", "I-LOC", "B-ORG", "I-ORG", "I-PER"]) == [
        (0, 2, "PER"), (3, 4, "LOC"), (4, 6, "ORG"), (6, 7, "PER")]


def test_gazetteer_features_read_the_knowledge_base_it_is_given(tmp_path):
    import shutil

    from index.knowledge import DATA_DIR

    folder = tmp_path / "kb"
    folder.mkdir()
    shutil.copy(DATA_DIR / "countries.json", folder / "countries.json")
    (folder / "entities.txt").write_text("first | Zebediah\norg | Acme Widgets | - | | |\n", encoding="utf-8")
    featurizer = Featurizer(FeatureConfig(), gazetteer(load_knowledge(folder)))
    words = ["ieri", "Zebediah", "Acme", "Widgets"]
    features = featurizer.features(words, [True, False, False, False], 0, 4)
    assert "g" in features[1] and "-1:g" in features[2]
    assert "of" in features[2] and "oi" in features[3]
    plain = Featurizer(FeatureConfig(), gazetteer(load_knowledge())).features(words, [True, False, False, False], 0, 4)
    assert "g" not in plain[1]


# --- training -------------------------------------------------------------------------------------------

TINY_CORPUS = """\
Ieri\tO
il\tO
sindaco\tO
Paolo\tB-PER
Verdi\tI-PER
ha\tO
visitato\tO
Genova\tB-LOC
.\tO

La\tO
Banca\tB-ORG
Popolare\tI-ORG
di\tI-ORG
Lodi\tI-ORG
ha\tO
assunto\tO
Laura\tB-PER
Neri\tI-PER
.\tO

I\tO
går\tO
besökte\tO
Eva\tB-PER
Holm\tI-PER
Uppsala\tB-LOC
.\tO

Enligt\tO
Skatteverket\tB-ORG
har\tO
Lars\tB-PER
Berg\tI-PER
flyttat\tO
till\tO
Malmö\tB-LOC
.\tO
"""


def test_training_is_reproducible_and_the_model_tags(tmp_path):
    corpus = tmp_path / "tiny.conll"
    corpus.write_text("\n".join([TINY_CORPUS] * 3), encoding="utf-8")
    sentences = read_conll(corpus)
    assert len(sentences) == 12
    train, held = split(sentences)
    assert len(train) == 10 and len(held) == 2
    small = TrainConfig(max_iterations=30, min_freq=1, c1=0.05)
    models = []
    for name in ("a", "b"):
        path = tmp_path / name / "tagger.crfsuite"
        stats = train_model([(sentences, "it")], FeatureConfig(), small, path)
        assert stats["sequences"] > 0 and path.with_suffix(".json").exists()
        models.append(path)
    assert models[0].read_bytes() == models[1].read_bytes()
    tagger = open_tagger(models[0])
    text = "Ieri il sindaco Paolo Verdi ha visitato Genova."
    spans = tagger.tag(text)
    assert_valid_spans(text, spans)
    assert (text.index("Paolo"), text.index(" ha"), "PER") in spans


def test_feature_configuration_travels_with_the_model(tmp_path):
    corpus = tmp_path / "tiny.conll"
    corpus.write_text(TINY_CORPUS, encoding="utf-8")
    config = FeatureConfig(lexical="none", affixes=False, radius=2, initial_anchors="all")
    path = tmp_path / "m.crfsuite"
    train_model([(read_conll(corpus), "sv")], config, TrainConfig(max_iterations=5, min_freq=1), path)
    assert open_tagger(Path(path)).config == config
