"""LCQMC: PaddleHub's archive URL with its published MD5s, through the asset cache, unpacked safely.

A stand-in archive in the real one's layout (``lcqmc/{train,dev,test}.tsv``, a header row,
then ``text_a<TAB>text_b<TAB>label``) is served from 127.0.0.1, with the archive's and
files' MD5s pointed at it per test; the registered default stays the public URL and MD5.
The header's column names are not known from PaddleHub's or PaddleNLP's source (both skip
the row), so the reader does not rely on them.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path
from typing import Any

import pytest

import hubcore
import hubcore.compat as hub
from hubcore import Asset, HubcoreError
from hubcore.finetune.data import lcqmc as _lcqmc
from hubcore.finetune.data.paddle_archives import TsvArchive

PUBLIC_URL = "https://bj.bcebos.com/paddlehub-dataset/lcqmc.tar.gz"
PUBLIC_MD5 = "62a7ba36f786a82ae59bbde0b0a9af0c"
HEADER = "text_a\ttext_b\tlabel\n"
PAIRS = {  # pairs written for this test, in LCQMC's shape
    "train": [
        ("今天北京会下雨吗", "北京今天下雨吗", "1"),
        ("怎么煮米饭好吃", "米饭怎么煮才好吃", "1"),
        ("这本书多少钱", "这部电影好看吗", "0"),
        ("手机充不进电怎么办", "手机充电充不进去怎么办", "1"),
        ("哪里可以买到火车票", "猫为什么喜欢晒太阳", "0"),
        ("学英语有什么好方法", "有什么学英语的好方法", "1"),
        ("周末去哪里玩好", "周末适合去哪里玩", "1"),
        ("电脑开机很慢", "西瓜怎么挑选", "0"),
    ],
    "dev": [("明天几点开会", "明天开会是几点", "1"), ("怎么养绿萝", "跑步鞋怎么选", "0")],
    "test": [("咖啡喝多了好吗", "茶叶怎么泡", "0"), ("附近有银行吗", "这附近有没有银行", "1")],
}


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _texts() -> dict[str, bytes]:
    return {
        s: (HEADER + "".join("\t".join(row) + "\n" for row in rows)).encode() for s, rows in PAIRS.items()
    }


def _tar(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return buffer.getvalue()


def _serve(asset_server: Any, monkeypatch: pytest.MonkeyPatch, data: bytes) -> Asset:
    url = asset_server.serve("lcqmc.tar.gz", data)
    asset = Asset("lcqmc.tar.gz", "", 0, (url,), md5=_md5(data))
    md5s = {split: _md5(text) for split, text in _texts().items()}
    monkeypatch.setattr(_lcqmc, "ARCHIVE", TsvArchive("lcqmc", "LCQMC", asset, md5s))
    return asset


def test_lcqmc_is_registered_with_the_public_url_and_md5() -> None:
    spec = hubcore.get_registry().components["dataset"]["lcqmc"]
    assert [(a.urls, a.md5) for a in spec.assets] == [((PUBLIC_URL,), PUBLIC_MD5)]
    assert _lcqmc.ARCHIVE.asset.md5 == PUBLIC_MD5 and hub.dataset.LCQMC is _lcqmc.LCQMC


def test_lcqmc_downloads_through_the_cache_and_reads_pairs(
    asset_server: Any, hub_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _tar({f"lcqmc/{split}.tsv": text for split, text in _texts().items()})
    _serve(asset_server, monkeypatch, data)
    dataset = hub.dataset.LCQMC()
    rows = [(e.text_a, e.text_b, e.label) for e in dataset.get_train_examples()]
    assert rows == PAIRS["train"] and dataset.num_labels == 2
    assert (hub_home / "assets" / hashlib.sha256(data).hexdigest() / "lcqmc.tar.gz").read_bytes() == data
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")  # the unpacked, verified files serve from now on
    assert [(e.text_a, e.label) for e in hub.dataset.LCQMC().get_test_examples()] == [
        (a, label) for a, _, label in PAIRS["test"]
    ]
    assert len(asset_server.requests("lcqmc.tar.gz")) == 1


def test_lcqmc_refuses_links_and_edited_files(
    asset_server: Any, hub_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    texts = _texts()
    linked = _tar(
        {"lcqmc/dev.tsv": texts["dev"], "lcqmc/test.tsv": texts["test"]}, {"lcqmc/train.tsv": "/etc/passwd"}
    )
    _serve(asset_server, monkeypatch, linked)
    with pytest.raises(HubcoreError, match=r"train\.tsv is not a regular file"):
        hub.dataset.LCQMC()
    edited = dict(texts, train=texts["train"] + "多\t一行\t1\n".encode())
    archive = tmp_path / "lcqmc.tar.gz"
    archive.write_bytes(_tar({f"lcqmc/{split}.tsv": text for split, text in edited.items()}))
    monkeypatch.setattr(_lcqmc, "ARCHIVE", _lcqmc.ARCHIVE.__class__(
        "lcqmc", "LCQMC", Asset("lcqmc.tar.gz", "", 0, ("x",), md5=_md5(archive.read_bytes())),
        {split: _md5(text) for split, text in texts.items()},
    ))  # fmt: skip
    with pytest.raises(HubcoreError, match=r"train\.tsv: md5 .* differs from LCQMC's published"):
        hub.dataset.LCQMC(data_dir=archive)
    assert not (hub_home / "datasets" / "lcqmc").exists()  # nothing half-unpacked


def test_lcqmc_offline_says_how_to_provide_it(hub_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    with pytest.raises(HubcoreError) as caught:
        hub.dataset.LCQMC()
    message = str(caught.value)
    assert message.startswith("LCQMC is not available: ") and "\n" not in message
    assert PUBLIC_URL in message and PUBLIC_MD5 in message and "data_dir=PATH" in message


@pytest.mark.slow
def test_pointwise_matching_fine_tunes_on_lcqmc_pairs(
    asset_server: Any, hub_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _serve(asset_server, monkeypatch, _tar({f"lcqmc/{s}.tsv": t for s, t in _texts().items()}))
    module = hub.Module(name="lac")
    _, outputs, _ = module.context(trainable=True, max_seq_len=32)
    dataset = hub.dataset.LCQMC()
    reader = hub.reader.ClassifyReader(dataset=dataset, max_seq_len=32)
    config = hub.RunConfig(num_epoch=1, batch_size=4, checkpoint_dir=tmp_path / "ck", progress=False)
    task = hub.TextClassifierTask(
        data_reader=reader, feature=outputs["pooled_output"], num_classes=dataset.num_labels, config=config
    )
    summary = task.finetune_and_eval()
    assert task.state.step == 2 and set(summary["test"]) >= {"acc", "f1", "loss"}
    features = task.task.encoded("train")[0]["input_ids"]
    first, second = PAIRS["train"][0][:2]
    assert len(features) == min(32, len(first) + len(second))  # both texts of the pair are read
    assert task.predict(data=[list(PAIRS["test"][0][:2])], return_result=True)[0] in ("0", "1")
