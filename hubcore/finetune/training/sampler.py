"""A resumable, shardable order of training examples.

Each epoch's order is a permutation drawn from one seeded generator.  The
generator's state at the start of the epoch is what a checkpoint stores, so a
resumed run draws the very same permutation and skips the batches it had
already consumed: the resumed run sees exactly the batches of an unbroken one.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch


class ResumableSampler:
    """Batches of example indices for one process of ``world_size``.

    The permutation is padded (by wrapping around) to a multiple of
    ``world_size * batch_size`` only as far as needed to give every rank the same
    number of batches, then dealt out ``rank::world_size``.
    """

    def __init__(
        self,
        num_examples: int,
        batch_size: int,
        *,
        seed: int,
        shuffle: bool = True,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        if num_examples < 1:
            raise ValueError("the training set is empty")
        self.num_examples = num_examples
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.rank = rank
        self.world_size = world_size
        self.generator = torch.Generator().manual_seed(seed)
        self.epoch_state: torch.Tensor = self.generator.get_state()
        self._order: list[int] | None = None

    @property
    def batches_per_epoch(self) -> int:
        """Batches each rank takes per epoch (the last one may be short)."""
        per_rank = -(-self.num_examples // self.world_size)
        return -(-per_rank // self.batch_size)

    def start_epoch(self) -> None:
        """Draw the next epoch's order, remembering the state it was drawn from."""
        self.epoch_state = self.generator.get_state()
        if self.shuffle:
            order = torch.randperm(self.num_examples, generator=self.generator).tolist()
        else:
            order = list(range(self.num_examples))
        per_rank = -(-self.num_examples // self.world_size)
        total = per_rank * self.world_size
        order = (order * (total // len(order) + 1))[:total]
        self._order = order[self.rank :: self.world_size]

    def batches(self, start: int = 0) -> Iterator[list[int]]:
        """This epoch's batches, skipping the first ``start`` (already consumed)."""
        if self._order is None:
            raise RuntimeError("start_epoch() must be called before batches()")
        for index in range(start, self.batches_per_epoch):
            yield self._order[index * self.batch_size : (index + 1) * self.batch_size]

    def state_dict(self) -> dict[str, torch.Tensor]:
        """The generator state at the start of the current epoch."""
        return {"epoch_state": self.epoch_state.clone()}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Rewind to the start of the saved epoch; the next start_epoch() redraws it."""
        self.generator.set_state(state["epoch_state"])
        self.epoch_state = state["epoch_state"].clone()
