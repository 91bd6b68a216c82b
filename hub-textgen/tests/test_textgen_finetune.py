"""The language_model task: registered through the hooks, it lowers dev perplexity on real text,
saves the best model, and that model reloads (load_task and Module(directory=)) to the same outputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from hub_textgen.corpus import PyJokesDataset, TextCorpusDataset
from hub_textgen.task import LanguageModelReader, LanguageModelTask
from safetensors.torch import load_file

import hubcore
from hubcore import HubcoreError, RunConfig, load_component, load_task
from hubcore.finetune import AdamWeightDecayStrategy, DatasetFormatError


def test_components_are_registered_through_the_hooks() -> None:
    assert load_component("task", "language_model") is LanguageModelTask
    assert load_component("reader", "language_model") is LanguageModelReader
    dataset = load_component("dataset", "pyjokes_en")()
    sizes = {phase: len(dataset.get_examples(phase)) for phase in ("train", "dev", "test")}
    assert sizes["train"] > 200 and sizes["dev"] > 20 and sizes["test"] > 20
    train = {e.text_a for e in dataset.get_examples("train")}
    assert not train & {e.text_a for e in dataset.get_examples("dev")}


def test_reader_builds_textgenrnn_training_examples(lm: Any) -> None:
    context = lm.context(trainable=False)
    reader = LanguageModelReader(TextCorpusDataset.from_texts(["ab中c"]), context.tokenizer)
    encoded = reader.encoded("train")
    vocab = lm.vocab
    # Targets: a, b, c and the end token; the unknown 中 is neither a target nor in any window.
    assert [e["labels"] for e in encoded] == [vocab.char_to_id[c] for c in "abc"] + [vocab.meta_id]
    last = encoded[-1]["input_ids"]
    assert last[-4:] == [vocab.meta_id, *(vocab.char_to_id[c] for c in "abc")] and set(last[:-4]) == {0}
    assert not any(p.requires_grad for p in context.encoder.parameters())


def test_corpus_files_are_read_line_by_line(tmp_path: Path) -> None:
    (tmp_path / "train.txt").write_text("first text\n\nsecond text\n", encoding="utf-8")
    (tmp_path / "dev.txt").write_bytes(b"good line\n\xff\xfe bad\n")
    dataset = TextCorpusDataset(tmp_path / "train.txt", tmp_path / "dev.txt")
    assert [e.text_a for e in dataset.get_examples("train")] == ["first text", "second text"]
    with pytest.raises(DatasetFormatError, match=r"dev.txt, line 2: not UTF-8"):
        dataset.get_examples("dev")
    with pytest.raises(DatasetFormatError, match=r"train text 1: expected a non-blank string"):
        TextCorpusDataset.from_texts(["ok", "   "])


def test_reader_refuses_a_foreign_tokenizer() -> None:
    with pytest.raises(HubcoreError, match="needs the tokenizer of a textgen_lstm context"):
        LanguageModelReader(None, None)


@pytest.mark.slow
def test_finetuning_lowers_perplexity_and_the_best_model_reloads(lm: Any, tmp_path: Path) -> None:
    jokes = PyJokesDataset()
    corpus = TextCorpusDataset.from_texts(
        [e.text_a for e in jokes.get_examples("train")][:60],
        [e.text_a for e in jokes.get_examples("dev")][:12],
    )
    context = lm.context(trainable=True)
    reader = LanguageModelReader(corpus, context.tokenizer)
    config = RunConfig(
        num_epoch=1,
        batch_size=64,
        max_train_steps=24,
        eval_interval=12,
        checkpoint_dir=tmp_path / "ckpt",
        progress=False,
        tensorboard=False,
        strategy=AdamWeightDecayStrategy(learning_rate=4e-3, weight_decay=0.0, warmup_proportion=0.0),
    )
    task = LanguageModelTask(context, reader, config)
    before = task.eval("dev")
    # The head starts as the pretrained output layer: the task scores the dev text as the module does.
    dev_texts = [e.text_a for e in corpus.get_examples("dev")]
    assert before["perplexity"] == pytest.approx(_pooled(lm.perplexity(dev_texts)), rel=1e-5)

    summary = task.finetune()
    assert summary["main_metric"] == "perplexity"
    assert summary["best_metric"] < before["perplexity"] * 0.97
    assert (tmp_path / "ckpt" / "best_model" / "model.safetensors").is_file()

    prompts = ["Why do programmers", "A SQL query walks into", "中"]
    task.model.load_state_dict(load_file(str(tmp_path / "ckpt" / "best_model" / "model.safetensors")))
    expected = task.predict(prompts)
    reloaded = load_task(tmp_path / "ckpt")
    assert reloaded.predict(prompts) == expected
    assert expected[0]["next_char"] == expected[0]["top_k"][0][0] and len(expected[0]["top_k"]) == 5
    with pytest.raises(HubcoreError, match="input 1: expected a text, got int"):
        reloaded.predict(["fine", 3])

    tuned = hubcore.Module(name="textgen_lstm", directory=str(tmp_path / "ckpt"))
    probabilities = tuned.next_char_probabilities(prompts)
    for row, prediction in zip(probabilities, expected, strict=True):
        assert row.max() == pytest.approx(prediction["probability"], abs=1e-6)
        assert lm.vocab.id_to_char[int(row.argmax())] == prediction["next_char"]
    # The reloaded module scores the dev text exactly as the run's best evaluation did.
    assert _pooled(tuned.perplexity(dev_texts)) == pytest.approx(summary["best_metric"], rel=1e-5)
    # Fine-tuning worked on a copy: the pretrained module is untouched.
    fresh = hubcore.Module(name="textgen_lstm").network.encoder.embedding.weight
    assert torch.equal(lm.network.encoder.embedding.weight, fresh)


def _pooled(results: list[dict[str, Any]]) -> float:
    """Corpus perplexity from per-text results: exp of the token-weighted mean log-perplexity."""
    nll = sum(np.log(r["perplexity"]) * r["scored_tokens"] for r in results)
    return float(np.exp(nll / sum(r["scored_tokens"] for r in results)))


def test_a_directory_without_a_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HubcoreError, match=r"no model\.safetensors here or in best_model/"):
        hubcore.Module(name="textgen_lstm", directory=str(tmp_path))
    with pytest.raises(HubcoreError, match="no such checkpoint folder"):
        hubcore.Module(name="textgen_lstm", directory=str(tmp_path / "missing"))
