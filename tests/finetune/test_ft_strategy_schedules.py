"""Learning-rate schedules, checked step by step against hand-computed values on a real optimiser."""

from __future__ import annotations

import io
import itertools

import pytest
import torch

from hubcore.finetune import AdamWeightDecayStrategy, BaseStrategy, CombinedStrategy, ULMFiTStrategy


def rates(strategy: BaseStrategy, total: int) -> list[float]:
    """The learning rate each optimiser step used, over a whole run."""
    model = torch.nn.Linear(2, 1)
    optimizer, scheduler = strategy.build(model, num_train_steps=total)
    used = []
    for _ in range(total):
        used.append(optimizer.param_groups[0]["lr"])
        model(torch.ones(1, 2)).sum().backward()
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
    return used


def test_linear_warmup_then_linear_decay() -> None:
    # 20 steps, warm-up 10% = 2 steps, peak 1e-3, then down to 0 at step 20
    used = rates(AdamWeightDecayStrategy(learning_rate=1e-3, warmup_proportion=0.1), 20)
    assert used[0] == 0.0
    assert used[1] == pytest.approx(0.5e-3)
    assert used[2] == pytest.approx(1e-3)
    assert used[11] == pytest.approx(1e-3 * 9 / 18)
    assert used[19] == pytest.approx(1e-3 / 18)
    assert all(a >= b for a, b in itertools.pairwise(used[2:]))


def test_noam_decay_peaks_at_the_end_of_warmup() -> None:
    # warm-up 10 steps of 100: lr * min(s / 10, sqrt(10 / s)) with s = step + 1
    used = rates(
        AdamWeightDecayStrategy(learning_rate=1e-3, lr_scheduler="noam_decay", warmup_proportion=0.1), 100
    )
    assert used[0] == pytest.approx(1e-4)
    assert used[4] == pytest.approx(5e-4)
    assert used[9] == pytest.approx(1e-3)
    assert used[39] == pytest.approx(5e-4)  # sqrt(10 / 40) = 0.5
    assert max(used) == pytest.approx(1e-3)


def test_slanted_triangular_rate() -> None:
    # 100 steps, cut at 10, ratio 32: lr * (1 + p * 31) / 32
    used = rates(ULMFiTStrategy(learning_rate=0.01, dis_blocks=0, frz_blocks=0), 100)
    assert used[0] == pytest.approx(0.01 / 32)
    assert used[5] == pytest.approx(0.01 * 16.5 / 32)  # p = 0.5 on the way up
    assert used[10] == pytest.approx(0.01)  # the peak
    assert used[55] == pytest.approx(0.01 * 16.5 / 32)  # p = 1 - 45 / 90 on the way down
    assert used[99] == pytest.approx(0.01 * (1 + 31 / 90) / 32)


def test_constant_and_warmup_constant() -> None:
    assert rates(CombinedStrategy("sgd", 0.1), 5) == pytest.approx([0.1] * 5)
    warm = rates(CombinedStrategy("sgd", 0.1, scheduler={"warmup_proportion": 0.4}), 5)
    assert warm == pytest.approx([0.0, 0.05, 0.1, 0.1, 0.1])


def test_a_restored_scheduler_continues_the_schedule_exactly() -> None:
    strategy = AdamWeightDecayStrategy(learning_rate=1e-3, warmup_proportion=0.2)
    model = torch.nn.Linear(2, 1)
    optimizer, scheduler = strategy.build(model, num_train_steps=10)
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    buffer = io.BytesIO()
    torch.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, buffer)
    buffer.seek(0)
    saved = torch.load(buffer, weights_only=True)
    optimizer2, scheduler2 = AdamWeightDecayStrategy(learning_rate=1e-3, warmup_proportion=0.2).build(
        torch.nn.Linear(2, 1), num_train_steps=10
    )
    optimizer2.load_state_dict(saved["optimizer"])
    scheduler2.load_state_dict(saved["scheduler"])
    for _ in range(4):
        assert optimizer2.param_groups[0]["lr"] == pytest.approx(optimizer.param_groups[0]["lr"])
        for opt, sched in ((optimizer, scheduler), (optimizer2, scheduler2)):
            opt.step()
            sched.step()
    assert optimizer2.param_groups[0]["lr"] == pytest.approx(1e-3 * 3 / 8)  # step 7 of 10, warm-up 2
