"""TNews and IFLYTEK: CLUE's zips with PaddleNLP's published MD5s, via the asset cache, unpacked safely.

Stand-in zips in the real ones' layout (``tnews_public/{split}.json`` and
``iflytek_public/{split}.json``, JSON lines with ``label``/``sentence``, an unlabelled
test split) are served from 127.0.0.1 with the MD5s pointed at them per test; the
registered defaults stay the public URLs and MD5s.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

import hubcore
import hubcore.compat as hub
from hubcore import Asset, HubcoreError
from hubcore.finetune.data import clue as _clue_sets
from hubcore.finetune.data.paddle_archives import TsvArchive

PUBLIC = {  # PaddleNLP's paddlenlp/datasets/clue.py
    "tnews": (
        "https://storage.googleapis.com/cluebenchmark/tasks/tnews_public.zip",
        "587171233c8e8db00a3dc9bae5d2b47d",
    ),
    "iflytek": (
        "https://storage.googleapis.com/cluebenchmark/tasks/iflytek_public.zip",
        "19e4b19947db126f69aae18db0da2b87",
    ),
}
ROWS = {  # written for this test, in CLUE's shape
    "train": [
        {"label": "102", "label_desc": "news_entertainment", "sentence": "新电影周末上映，票房火爆"},
        {"label": "103", "label_desc": "news_sports", "sentence": "主队在加时赛中取胜"},
    ],
    "dev": [{"label": "104", "label_desc": "news_finance", "sentence": "央行宣布下调利率"}],
    "test": [{"id": 0, "sentence": "新款手机今天发布"}],
}


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _texts(rows: dict[str, list[dict[str, Any]]]) -> dict[str, bytes]:
    return {
        s: "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rs).encode() for s, rs in rows.items()
    }


def _zip(folder: str, texts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for split, data in texts.items():
            bundle.writestr(f"{folder}/{split}.json", data)
        bundle.writestr(f"{folder}/labels.json", b'{"label": "100", "label_desc": "news_story"}\n')
    return buffer.getvalue()


def test_both_are_registered_with_the_public_urls_and_md5s() -> None:
    datasets = hubcore.get_registry().components["dataset"]
    for name, (url, md5) in PUBLIC.items():
        assert [(a.urls, a.md5) for a in datasets[name].assets] == [((url,), md5)]
    assert hub.dataset.TNews is _clue_sets.TNews and hub.dataset.IFLYTEK is _clue_sets.IFLYTEK
    assert len(_clue_sets.TNews.labels) == 15 and len(_clue_sets.IFLYTEK.labels) == 119


def test_tnews_downloads_through_the_cache_and_reads_json_lines(
    asset_server: Any, hub_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = _texts(ROWS)
    data = _zip("tnews_public", texts)
    asset = Asset("tnews_public.zip", "", 0, (asset_server.serve("tnews_public.zip", data),), md5=_md5(data))
    md5s = {split: _md5(text) for split, text in texts.items()}
    monkeypatch.setattr(_clue_sets, "TNEWS_FILES", TsvArchive("tnews", "TNews", asset, md5s, suffix=".json"))
    dataset = hub.dataset.TNews()
    assert [(e.text_a, e.label) for e in dataset.get_train_examples()] == [
        (r["sentence"], r["label"]) for r in ROWS["train"]
    ]
    assert [(e.guid, e.label) for e in dataset.get_test_examples()] == [("0", None)]
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    assert hub.dataset.TNews().get_dev_examples()[0].label == "104"
    assert len(asset_server.requests("tnews_public.zip")) == 1


def test_iflytek_checks_labels_and_file_md5s(
    hub_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    rows = {
        s: [dict(r, label=str(n)) if "label" in r else r for n, r in enumerate(rs)] for s, rs in ROWS.items()
    }
    texts = _texts(rows)
    archive = tmp_path / "iflytek_public.zip"
    archive.write_bytes(_zip("iflytek_public", texts))
    asset = Asset("iflytek_public.zip", "", 0, ("x",), md5=_md5(archive.read_bytes()))
    edited = {split: _md5(text) for split, text in texts.items()} | {"dev": "0" * 32}
    monkeypatch.setattr(
        _clue_sets, "IFLYTEK_FILES", TsvArchive("iflytek", "IFLYTEK", asset, edited, suffix=".json")
    )
    with pytest.raises(HubcoreError, match=r"dev\.json: md5 .* differs from IFLYTEK's published"):
        hub.dataset.IFLYTEK(data_dir=archive)
    md5s = {split: _md5(text) for split, text in texts.items()}
    monkeypatch.setattr(
        _clue_sets, "IFLYTEK_FILES", TsvArchive("iflytek", "IFLYTEK", asset, md5s, suffix=".json")
    )
    assert [e.label for e in hub.dataset.IFLYTEK(data_dir=archive).get_train_examples()] == ["0", "1"]
    bad = tmp_path / "bad" / "iflytek"
    bad.mkdir(parents=True)
    for split, text in texts.items():
        (bad / f"{split}.json").write_bytes(text)
    (bad / "train.json").write_text('{"label": "500", "sentence": "不在列表中"}\n', encoding="utf-8")
    with pytest.raises(HubcoreError, match=r"train\.json, line 1: label '500' is not in the label list"):
        hub.dataset.IFLYTEK(data_dir=bad.parent, verify=False).get_train_examples()
