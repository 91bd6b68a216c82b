"""``hub.BaseTask``: hubcore's BasicTask, refusing PaddleHub's override points by name.

A PaddleHub task subclass overrides Paddle graph builders (``_build_net``, ``_add_loss``,
...) and ``_*_event`` hooks that nothing here calls.  Rather than let such a subclass run
with its overrides silently ignored, construction fails and says which hubcore method
takes the job.  A subclass written against hubcore's override points works as is.
"""

from __future__ import annotations

from typing import Any

from hubcore._errors import HubcoreError
from hubcore.finetune.tasks.basic import BasicTask

_INSTEAD = {
    "_build_net": "build_head() (the head's layers; forward() if the wiring differs)",
    "_add_label": "batch_labels() (labels come in the reader's batch)",
    "_add_loss": "compute_loss(outputs, batch)",
    "_add_metrics": "compute_metrics(predictions, labels)",
    "_calculate_metrics": "compute_metrics(predictions, labels), main_metric naming the best-model metric",
    "_postprocessing": "postprocess(prediction)",
    "_log_interval_event": "on_log(step, values)",
    "_eval_end_event": "on_eval_end(phase, metrics, step)",
    "_eval_interval_event": "on_eval_end(phase, metrics, step)",
    "_save_ckpt_interval_event": "on_checkpoint(folder, step)",
    "_finetune_end_event": "on_train_end(state)",
}
_EVENTS = "on_log, on_eval_end, on_checkpoint, on_best_model, on_train_end"


def paddle_overrides(cls: type) -> list[str]:
    """PaddleHub override points that ``cls`` (below BasicTask) defines."""
    found = []
    for klass in cls.__mro__:
        if klass in (BaseTask, BasicTask, object):
            break
        for name in vars(klass):
            is_event = name.startswith("_") and name.endswith("_event") and not name.startswith("__")
            if (name in _INSTEAD or is_event) and name not in found:
                found.append(name)
    return found


class BaseTask(BasicTask):
    """hubcore's BasicTask under PaddleHub's name; PaddleHub-only overrides are refused."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        overridden = paddle_overrides(type(self))
        if overridden:
            advice = "; ".join(
                f"{name} -> {_INSTEAD.get(name, f'one of the events {_EVENTS}')}" for name in overridden
            )
            raise HubcoreError(
                f"{type(self).__name__} overrides PaddleHub's {', '.join(overridden)}, which hubcore never "
                f"calls; override instead: {advice}"
            )
        super().__init__(*args, **kwargs)
