"""torch.distributed set-up for ``use_data_parallel=True`` runs launched by torchrun.

torchrun sets RANK, WORLD_SIZE, LOCAL_RANK and the rendezvous address; we join
the group (gloo on CPU, nccl on CUDA), and everything else asks
:class:`DistContext` who it is.  Without those variables a data-parallel run
is a clear error rather than a silent single-process run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist

from hubcore._errors import HubcoreError


@dataclass(frozen=True)
class DistContext:
    """This process's place in the run."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    active: bool = False

    @property
    def is_main(self) -> bool:
        """Whether this process writes checkpoints and logs."""
        return self.rank == 0

    def barrier(self) -> None:
        """Wait for every rank (a no-op alone)."""
        if self.active:
            dist.barrier()

    def gather(self, value: Any) -> list[Any]:
        """Every rank's ``value``, in rank order (picklable values only)."""
        if not self.active:
            return [value]
        gathered: list[Any] = [None] * self.world_size
        dist.all_gather_object(gathered, value)
        return gathered

    def broadcast(self, value: Any) -> Any:
        """Rank 0's ``value`` on every rank."""
        if not self.active:
            return value
        box = [value]
        dist.broadcast_object_list(box, src=0)
        return box[0]


def setup(use_data_parallel: bool, device: str) -> DistContext:
    """Join the process group torchrun prepared, or stay alone."""
    if not use_data_parallel:
        return DistContext()
    if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
        raise HubcoreError(
            "RunConfig.use_data_parallel=True needs a torchrun launch, e.g. "
            "`python -m torch.distributed.run --nproc_per_node 2 script.py` (RANK/WORLD_SIZE are unset)"
        )
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ.get("LOCAL_RANK", rank))
    if not dist.is_initialized():
        backend = "nccl" if device == "cuda" else "gloo"
        if device == "cuda":
            torch.cuda.set_device(local_rank)
        dist.init_process_group(backend=backend, rank=rank, world_size=world)
    return DistContext(rank=rank, world_size=world, local_rank=local_rank, active=True)


def wrap(model: torch.nn.Module, context: DistContext, device: str) -> torch.nn.Module:
    """DDP around ``model`` in a data-parallel run; ``model`` itself otherwise."""
    if not context.active:
        return model
    from torch.nn.parallel import DistributedDataParallel

    device_ids = [context.local_rank] if device == "cuda" else None
    # Heads may leave encoder outputs unused (pooled vs token features).
    return DistributedDataParallel(model, device_ids=device_ids, find_unused_parameters=True)
