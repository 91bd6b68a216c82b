"""Layer-wise strategies: discriminative learning rates and gradual unfreezing, on real training steps."""

from __future__ import annotations

import io

import pytest
import torch

from hubcore.finetune import CombinedStrategy, ULMFiTStrategy


class Stack(torch.nn.Module):
    """Three encoder layers (depths 0, 1, 2) under a head (depth 3)."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.layers = torch.nn.ModuleList(torch.nn.Linear(3, 3) for _ in range(3))
        self.head = torch.nn.Linear(3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = torch.tanh(layer(x))
        return self.head(x)


LAYERS = {f"layers.{d}.{kind}": d for d in range(3) for kind in ("weight", "bias")}


def initial_rates(optimizer: torch.optim.Optimizer) -> dict[str, float]:
    return {name: group["initial_lr"] for group in optimizer.param_groups for name in group["param_names"]}


def test_each_depth_learns_factor_times_slower_than_the_one_above() -> None:
    strategy = ULMFiTStrategy(learning_rate=0.1, dis_blocks=None, factor=2.6, frz_blocks=0)
    optimizer, _ = strategy.build(Stack(), num_train_steps=10, params_layer=LAYERS)
    got = initial_rates(optimizer)
    assert got["head.weight"] == pytest.approx(0.1) and got["head.bias"] == pytest.approx(0.1)
    for depth in range(3):
        assert got[f"layers.{depth}.weight"] == pytest.approx(0.1 / 2.6 ** (3 - depth))


def test_blocks_group_consecutive_depths() -> None:
    # four depths (0..2 and the head) in two blocks: {head, 2} at the full rate, {1, 0} at rate / 2
    strategy = CombinedStrategy("adam", 0.1, scheduler={"discriminative": {"blocks": 2, "factor": 2.0}})
    optimizer, _ = strategy.build(Stack(), num_train_steps=10, params_layer=LAYERS)
    got = initial_rates(optimizer)
    assert [got[f"layers.{d}.weight"] for d in range(3)] == pytest.approx([0.05, 0.05, 0.1])
    assert got["head.weight"] == pytest.approx(0.1)


def train(model: Stack, strategy: CombinedStrategy, steps: int, total: int) -> list[dict[str, bool]]:
    """Run real optimiser steps; return, after each, which parameters are trainable."""
    optimizer, scheduler = strategy.build(model, num_train_steps=total, params_layer=LAYERS)
    trainable = []
    x, y = torch.randn(8, 3), torch.randn(8, 1)
    for step in range(1, steps + 1):
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        strategy.before_optimizer_step(model)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        strategy.on_step_end(step, model)
        trainable.append({name: p.requires_grad for name, p in model.named_parameters()})
    return trainable


def test_gradual_unfreezing_opens_one_block_every_interval() -> None:
    model = Stack()
    start = {name: p.detach().clone() for name, p in model.named_parameters()}
    # four depths in three blocks from the top: {head, 2}, {1}, {0}; a new block every 4 steps
    strategy = ULMFiTStrategy(
        learning_rate=0.05, dis_blocks=0, frz_blocks=3, unfreeze_every=4, cut_fraction=0
    )
    optimizer, _ = strategy.build(model, num_train_steps=20, params_layer=LAYERS)
    assert [model.layers[d].weight.requires_grad for d in range(3)] == [False, False, True]
    assert strategy.unfrozen_blocks == 1
    model = Stack()
    strategy = ULMFiTStrategy(
        learning_rate=0.05, dis_blocks=0, frz_blocks=3, unfreeze_every=4, cut_fraction=0
    )
    history = train(model, strategy, 3, total=20)
    assert torch.equal(model.layers[0].weight, start["layers.0.weight"])  # frozen: untouched by 3 steps
    assert torch.equal(model.layers[1].weight, start["layers.1.weight"])
    assert not torch.equal(model.layers[2].weight, start["layers.2.weight"])
    model = Stack()
    strategy = ULMFiTStrategy(
        learning_rate=0.05, dis_blocks=0, frz_blocks=3, unfreeze_every=4, cut_fraction=0
    )
    history = train(model, strategy, 9, total=20)
    opened = [[h[f"layers.{d}.weight"] for d in range(3)] for h in history]
    assert opened[2] == [False, False, True]  # after step 3
    assert opened[3] == [False, True, True]  # after step 4
    assert opened[6] == [False, True, True]  # after step 7
    assert opened[7] == [True, True, True]  # after step 8
    assert not torch.equal(model.layers[0].weight, start["layers.0.weight"])  # trained once opened
    del optimizer


def test_unfreezing_spreads_over_training_by_default_and_keeps_frozen_encoders_frozen() -> None:
    model = Stack()
    model.layers[0].requires_grad_(False)  # a feature-extractor layer (trainable=False) stays out
    strategy = ULMFiTStrategy(dis_blocks=0, frz_blocks=2, cut_fraction=0)
    history = train(model, strategy, 10, total=10)
    # four depths in two blocks ({head, 2} and {1, 0}); 10 steps / 2 blocks: the second opens after step 5
    assert [h["layers.2.weight"] for h in history] == [True] * 10
    assert [h["layers.1.weight"] for h in history] == [False] * 4 + [True] * 6
    assert [h["layers.0.weight"] for h in history] == [False] * 10


def test_unfreezing_progress_is_restored_on_resume() -> None:
    strategy = ULMFiTStrategy(dis_blocks=0, frz_blocks=3, unfreeze_every=2, cut_fraction=0)
    train(Stack(), strategy, 3, total=12)
    buffer = io.BytesIO()
    torch.save(strategy.state_dict(), buffer)
    buffer.seek(0)
    model = Stack()
    resumed = ULMFiTStrategy(dis_blocks=0, frz_blocks=3, unfreeze_every=2, cut_fraction=0)
    resumed.build(model, num_train_steps=12, params_layer=LAYERS)
    assert not model.layers[1].weight.requires_grad
    resumed.load_state_dict(torch.load(buffer, weights_only=True))
    assert resumed.unfrozen_blocks == 2
    assert [model.layers[d].weight.requires_grad for d in range(3)] == [False, True, True]


class Tagged(torch.nn.Module):
    """An encoder with an ``embed`` layer under a head that has its own ``embed``."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = torch.nn.ModuleDict({"embed": torch.nn.Linear(3, 3), "layer": torch.nn.Linear(3, 3)})
        self.head = torch.nn.ModuleDict({"embed": torch.nn.Linear(3, 1)})


