"""NLPCC-DBQA and BQ: PaddleNLP's zip URLs with their published MD5s, via the asset cache, unpacked safely.

Stand-in zips in the real ones' layout (``nlpcc-dbqa/nlpcc-dbqa/{split}.tsv`` with a
``qid text_a text_b label`` header; ``bq_corpus/bq_corpus/{split}.tsv`` without one) are
served from 127.0.0.1, with the archive's and files' MD5s pointed at them per test; the
registered defaults stay the public URLs and MD5s.
"""

from __future__ import annotations

import hashlib
import io
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest

import hubcore
import hubcore.compat as hub
from hubcore import Asset, HubcoreError
from hubcore.finetune.data import pairs as _pair_sets
from hubcore.finetune.data.paddle_archives import TsvArchive

PUBLIC = {  # PaddleNLP's paddlenlp/datasets/nlpcc_dbqa.py and bq_corpus.py
    "nlpcc_dbqa": (
        "https://bj.bcebos.com/paddlenlp/datasets/nlpcc-dbqa.zip",
        "a5f69c2462136ef4d1707e4e2551a57b",
    ),
    "bq": ("https://bj.bcebos.com/paddlenlp/datasets/bq_corpus.zip", "abe6c480b96cb705b4d24bd522848009"),
}
DBQA = {  # rows written for this test, in NLPCC-DBQA's shape
    "train": [("1", "长城有多长", "长城全长两万多公里。", "1"), ("1", "长城有多长", "长城是世界遗产。", "0")],
    "dev": [("2", "黄河流入哪里", "黄河注入渤海。", "1")],
    "test": [("3", "熊猫吃什么", "熊猫主要吃竹子。", "1")],
}
BQ_ROWS = {
    "train": [("怎么开通网银", "网银如何开通", "1"), ("贷款利息多少", "信用卡怎么注销", "0")],
    "dev": [("还款日是哪天", "哪天还款", "1")],
    "test": [("额度能提高吗", "怎么提升额度", "1")],
}


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _texts(rows: dict[str, list[tuple[str, ...]]], header: str = "") -> dict[str, bytes]:
    return {s: (header + "".join("\t".join(r) + "\n" for r in rs)).encode() for s, rs in rows.items()}


def _zip(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            bundle.writestr(info, target)
    return buffer.getvalue()


def _point(
    monkeypatch: pytest.MonkeyPatch,
    attr: str,
    name: str,
    title: str,
    url: str,
    data: bytes,
    texts: dict[str, bytes],
) -> None:
    asset = Asset(f"{name}.zip", "", 0, (url,), md5=_md5(data))
    md5s = {split: _md5(text) for split, text in texts.items()}
    monkeypatch.setattr(_pair_sets, attr, TsvArchive(name, title, asset, md5s))


def test_both_are_registered_with_paddlenlps_public_urls_and_md5s() -> None:
    datasets = hubcore.get_registry().components["dataset"]
    for name, (url, md5) in PUBLIC.items():
        assert [(a.urls, a.md5) for a in datasets[name].assets] == [((url,), md5)]
    assert hub.dataset.NLPCC_DBQA is _pair_sets.NLPCCDBQA and hub.dataset.BQ is _pair_sets.BQ


def test_nlpcc_dbqa_downloads_through_the_cache_and_reads_its_layout(
    asset_server: Any, hub_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = _texts(DBQA, "qid\ttext_a\ttext_b\tlabel\n")
    data = _zip({f"nlpcc-dbqa/nlpcc-dbqa/{split}.tsv": text for split, text in texts.items()})
    url = asset_server.serve("nlpcc-dbqa.zip", data)
    _point(monkeypatch, "NLPCC_DBQA_FILES", "nlpcc_dbqa", "NLPCC-DBQA", url, data, texts)
    dataset = hub.dataset.NLPCC_DBQA()
    rows = [(e.guid, e.text_a, e.text_b, e.label) for e in dataset.get_train_examples()]
    assert rows == DBQA["train"] and dataset.get_labels() == ["0", "1"]
    assert (hub_home / "assets" / hashlib.sha256(data).hexdigest() / "nlpcc_dbqa.zip").read_bytes() == data
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")  # the unpacked, verified files serve from now on
    assert [e.text_b for e in hub.dataset.NLPCC_DBQA().get_test_examples()] == ["熊猫主要吃竹子。"]
    assert len(asset_server.requests("nlpcc-dbqa.zip")) == 1


def test_bq_reads_its_zip_and_refuses_links_and_escapes(
    hub_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    texts = _texts(BQ_ROWS)
    good = tmp_path / "bq_corpus.zip"
    good.write_bytes(_zip({f"bq_corpus/bq_corpus/{split}.tsv": text for split, text in texts.items()}))
    _point(monkeypatch, "BQ_FILES", "bq", "BQ", "x", good.read_bytes(), texts)
    assert [
        (e.text_a, e.text_b, e.label) for e in hub.dataset.BQ(data_dir=good).get_dev_examples()
    ] == BQ_ROWS["dev"]
    for bad, message in (
        (
            _zip({"bq/dev.tsv": texts["dev"], "bq/test.tsv": texts["test"]}, {"bq/train.tsv": "/etc/passwd"}),
            "is a link",
        ),
        (
            _zip({"../train.tsv": texts["train"], "dev.tsv": texts["dev"], "test.tsv": texts["test"]}),
            "points outside",
        ),
    ):
        archive = tmp_path / "bad.zip"
        archive.write_bytes(bad)
        _point(monkeypatch, "BQ_FILES", "bq", "BQ", "x", bad, texts)
        with pytest.raises(HubcoreError, match=message):
            hub.dataset.BQ(data_dir=archive)
    assert [e.label for e in hub.dataset.BQ(data_dir=hub_home / "datasets" / "bq").get_train_examples()] == [
        "1",
        "0",
    ]


def test_offline_says_how_to_provide_each(hub_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    for cls, (url, md5) in ((hub.dataset.NLPCC_DBQA, PUBLIC["nlpcc_dbqa"]), (hub.dataset.BQ, PUBLIC["bq"])):
        with pytest.raises(HubcoreError) as caught:
            cls()
        message = str(caught.value)
        assert " is not available: " in message and "\n" not in message
        assert url in message and md5 in message and "data_dir=PATH" in message
