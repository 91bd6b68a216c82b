"""Loading tiny ERNIE/BERT checkpoints, embeddings against transformers itself, and the context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from transformers import BertModel, BertTokenizer, ErnieModel

import hubcore
from hubcore.finetune import POOLED_OUTPUT, SEQUENCE_OUTPUT, ModuleContext, Tokenizer


def reference(directory: Path, model_class: Any, text_a: str, text_b: str | None = None) -> tuple[Any, Any]:
    """Sentence and token vectors computed by transformers alone, with its own tokenizer."""
    tokenizer = BertTokenizer.from_pretrained(str(directory))
    model = model_class.from_pretrained(str(directory)).eval()
    encoded = tokenizer(text_a, text_b, return_tensors="pt")
    with torch.no_grad():
        out = model(**encoded)
    return out.pooler_output[0].numpy(), out.last_hidden_state[0].numpy()


@pytest.mark.parametrize(
    ("fixture", "model_class"), [("ernie_tiny_dir", ErnieModel), ("ernie_tiny_bert_dir", BertModel)]
)
def test_embeddings_equal_transformers_own_forward(
    fixture: str, model_class: Any, ernie_texts: list[str], request: pytest.FixtureRequest
) -> None:
    directory = request.getfixturevalue(fixture)
    module = hubcore.Module("ernie", directory=directory)
    assert isinstance(module.encoder.model, model_class)
    single, pair = ernie_texts[0][:60], (ernie_texts[1][:30], ernie_texts[2][:30])
    got = module.get_embedding([single, list(pair)], max_seq_len=128)
    for (sentence, tokens), args in zip(got, [(single,), pair], strict=True):
        want_sentence, want_tokens = reference(directory, model_class, *args)
        assert sentence.shape == want_sentence.shape
        assert tokens.shape == want_tokens.shape  # real positions only, no padding
        np.testing.assert_allclose(sentence, want_sentence, atol=1e-5)
        np.testing.assert_allclose(tokens, want_tokens, atol=1e-5)


def test_batching_and_sorting_change_nothing_and_keep_input_order(
    ernie_tiny_module: Any, ernie_texts: list[str]
) -> None:
    texts = sorted([t for t in ernie_texts if len(t) < 100][:9], key=len, reverse=True)  # longest first
    tokenizer = ernie_tiny_module.context().tokenizer
    together = ernie_tiny_module.get_embedding(texts, batch_size=4)
    for text, (sentence, tokens) in zip(texts, together, strict=True):
        assert len(tokens) == len(tokenizer.encode(text, max_seq_len=128)["input_ids"])
        ((alone_sentence, alone_tokens),) = ernie_tiny_module.get_embedding([text], batch_size=1)
        np.testing.assert_allclose(sentence, alone_sentence, atol=1e-5)
        np.testing.assert_allclose(tokens, alone_tokens, atol=1e-5)


def test_tokenizer_encodes_as_transformers_does(
    ernie_tiny_module: Any, ernie_tiny_dir: Path, ernie_texts: list[str]
) -> None:
    ours = ernie_tiny_module.context().tokenizer
    theirs = BertTokenizer.from_pretrained(str(ernie_tiny_dir))
    assert isinstance(ours, Tokenizer)
    for a, b in [
        (ernie_texts[3], None),
        (ernie_texts[4][:40], ernie_texts[5][:40]),
        ("Hello 世界 2024", None),
    ]:
        got = ours.encode(a, b, max_seq_len=512)
        want = theirs(a, b)
        assert got["input_ids"] == want["input_ids"]
        assert got["token_type_ids"] == want["token_type_ids"]
    assert ours.pad_values["input_ids"] == theirs.pad_token_id


def test_encode_tokens_maps_each_position_to_its_character(ernie_tiny_module: Any) -> None:
    tokenizer = ernie_tiny_module.context().tokenizer
    chars = list("这本书 很好abc")
    features, positions = tokenizer.encode_tokens(chars, max_seq_len=32)
    assert positions == [-1, *range(len(chars)), -1]
    assert features["input_ids"][0] == tokenizer.cls_id and features["input_ids"][-1] == tokenizer.sep_id
    assert features["input_ids"][4] == tokenizer.unk_id  # the space still holds a place
    assert len(features["input_ids"]) == len(features["token_type_ids"]) == len(positions)


def test_context_gives_the_encoder_tokenizer_and_layer_depths(ernie_tiny_module: Any) -> None:
    context = ernie_tiny_module.context(trainable=False, max_seq_len=64)
    assert isinstance(context, ModuleContext)
    assert context.max_seq_len == 64 and context.sentence_dim == context.token_dim == 32
    assert not any(p.requires_grad for p in context.encoder.parameters())
    assert context.extra["module"]["name"] == "ernie"
    features = context.tokenizer.encode("很好的书", max_seq_len=64)
    ids = torch.tensor([features["input_ids"]])
    out = context.encoder(input_ids=ids, attention_mask=torch.ones_like(ids))
    assert out[POOLED_OUTPUT].shape == (1, 32) and out[SEQUENCE_OUTPUT].shape == (1, ids.shape[1], 32)

    depths = ernie_tiny_module.context(trainable=True).get_params_layer()
    names = {name for name, _ in context.encoder.named_parameters()}
    assert set(depths) == names
    assert all(p.requires_grad for p in context.encoder.parameters())
    layers = context.encoder.num_layers
    for name, depth in depths.items():
        if ".embeddings." in f".{name}":
            assert depth == 0, name
        elif ".encoder.layer." in name:
            assert depth == int(name.split("encoder.layer.")[1].split(".")[0]) + 1, name
        else:
            assert ".pooler." in name and depth == layers + 1, name


def test_ulmfit_gives_lower_layers_lower_rates(ernie_tiny_module: Any) -> None:
    from hubcore.finetune import ULMFiTStrategy

    context = ernie_tiny_module.context(trainable=True)
    model = torch.nn.ModuleDict({"encoder": context.encoder, "head": torch.nn.Linear(32, 2)})
    strategy = ULMFiTStrategy(learning_rate=1e-3, dis_blocks=None, factor=2.0, frz_blocks=0)
    layers = context.get_params_layer(prefix="encoder.")  # the encoder sits under "encoder." here
    optimizer, _ = strategy.build(model, num_train_steps=10, params_layer=layers)
    rate = {name: group["lr"] for group in optimizer.param_groups for name in group["param_names"]}
    chain = [
        "encoder.model.embeddings.word_embeddings.weight",
        "encoder.model.encoder.layer.0.attention.self.query.weight",
        "encoder.model.encoder.layer.1.attention.self.query.weight",
        "encoder.model.pooler.dense.weight",
        "head.weight",
    ]
    rates = [rate[name] for name in chain]
    assert rates == sorted(rates) and len(set(rates)) == len(rates)


def test_pickled_weights_as_the_public_repositories_ship_them_load_the_same(
    ernie_tiny_dir: Path, ernie_tiny_module: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "bin-checkpoint"
    folder.mkdir()
    for name in ("config.json", "vocab.txt", "tokenizer_config.json"):
        (folder / name).write_bytes((ernie_tiny_dir / name).read_bytes())
    # transformers 5 writes safetensors only; the older repositories hold a torch.save()d state dict.
    torch.save(ErnieModel.from_pretrained(str(ernie_tiny_dir)).state_dict(), folder / "pytorch_model.bin")
    assert (folder / "pytorch_model.bin").is_file() and not (folder / "model.safetensors").exists()
    module = hubcore.Module("ernie", directory=folder)
    ((sentence, tokens),) = module.get_embedding(["物流很快"])
    ((want_sentence, want_tokens),) = ernie_tiny_module.get_embedding(["物流很快"])
    np.testing.assert_allclose(sentence, want_sentence, atol=1e-6)
    np.testing.assert_allclose(tokens, want_tokens, atol=1e-6)
