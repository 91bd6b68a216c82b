"""Bad input: a clear error naming what was wrong and where, or a warning when text is cut."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path
from typing import Any

import pytest
from hub_ernie._tokenizer import TextInputError, TruncationWarning, WordpieceTokenizer

import hubcore


def test_empty_text_is_refused_naming_its_index(ernie_tiny_module: Any) -> None:
    with pytest.raises(TextInputError, match=r"texts\[1\] is empty"):
        ernie_tiny_module.get_embedding(["很好", "   "])
    with pytest.raises(TextInputError, match=r"texts\[0\]\[1\] is empty"):
        ernie_tiny_module.get_embedding([["很好", ""]])
    with pytest.raises(TextInputError, match="text_a is empty"):
        ernie_tiny_module.context().tokenizer.encode("", max_seq_len=16)


def test_text_longer_than_max_seq_len_is_truncated_and_said_so(ernie_tiny_module: Any) -> None:
    long_text = "这本书很好看" * 20
    with pytest.warns(TruncationWarning, match=r"1 of 2 texts .*max_seq_len=16.*texts\[1\]"):
        (_, short), (_, cut) = ernie_tiny_module.get_embedding(["好书", long_text], max_seq_len=16)
    assert len(short) == 4 and len(cut) == 16


def test_the_tokenizer_warns_once_then_counts_truncations(ernie_tiny_dir: Path) -> None:
    tokenizer = WordpieceTokenizer.from_directory(ernie_tiny_dir)
    long_text = "这本书很好看" * 20
    with pytest.warns(TruncationWarning, match="a text of 129 tokens was truncated to max_seq_len=20"):
        features = tokenizer.encode(long_text, "还行" * 3, max_seq_len=20)
    assert len(features["input_ids"]) == 20
    assert features["token_type_ids"].count(1) == 7  # the short second text is kept whole, plus [SEP]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a second warning would fail here
        features, positions = tokenizer.encode_tokens(list(long_text), max_seq_len=10)
    assert positions == [-1, *range(8), -1]
    assert tokenizer.truncated == 2


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        ([["一", "二", "三"]], r"texts\[0\] must be a text or a \[text_a, text_b\] pair, got 3 parts"),
        (["好", []], r"texts\[1\] must be a text or a \[text_a, text_b\] pair, got 0 parts"),
        (["好", 3], r"texts\[1\] must be a text or a \[text_a, text_b\] pair, got int"),
        ("一句话", r"texts must be a list"),
    ],
)
def test_items_of_the_wrong_arity_or_type_are_refused(
    ernie_tiny_module: Any, texts: Any, message: str
) -> None:
    with pytest.raises(TextInputError, match=message):
        ernie_tiny_module.get_embedding(texts)


def test_max_seq_len_beyond_the_checkpoint_is_refused(ernie_tiny_module: Any) -> None:
    with pytest.raises(TextInputError, match=r"between 3 and 128 .* got 129"):
        ernie_tiny_module.context(max_seq_len=129)


def test_directory_without_a_config_is_refused(tmp_path: Path, ernie_tiny_dir: Path) -> None:
    broken = tmp_path / "no-config"
    shutil.copytree(ernie_tiny_dir, broken)
    (broken / "config.json").unlink()
    with pytest.raises(hubcore.HubcoreError, match=r"no-config has no config\.json"):
        hubcore.Module("ernie", directory=broken)
    with pytest.raises(hubcore.HubcoreError, match="does not exist"):
        hubcore.Module("ernie", directory=tmp_path / "missing")


def test_broken_checkpoint_files_are_named(tmp_path: Path, ernie_tiny_dir: Path) -> None:
    folder = tmp_path / "ckpt"
    shutil.copytree(ernie_tiny_dir, folder)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))

    (folder / "config.json").write_text('{\n  "model_type": "ernie",\n  oops\n}', encoding="utf-8")
    with pytest.raises(hubcore.HubcoreError, match=r"config\.json, line 3: not valid JSON"):
        hubcore.Module("ernie", directory=folder)

    (folder / "config.json").write_text(json.dumps({**config, "model_type": "gpt2"}), encoding="utf-8")
    with pytest.raises(hubcore.HubcoreError, match="field 'model_type' is 'gpt2'"):
        hubcore.Module("ernie", directory=folder)

    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    (folder / "vocab.txt").unlink()
    with pytest.raises(hubcore.HubcoreError, match="has no vocabulary"):
        hubcore.Module("ernie", directory=folder)

    (folder / "model.safetensors").unlink()
    with pytest.raises(hubcore.HubcoreError, match="has no weights"):
        hubcore.Module("ernie", directory=folder)


def test_offline_without_a_local_copy_fails_at_once_saying_how_to_provide_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    with pytest.raises(hubcore.HubcoreError) as caught:
        hubcore.Module("ernie-3.0-nano-zh")
    message = str(caught.value)
    assert "nghuyong/ernie-3.0-nano-zh" in message
    assert "directory=PATH" in message and "offline" in message
