"""BasicTask: a head on a module's encoder, trained by :class:`~hubcore.finetune.training.loop.Trainer`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from hubcore._errors import HubcoreError
from hubcore.finetune.config import RunConfig
from hubcore.finetune.contract import ModuleContext, Reader
from hubcore.finetune.saved import TASK_FORMAT, module_record, registered_name
from hubcore.finetune.training.state import TrainState

if TYPE_CHECKING:
    from hubcore.finetune.training.loop import Trainer


class TaskModel(nn.Module):
    """The trained network: ``encoder`` (the module's) and ``head`` (the task's).

    Its forward defers to the task's ``forward``, so the task stays in charge of
    the computation while DDP and ``state_dict`` see one plain module.
    """

    def __init__(self, encoder: nn.Module, head: nn.Module, forward_fn: Any) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = head
        self._forward_fn = forward_fn

    def forward(self, batch: dict[str, Any]) -> dict[str, torch.Tensor]:
        outputs: dict[str, torch.Tensor] = self._forward_fn(self, batch)
        return outputs


class BasicTask:
    """A fine-tuning task: a head on ``context.encoder``, data from ``reader``, settings from ``config``.

    Subclass it to make a task.  The override points, in the order a step uses them:

    - ``build_head()``: the trainable network on top of the encoder (required)
    - ``encoder_inputs(batch)``: which batch entries the encoder receives
    - ``forward(model, batch)``: encoder + head -> dict of outputs (``model.encoder``, ``model.head``)
    - ``compute_loss(outputs, batch)``: scalar loss (default: ``outputs["loss"]``)
    - ``batch_predictions(outputs, batch)``: one prediction per example, for metrics and predict()
    - ``batch_labels(batch)``: one gold label per example, for metrics
    - ``compute_metrics(predictions, labels)``: dict of floats for an evaluation phase
    - ``main_metric`` / ``greater_is_better``: which metric picks the best model
    - ``postprocess(prediction)``: what predict() returns for one example
    - ``move_batch(batch, device)``: put a collated batch on the device
    - ``encode_inputs(data)``: prediction inputs -> encoded examples (default: the reader)
    - ``task_config()`` / ``from_config()``: the constructor arguments saved with the best model
    - ``random_state()`` / ``load_random_state()``: private generators a checkpoint must restore
    - events: ``on_log``, ``on_eval_end``, ``on_checkpoint``, ``on_best_model``, ``on_train_end``

    The loop itself (:meth:`finetune`) belongs to the trainer and is not overridden; the
    standard tasks in ``hubcore.finetune.tasks`` are written with these points alone.

    ``module`` says how to rebuild the encoder when the best model is loaded in a
    new process: ``{"name": registered module name, "kwargs": {...},
    "context_kwargs": {...}}`` (``hubcore.Module(name, **kwargs).context(**context_kwargs)``)
    or ``{"entry": "package.module:factory", ...}`` naming a registered module's entry.
    When omitted it is taken from ``context.extra["module"]``, which modules fill in.
    The task's and the reader's classes must be registered through the hooks too: a saved
    model names all three by their registered names (see :mod:`hubcore.finetune.saved`).
    """

    main_metric: str = "loss"
    greater_is_better: bool = False
    non_feature_keys: tuple[str, ...] = ("labels",)

    def __init__(
        self,
        context: ModuleContext,
        reader: Reader,
        config: RunConfig | None = None,
        *,
        module: dict[str, Any] | None = None,
    ) -> None:
        self.context = context
        self.reader = reader
        self.config = config if config is not None else RunConfig()
        self.module_info = module if module is not None else (context.extra or {}).get("module")
        self.label_list: list[str] = list(reader.label_list)
        self.hparams: dict[str, Any] = {}
        self.state = TrainState()
        self._model: TaskModel | None = None
        self._device: str | None = None

    # ------------------------------------------------------------------ override points

    def build_head(self) -> nn.Module:
        """The task's own layers; called once, under the run's seed."""
        raise NotImplementedError(f"{type(self).__name__} must implement build_head()")

    def encoder_inputs(self, batch: dict[str, Any]) -> dict[str, Any]:
        """The batch minus labels and other entries the encoder does not take."""
        return {k: v for k, v in batch.items() if k not in self.non_feature_keys}

    def forward(self, model: TaskModel, batch: dict[str, Any]) -> dict[str, torch.Tensor]:
        """Encoder features into the head: ``head(features, batch)`` returns the outputs dict."""
        features = model.encoder(**self.encoder_inputs(batch))
        outputs: dict[str, torch.Tensor] = model.head(features, batch)
        return outputs

    def compute_loss(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> torch.Tensor:
        """The training loss; by default the head's own ``outputs["loss"]``."""
        if "loss" not in outputs:
            raise NotImplementedError(f"{type(self).__name__} must implement compute_loss()")
        return outputs["loss"]

    def batch_predictions(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> list[Any]:
        """One prediction per example (plain Python values)."""
        return outputs["logits"].detach().float().cpu().tolist()

    def batch_labels(self, batch: dict[str, Any]) -> list[Any]:
        """One gold label per example, comparable with batch_predictions()."""
        labels: list[Any] = batch["labels"].detach().cpu().tolist()
        return labels

    def compute_metrics(self, predictions: list[Any], labels: list[Any]) -> dict[str, float]:
        """Metrics of one evaluation phase; ``loss`` is added by the loop."""
        return {}

    def is_better(self, value: float, best: float | None) -> bool:
        """Whether ``value`` of the main metric beats the best so far."""
        if best is None:
            return True
        if value != value:  # NaN never wins
            return False
        return value > best if self.greater_is_better else value < best

    def postprocess(self, prediction: Any) -> Any:
        """What predict() returns for one example (a label name, a tag list...)."""
        return prediction

    def move_batch(self, batch: dict[str, Any], device: str) -> dict[str, Any]:
        """Tensors to ``device``; other values untouched."""
        return {k: v.to(device, non_blocking=True) if torch.is_tensor(v) else v for k, v in batch.items()}

    def encode_inputs(self, data: Sequence[Any]) -> list[dict[str, Any]]:
        """Prediction inputs (texts, text pairs...) into encoded examples."""
        encoded: list[dict[str, Any]] = self.reader.encode_texts(data)
        return encoded

    def task_config(self) -> dict[str, Any]:
        """JSON-ready constructor keywords that rebuild this task (``from_config``)."""
        return dict(self.hparams)

    @classmethod
    def from_config(
        cls,
        context: ModuleContext,
        reader: Reader,
        task_config: dict[str, Any],
        config: RunConfig | None = None,
    ) -> BasicTask:
        """The inverse of task_config(), used by load_task()."""
        return cls(context, reader, config, **task_config)

    def on_log(self, step: int, values: dict[str, float]) -> None:
        """After a training log line (every ``log_interval`` steps)."""

    def on_eval_end(self, phase: str, metrics: dict[str, float], step: int) -> None:
        """After an evaluation during training (or a standalone eval())."""

    def on_checkpoint(self, folder: Path, step: int) -> None:
        """After a periodic checkpoint is complete (main process only)."""

    def on_best_model(self, folder: Path, metrics: dict[str, float], step: int) -> None:
        """After a new best model is saved (main process only)."""

    def on_train_end(self, state: TrainState) -> None:
        """After finetune() finishes."""

    def random_state(self) -> dict[str, torch.Tensor]:
        """States of this process's own random generators, saved in every checkpoint.

        Python's, NumPy's and torch's global generators are saved anyway; this is for
        private ``torch.Generator`` objects (augmentation), so that a resumed run
        draws what an unbroken one would.  By default: a ``_generator`` or
        ``generator`` attribute of the task and of the reader.
        """
        found = {}
        for owner_name, owner in (("task", self), ("reader", self.reader)):
            for attribute in ("_generator", "generator"):
                generator = getattr(owner, attribute, None)
                if isinstance(generator, torch.Generator):
                    found[f"{owner_name}.{attribute}"] = generator.get_state()
        return found

    def load_random_state(self, state: dict[str, torch.Tensor]) -> None:
        """Undo :meth:`random_state` on resume."""
        for key, value in state.items():
            owner_name, _, attribute = key.partition(".")
            owner = self if owner_name == "task" else self.reader
            generator = getattr(owner, attribute, None)
            if isinstance(generator, torch.Generator):
                generator.set_state(value)

    # ------------------------------------------------------------------ model and data

    @property
    def model(self) -> TaskModel:
        """Encoder plus head, built on first use with the head initialised from ``config.seed``."""
        if self._model is None:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(self.config.seed)
                head = self.build_head()
            self._model = TaskModel(self.context.encoder, head, self.forward)
        return self._model

    @property
    def device(self) -> str:
        """Where the model runs."""
        if self._device is None:
            self._device = self.config.device
        return self._device

    def encoded(self, phase: str) -> list[dict[str, Any]]:
        """The reader's encoded examples of ``phase`` (the reader encodes each split once and keeps it)."""
        return self.reader.encoded(phase)

    def inference_batches(
        self, features: Sequence[dict[str, Any]], batch_size: int | None = None
    ) -> Iterator[tuple[dict[str, torch.Tensor], dict[str, Any]]]:
        """``(outputs, batch)`` over ``features`` in evaluation mode without gradients.

        What eval(), predict() and predict_proba() share: dropout off, no autograd, the
        model's training flag restored afterwards (even when the caller stops early).
        """
        size = batch_size or self.config.eval_batch_size or self.config.batch_size
        model = self.model.to(self.device)
        was_training = model.training
        model.eval()
        try:
            for start in range(0, len(features), size):
                batch = self.move_batch(self.reader.collate(features[start : start + size]), self.device)
                with torch.no_grad():
                    outputs = model(batch)
                yield outputs, batch
        finally:
            model.train(was_training)

    # ------------------------------------------------------------------ evaluation and prediction

    def eval(self, phase: str = "dev") -> dict[str, float]:
        """Loss and metrics on a phase of the reader's data set."""
        features = self.encoded(phase)
        if not features:
            raise HubcoreError(f"cannot evaluate: the {phase!r} split of the data set is empty")
        total_loss, count = 0.0, 0
        predictions: list[Any] = []
        labels: list[Any] = []
        for outputs, batch in self.inference_batches(features):
            batch_labels = self.batch_labels(batch)
            total_loss += float(self.compute_loss(outputs, batch)) * len(batch_labels)
            count += len(batch_labels)
            predictions.extend(self.batch_predictions(outputs, batch))
            labels.extend(batch_labels)
        metrics = {"loss": total_loss / max(count, 1), **self.compute_metrics(predictions, labels)}
        self.on_eval_end(phase, metrics, self.state.step)
        return metrics

    def predict(self, data: Sequence[Any], *, batch_size: int | None = None, raw: bool = False) -> list[Any]:
        """Predictions for new inputs (``raw=True``: before postprocess())."""
        results: list[Any] = []
        for outputs, batch in self.inference_batches(self.encode_inputs(data), batch_size):
            results.extend(self.batch_predictions(outputs, batch))
        return results if raw else [self.postprocess(p) for p in results]

    # ------------------------------------------------------------------ training

    def finetune(self) -> dict[str, Any]:
        """Train for ``config.num_epoch`` epochs, resuming from the last complete checkpoint.

        Evaluates on the dev split every ``eval_interval`` steps and at each epoch
        end, saving the best model by ``main_metric`` to ``checkpoint_dir/best_model``.
        Returns the final state: steps, best metric and the evaluation history.
        """
        return self._new_trainer().finetune()

    def finetune_and_eval(self) -> dict[str, Any]:
        """finetune(), then the test split scored with the best model (when both exist)."""
        return self._new_trainer().finetune_and_eval()

    def _new_trainer(self) -> Trainer:
        """A trainer for one run; ``self.state`` is its state, so the task reports the run as it goes."""
        from hubcore.finetune.training.loop import Trainer

        trainer = Trainer(self)
        self.state = trainer.state
        return trainer

    def saved_names(self) -> dict[str, Any]:
        """The registered names a saved model gives its task, reader and module (an error if unregistered)."""
        return {
            "task": registered_name("task", type(self)),
            "reader": registered_name("reader", type(self.reader)),
            "module": module_record(self.module_info),
        }

    def best_model_meta(self, metrics: dict[str, float], phase: str) -> dict[str, Any]:
        """What best_model/task.json holds: registered names and configs, never an import path."""
        names = self.saved_names()
        reader_config = {k: v for k, v in self.reader.to_config().items() if k != "entry"}
        return {
            "format": TASK_FORMAT,
            "task": names["task"],
            "task_config": self.task_config(),
            "reader": names["reader"],
            "reader_config": reader_config,
            "label_list": self.label_list,
            "module": names["module"],
            "metric": {
                "name": self.main_metric,
                "value": metrics.get(self.main_metric),
                "phase": phase,
                "step": self.state.step,
                "all": metrics,
            },
            "run_config": self.config.to_dict(),
        }
