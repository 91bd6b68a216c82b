"""Training curves: metrics.jsonl, TensorBoard event files and a rich progress bar.

Only the main process logs; other ranks get a logger whose methods do nothing.
``metrics.jsonl`` gets one JSON object per event, flushed as it is written, so a
run that dies keeps every line up to its last moment.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

METRICS_FILE = "metrics.jsonl"
VISUALIZATION_DIR = "visualization"


class TrainLogger:
    """Writes every record to metrics.jsonl and TensorBoard, and drives the progress bar."""

    def __init__(
        self,
        checkpoint_dir: Path,
        *,
        enabled: bool = True,
        tensorboard: bool = True,
        progress: bool | None = None,
        console: Any = None,
    ) -> None:
        self.enabled = enabled
        self._jsonl = None
        self._writer: Any = None
        self._progress: Any = None
        self._task_id: Any = None
        self._started = time.perf_counter()
        if not enabled:
            return
        checkpoint_dir.mkdir(parents=True, exist_ok=True)
        self._jsonl = open(checkpoint_dir / METRICS_FILE, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        if tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self._writer = SummaryWriter(log_dir=str(checkpoint_dir / VISUALIZATION_DIR))
        if progress is None:
            progress = sys.stdout.isatty()
        if progress:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("loss {task.fields[loss]}"),
                TextColumn("{task.fields[speed]}"),
                TimeElapsedColumn(),
                console=console,
            )

    def start(self, total_steps: int, done: int = 0) -> None:
        """Open the progress bar at ``done`` of ``total_steps``."""
        if self._progress is not None:
            self._progress.start()
            self._task_id = self._progress.add_task(
                "fine-tune", total=total_steps, completed=done, loss="-", speed=""
            )

    def advance(self, step: int, loss: float | None = None, steps_per_s: float | None = None) -> None:
        """Move the progress bar to ``step``."""
        if self._progress is not None and self._task_id is not None:
            fields = {}
            if loss is not None:
                fields["loss"] = f"{loss:.4f}"
            if steps_per_s is not None:
                fields["speed"] = f"{steps_per_s:.2f} step/s"
            self._progress.update(self._task_id, completed=step, **fields)

    def record(self, event: str, step: int, values: dict[str, Any], *, phase: str | None = None) -> None:
        """One metrics.jsonl line, and a scalar per numeric value in TensorBoard."""
        if not self.enabled:
            return
        line: dict[str, Any] = {"event": event, "step": step, "time": round(time.time(), 3)}
        if phase is not None:
            line["phase"] = phase
        line.update(values)
        assert self._jsonl is not None
        self._jsonl.write(json.dumps(line, ensure_ascii=False) + "\n")
        self._jsonl.flush()
        if self._writer is not None:
            group = phase or event
            for name, value in values.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    self._writer.add_scalar(f"{group}/{name}", value, step)
            self._writer.flush()

    def message(self, text: str) -> None:
        """A line for the user, above the progress bar when there is one."""
        if not self.enabled:
            return
        if self._progress is not None:
            self._progress.console.print(text)
        else:
            print(text, flush=True)

    def close(self) -> None:
        """Stop the progress bar and close the files."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._jsonl is not None:
            self._jsonl.close()
            self._jsonl = None


def format_metrics(metrics: dict[str, float]) -> str:
    """``name=value`` pairs for a console line, floats to four decimals."""
    return " ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items())
