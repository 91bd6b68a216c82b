"""Weight decay that skips biases and norms, classic L2, L2SP, clipping and option checking."""

from __future__ import annotations

import io

import pytest
import torch

import hubcore
from hubcore import HubcoreError
from hubcore.finetune import (
    AdamWeightDecayStrategy,
    CombinedStrategy,
    DefaultFinetuneStrategy,
    L2SPFinetuneStrategy,
    ULMFiTStrategy,
)


class Encoder(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = torch.nn.Embedding(10, 4)
        self.rnn = torch.nn.GRU(4, 4, batch_first=True)
        self.proj = torch.nn.Linear(4, 4)
        self.layer_norm = torch.nn.LayerNorm(4)


class Model(torch.nn.Module):
    """A toy encoder (embeddings, a GRU, a projection, a norm) with a classification head."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.encoder = Encoder()
        self.head = torch.nn.Linear(4, 2)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        hidden, _ = self.encoder.rnn(self.encoder.embed(ids))
        return self.head(self.encoder.layer_norm(self.encoder.proj(hidden[:, -1])))


def penalty_of(strategy: L2SPFinetuneStrategy, model: torch.nn.Module) -> float:
    penalty = strategy.penalty(model)
    assert penalty is not None
    return float(penalty.detach())


ENCODER_LAYERS = {  # the names the encoder's parameters have inside the task model
    "encoder.embed.weight": 0,
    "encoder.rnn.weight_ih_l0": 1,
    "encoder.rnn.weight_hh_l0": 1,
    "encoder.rnn.bias_ih_l0": 1,
    "encoder.rnn.bias_hh_l0": 1,
    "encoder.proj.weight": 2,
    "encoder.proj.bias": 2,
    "encoder.layer_norm.weight": 2,
    "encoder.layer_norm.bias": 2,
}


def test_weight_decay_skips_biases_and_norms_in_groups_and_in_a_real_step() -> None:
    model = Model()
    strategy = AdamWeightDecayStrategy(learning_rate=0.1, weight_decay=0.5, warmup_proportion=0.0)
    optimizer, _ = strategy.build(model, num_train_steps=10)
    assert isinstance(optimizer, torch.optim.AdamW)
    decay = {n for g in optimizer.param_groups if g["weight_decay"] > 0 for n in g["param_names"]}
    assert decay == {
        "encoder.embed.weight",
        "encoder.rnn.weight_ih_l0",
        "encoder.rnn.weight_hh_l0",
        "encoder.proj.weight",
        "head.weight",
    }
    assert {g["weight_decay"] for g in optimizer.param_groups} == {0.5, 0.0}
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    for p in model.parameters():
        p.grad = torch.zeros_like(p)  # Adam's own update is then 0: only the decay moves weights
    optimizer.step()
    for name, p in model.named_parameters():
        expected = before[name] * (1 - 0.1 * 0.5) if name in decay else before[name]
        assert torch.allclose(p.detach(), expected), name


def test_default_strategy_is_plain_adam_with_optional_coupled_l2() -> None:
    model = Model()
    optimizer, _ = DefaultFinetuneStrategy(learning_rate=0.01).build(model, num_train_steps=3)
    assert type(optimizer) is torch.optim.Adam and {g["weight_decay"] for g in optimizer.param_groups} == {
        0.0
    }
    sgd = DefaultFinetuneStrategy(learning_rate=0.1, optimizer_name="sgd", regularization_coeff=0.2)
    optimizer, _ = sgd.build(model, num_train_steps=3)
    before = model.head.weight.detach().clone()
    for p in model.parameters():
        p.grad = torch.zeros_like(p)
    optimizer.step()
    assert torch.allclose(model.head.weight.detach(), before * (1 - 0.1 * 0.2))


def test_l2sp_penalty_is_half_coeff_times_squared_distance_to_the_pretrained_encoder() -> None:
    model = Model()
    pretrained = {name: p.detach().clone() for name, p in model.named_parameters()}
    strategy = L2SPFinetuneStrategy(learning_rate=0.05, optimizer_name="sgd", regularization_coeff=0.4)
    optimizer, _ = strategy.build(model, num_train_steps=50, params_layer=ENCODER_LAYERS)
    assert penalty_of(strategy, model) == 0.0
    with torch.no_grad():
        model.encoder.proj.weight.add_(0.5)  # 16 elements moved by 0.5
        model.encoder.embed.weight[0, 0] -= 2.0  # one element moved by 2
        model.head.weight.add_(3.0)  # the head has no pretrained value: no penalty
    assert penalty_of(strategy, model) == pytest.approx(0.5 * 0.4 * (16 * 0.25 + 4.0))
    distance = []
    for _ in range(20):
        loss = strategy.penalty(model)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        distance.append(
            float((model.encoder.proj.weight.detach() - pretrained["encoder.proj.weight"]).abs().max())
        )
    # plain gradient steps on the penalty shrink the offset by (1 - lr * coeff) each time
    assert distance[-1] == pytest.approx(0.5 * (1 - 0.05 * 0.4) ** 20, rel=1e-4)
    assert torch.equal(model.head.weight.detach(), pretrained["head.weight"] + 3.0)


def test_l2sp_anchors_survive_a_resume_through_weights_only_loading() -> None:
    model = Model()
    pretrained = model.encoder.proj.weight.detach().clone()
    strategy = L2SPFinetuneStrategy(regularization_coeff=1.0)
    strategy.build(model, num_train_steps=5, params_layer=ENCODER_LAYERS)
    with torch.no_grad():
        model.encoder.proj.weight.add_(1.0)  # "trained" weights, as a checkpoint would hold them
    buffer = io.BytesIO()
    torch.save(strategy.state_dict(), buffer)
    buffer.seek(0)
    resumed = L2SPFinetuneStrategy(regularization_coeff=1.0)
    resumed.build(model, num_train_steps=5, params_layer=ENCODER_LAYERS)  # snapshots the trained weights...
    assert penalty_of(resumed, model) == 0.0
    resumed.load_state_dict(torch.load(buffer, weights_only=True))  # ...until the saved anchors return
    assert penalty_of(resumed, model) == pytest.approx(0.5 * 16)
    assert torch.equal(resumed.state_dict()["l2sp_anchors"]["encoder.proj.weight"], pretrained)


def test_gradient_clipping_by_global_norm_and_per_parameter() -> None:
    model = Model()
    strategy = AdamWeightDecayStrategy(max_grad_norm=1.0)
    strategy.build(model, num_train_steps=5)
    for p in model.parameters():
        p.grad = torch.full_like(p, 3.0)
    strategy.before_optimizer_step(model)
    total = torch.linalg.vector_norm(
        torch.stack([torch.linalg.vector_norm(p.grad) for p in model.parameters()])
    )
    assert float(total) == pytest.approx(1.0, rel=1e-5)
    per_param = CombinedStrategy("adam", 1e-3, clip={"norm": 0.5})
    per_param.build(model, num_train_steps=5)
    for p in model.parameters():
        p.grad = torch.full_like(p, 3.0)
    model.head.bias.grad = torch.full_like(model.head.bias, 0.1)  # already small: left alone
    per_param.before_optimizer_step(model)
    assert float(torch.linalg.vector_norm(model.head.weight.grad)) == pytest.approx(0.5, rel=1e-5)
    assert torch.allclose(model.head.bias.grad, torch.full_like(model.head.bias, 0.1))


def test_options_are_checked() -> None:
    with pytest.raises(HubcoreError, match="unknown scheduler option 'warmup'"):
        CombinedStrategy(scheduler={"warmup": 0.1})
    with pytest.raises(HubcoreError, match="either l2 or weight_decay"):
        CombinedStrategy(regularization={"l2": 0.1, "weight_decay": 0.1})
    with pytest.raises(HubcoreError, match="needs optimizer adam or adamw"):
        CombinedStrategy("sgd", regularization={"weight_decay": 0.1})
    with pytest.raises(HubcoreError, match="lr_scheduler"):
        AdamWeightDecayStrategy(lr_scheduler="cosine")
    with pytest.raises(HubcoreError, match="unknown optimizer"):
        CombinedStrategy("lamb")
    with pytest.raises(HubcoreError, match=r"params_layer names 'nothing\.weight', which is not a parameter"):
        DefaultFinetuneStrategy().build(Model(), num_train_steps=1, params_layer={"nothing.weight": 0})
    with pytest.raises(HubcoreError, match="num_train_steps"):
        DefaultFinetuneStrategy().build(Model(), num_train_steps=0)


def test_registered_strategies_resolve_to_their_classes() -> None:
    expected = {
        "adam_weight_decay": AdamWeightDecayStrategy,
        "default": DefaultFinetuneStrategy,
        "l2sp": L2SPFinetuneStrategy,
        "ulmfit": ULMFiTStrategy,
        "combined": CombinedStrategy,
    }
    for name, cls in expected.items():
        assert hubcore.load_component("strategy", name) is cls
