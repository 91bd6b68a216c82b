"""context(): the torch encoder gives the inference engine's features, and a usable tokenizer."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hub_lac import _network  # noqa: E402

from hubcore.finetune import ModuleContext, Tokenizer  # noqa: E402


@pytest.fixture(scope="module")
def context(lac_modules: dict) -> ModuleContext:
    torch.set_num_threads(1)
    return lac_modules["lac"].context(trainable=False)


def test_lac_context_shape_and_contract(context: ModuleContext) -> None:
    assert isinstance(context, ModuleContext)
    assert isinstance(context.tokenizer, Tokenizer)
    assert context.sentence_dim == context.token_dim == 256
    assert all(not p.requires_grad for p in context.encoder.parameters())
    layers = context.get_params_layer()
    assert layers["embedding.weight"] == 0
    assert {depth for name, depth in layers.items() if name.startswith("layers.0.")} == {1}
    assert {depth for name, depth in layers.items() if name.startswith("layers.1.")} == {2}
    assert set(layers) == {name for name, _ in context.encoder.named_parameters()}
    assert context.extra["module"] == {
        "name": "lac",
        "kwargs": {"mode": "lac"},
        "context_kwargs": {"trainable": False, "max_seq_len": 128},
    }


def test_lac_context_trainable(lac_modules: dict) -> None:
    ctx = lac_modules["seg"].context(trainable=True)
    assert all(p.requires_grad for p in ctx.encoder.parameters())
    assert ctx.token_dim == 192


def test_lac_tokenizer(context: ModuleContext) -> None:
    tok = context.tokenizer
    ids = tok.encode("百度１２", max_seq_len=3)["input_ids"]
    assert len(ids) == 3
    assert ids == tok.encode("百度12", max_seq_len=3)["input_ids"]  # full-width folded to half-width
    oov = tok.encode("\U0002a6a5", max_seq_len=8)["input_ids"]
    assert oov == [tok.vocab.oov_id]
    features, owners = tok.encode_tokens(["我", "爱", "北", "京"], max_seq_len=3)
    assert owners == [0, 1, 2] and len(features["input_ids"]) == 3


def test_lac_encoder_matches_the_engine(context: ModuleContext, golden: list[dict]) -> None:
    texts = [row["text"] for row in golden[:6]]
    encoded = [context.tokenizer.encode(t, max_seq_len=128)["input_ids"] for t in texts]
    longest = max(len(e) for e in encoded)
    ids = torch.tensor([e + [0] * (longest - len(e)) for e in encoded])
    mask = torch.tensor([[1] * len(e) + [0] * (longest - len(e)) for e in encoded])
    with torch.no_grad():
        out = context.encoder(input_ids=ids, attention_mask=mask)
    assert out["sequence_output"].shape == (len(texts), longest, 256)
    assert out["pooled_output"].shape == (len(texts), 256)
    expected = _network.tagger("lac").top_features(encoded)
    for row, feats in enumerate(expected):
        got = out["sequence_output"][row, : len(encoded[row])].numpy()
        np.testing.assert_allclose(got, feats, atol=1e-4)
        assert not out["sequence_output"][row, len(encoded[row]) :].any()
        np.testing.assert_allclose(out["pooled_output"][row, :128].numpy(), feats[-1, :128], atol=1e-4)
        np.testing.assert_allclose(out["pooled_output"][row, 128:].numpy(), feats[0, 128:], atol=1e-4)


def test_lac_encoder_trains(lac_modules: dict) -> None:
    ctx = lac_modules["lac"].context(trainable=True)
    ids = torch.tensor([ctx.tokenizer.encode("今天天气很好", max_seq_len=16)["input_ids"]])
    out = ctx.encoder(input_ids=ids, attention_mask=torch.ones_like(ids))
    out["pooled_output"].sum().backward()
    assert ctx.encoder.layers[0]["fwd"].gate_w.grad is not None
