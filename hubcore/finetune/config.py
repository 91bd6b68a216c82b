"""RunConfig: how long, how often and where a fine-tuning run works."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hubcore._errors import HubcoreError
from hubcore.finetune.contract import Strategy


class RunConfigError(HubcoreError, ValueError):
    """A RunConfig field has a value that cannot work."""


# The methods of the Strategy protocol, which the trainer calls, read from the protocol itself.
_STRATEGY_METHODS = tuple(
    name for name, value in vars(Strategy).items() if callable(value) and not name.startswith("_")
)


@dataclass
class RunConfig:
    """Settings of one fine-tuning run.

    The defaults suit the small labelled sets fine-tuning is meant for: a few
    epochs, logging every 10 steps and evaluation every 50, so that even a set of
    a few hundred examples gives curves and a saved best model.  Evaluation and a
    checkpoint also happen at the end of every epoch, so a set smaller than one
    interval is still evaluated and saved.

    ``strategy`` is a Strategy object (``AdamWeightDecayStrategy()`` when None).
    ``save_ckpt_interval`` is in steps; None saves at each epoch end only.
    ``max_train_steps`` stops early (benchmarks, smoke runs).  ``progress``:
    None shows rich progress bars only when stdout is a terminal.
    """

    num_epoch: int = 3
    batch_size: int = 16
    use_cuda: bool = False
    checkpoint_dir: str | Path | None = None
    log_interval: int = 10
    eval_interval: int = 50
    save_ckpt_interval: int | None = None
    seed: int = 0
    strategy: Strategy | None = None
    use_data_parallel: bool = False
    eval_batch_size: int | None = None
    keep_checkpoints: int = 2
    max_train_steps: int | None = None
    resume: bool = True
    progress: bool | None = None
    tensorboard: bool = True

    def __post_init__(self) -> None:
        for name in ("num_epoch", "batch_size", "log_interval", "eval_interval", "keep_checkpoints"):
            _positive_int(name, getattr(self, name))
        for name in ("save_ckpt_interval", "eval_batch_size", "max_train_steps"):
            if getattr(self, name) is not None:
                _positive_int(name, getattr(self, name))
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise RunConfigError(f"RunConfig.seed must be a non-negative int, got {self.seed!r}")
        if self.checkpoint_dir is None:
            self.checkpoint_dir = Path(f"ckpt_{time.strftime('%Y%m%d-%H%M%S')}")
        self.checkpoint_dir = Path(self.checkpoint_dir)
        if self.checkpoint_dir.exists() and not self.checkpoint_dir.is_dir():
            raise RunConfigError(f"RunConfig.checkpoint_dir {str(self.checkpoint_dir)!r} is a file")
        if self.strategy is not None:
            missing = [name for name in _STRATEGY_METHODS if not callable(getattr(self.strategy, name, None))]
            if missing:
                raise RunConfigError(
                    f"RunConfig.strategy {type(self.strategy).__name__} is not a Strategy: it lacks "
                    f"{', '.join(missing)} (subclass hubcore.BaseStrategy, which has them all)"
                )

    @property
    def checkpoint_path(self) -> Path:
        """``checkpoint_dir`` as a Path (set by ``__post_init__``)."""
        return Path(self.checkpoint_dir or ".")

    @property
    def device(self) -> str:
        """``"cuda"`` when asked for and present, else ``"cpu"``."""
        if not self.use_cuda:
            return "cpu"
        import torch

        if not torch.cuda.is_available():
            raise RunConfigError("RunConfig.use_cuda=True, but torch sees no CUDA device")
        return "cuda"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (the strategy by class name) for logs and best_model/task.json."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["checkpoint_dir"] = str(self.checkpoint_dir)
        data["strategy"] = None if self.strategy is None else type(self.strategy).__name__
        return data


def _positive_int(name: str, value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise RunConfigError(f"RunConfig.{name} must be a positive int, got {value!r}")