def test_params_layer_names_are_exact_and_a_suffix_never_picks_another_layers_parameter() -> None:
    """Suffix matching once put a name like ``embed.weight`` on whichever parameter ended so."""
    with pytest.raises(Exception, match=r"params_layer names 'embed\.weight', which is not a parameter"):
        ULMFiTStrategy(frz_blocks=0).build(Tagged(), num_train_steps=4, params_layer={"embed.weight": 0})


def test_a_context_gives_its_encoder_names_under_the_prefix_the_task_model_uses() -> None:
    from hubcore.finetune import ModuleContext

    model = Tagged()
    own = {"embed.weight": 0, "embed.bias": 0, "layer.weight": 1, "layer.bias": 1}
    context = ModuleContext(
        encoder=model.encoder, tokenizer=None, sentence_dim=3, token_dim=3, params_layer=own
    )
    strategy = ULMFiTStrategy(learning_rate=1.0, cut_fraction=0, dis_blocks=None, factor=2.0, frz_blocks=0)
    optimizer, _ = strategy.build(
        model, num_train_steps=4, params_layer=context.get_params_layer(prefix="encoder.")
    )
    rates = initial_rates(optimizer)
    assert rates["head.embed.weight"] == 1.0  # the head: the top, at the full rate
    assert rates["encoder.layer.weight"] == 0.5
    assert rates["encoder.embed.weight"] == 0.25  # the encoder's embedding, not the head's
