"""XNLI (zh): PaddleNLP's two zips with their published MD5s, via the asset cache, one language unpacked.

Stand-in zips in the real ones' layout are served from 127.0.0.1 (``XNLI-MT-1.0/multinli/
multinli.train.{lang}.tsv`` with a ``premise hypo label`` header; ``XNLI-1.0/xnli.{dev,test}.tsv``
with every language in one file), with the MD5s pointed at them per test; the registered
defaults stay the public URLs and MD5s.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

import hubcore
import hubcore.compat as hub
from hubcore import Asset, HubcoreError
from hubcore.finetune.data import xnli as _xnli

PUBLIC = [  # PaddleNLP's paddlenlp/datasets/xnli.py
    (("https://bj.bcebos.com/paddlenlp/datasets/XNLI-MT-1.0.zip",), "fa3d8d6c3d1866cedc45680ba93c296e"),
    (("https://bj.bcebos.com/paddlenlp/datasets/XNLI-1.0.zip",), "53393158739ec671c34f205efc7d1666"),
]
TRAIN = "premise\thypo\tlabel\n他在看书\t他在阅读\tentailment\n天在下雨\t天气晴朗\tcontradictory\n"
EVAL_HEADER = "language\tgold_label\tsentence1_binary_parse\tsentence1\tsentence2\tpairID\n"
EVAL = (
    EVAL_HEADER + "en\tneutral\t( x )\tHe runs\tHe is fast\t1\nzh\tneutral\t( x )\t他在跑步\t他跑得很快\t1\n"
)


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in members.items():
            bundle.writestr(name, text.encode())
    return buffer.getvalue()


def test_xnli_is_registered_with_paddlenlps_urls_and_md5s() -> None:
    spec = hubcore.get_registry().components["dataset"]["xnli"]
    assert [(a.urls, a.md5) for a in spec.assets] == PUBLIC and hub.dataset.XNLI is _xnli.XNLI
    with pytest.raises(HubcoreError, match="XNLI has no language 'xx'"):
        hub.dataset.XNLI(language="xx")


def test_xnli_zh_comes_through_the_cache_one_language_only(
    asset_server: Any, hub_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    with pytest.raises(HubcoreError, match=r"XNLI is not available: .*XNLI-MT-1\.0\.zip \(md5 fa3d8d6c"):
        hub.dataset.XNLI()
    monkeypatch.delenv("HUBCORE_OFFLINE")
    train = _zip(
        {
            "XNLI-MT-1.0/multinli/multinli.train.zh.tsv": TRAIN,
            "XNLI-MT-1.0/multinli/multinli.train.en.tsv": TRAIN,
        }
    )
    evals = _zip({"XNLI-1.0/xnli.dev.tsv": EVAL, "XNLI-1.0/xnli.test.tsv": EVAL})
    archives = {
        "train": Asset(
            "XNLI-MT-1.0.zip", "", 0, (asset_server.serve("XNLI-MT-1.0.zip", train),), md5=_md5(train)
        ),
        "eval": Asset("XNLI-1.0.zip", "", 0, (asset_server.serve("XNLI-1.0.zip", evals),), md5=_md5(evals)),
    }
    monkeypatch.setattr(_xnli, "ARCHIVES", archives)
    monkeypatch.setattr(_xnli, "EVAL_MD5", {name: _md5(EVAL.encode()) for name in _xnli.EVAL_MD5})
    dataset = hub.dataset.XNLI(language="zh")
    assert [(e.text_a, e.text_b, e.label) for e in dataset.get_train_examples()] == [
        ("他在看书", "他在阅读", "entailment"),
        ("天在下雨", "天气晴朗", "contradiction"),
    ]
    assert [(e.text_a, e.label) for e in dataset.get_dev_examples()] == [("他在跑步", "neutral")]
    assert sorted(p.name for p in (hub_home / "datasets" / "xnli_zh").iterdir()) == [
        "multinli.train.zh.tsv",
        "xnli.dev.tsv",
        "xnli.test.tsv",
    ]
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")  # verified files serve from now on
    assert hub.dataset.XNLI().num_labels == 3
    monkeypatch.setattr(_xnli, "EVAL_MD5", {name: "0" * 32 for name in _xnli.EVAL_MD5})
    monkeypatch.delenv("HUBCORE_OFFLINE")
    with pytest.raises(HubcoreError, match="differs from the MD5 PaddleNLP publishes"):
        hub.dataset.XNLI()
