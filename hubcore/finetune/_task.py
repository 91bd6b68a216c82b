"""BasicTask: a head on a module's encoder, and the loop that trains, evaluates and saves it.

Subclass it to make a task.  The override points, in the order a step uses them:

``build_head()``                        the trainable network on top of the encoder (required)
``encoder_inputs(batch)``               which batch entries the encoder receives
``forward(model, batch)``               encoder + head -> dict of outputs (``model.encoder``, ``model.head``)
``compute_loss(outputs, batch)``        scalar loss (default: ``outputs["loss"]``)
``batch_predictions(outputs, batch)``   one prediction per example, for metrics and predict()
``batch_labels(batch)``                 one gold label per example, for metrics
``compute_metrics(predictions, labels)``  dict of floats for an evaluation phase
``main_metric`` / ``greater_is_better``   which metric picks the best model
``postprocess(prediction)``             what predict() returns for one example
``move_batch(batch, device)``           put a collated batch on the device
``encode_inputs(data)``                 prediction inputs -> encoded examples (default: the reader)
``task_config()`` / ``from_config()``    the constructor arguments saved with the best model
``random_state()`` / ``load_random_state()``  private generators a checkpoint must restore
events: ``on_log``, ``on_eval_end``, ``on_checkpoint``, ``on_best_model``, ``on_train_end``

The loop itself (``finetune``) is not meant to be overridden.  See
``hubcore/finetune/_tasks.py`` for the standard tasks written this way.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from hubcore._errors import HubcoreError
from hubcore.finetune import _checkpoint as ckpt
from hubcore.finetune import _distributed
from hubcore.finetune._config import RunConfig
from hubcore.finetune._interfaces import ModuleContext
from hubcore.finetune._logging import TrainLogger
from hubcore.finetune._sampler import ResumableSampler
from hubcore.finetune._saved import TASK_FORMAT, load_task, module_record, rebuild_context, registered_name

__all__ = ["TASK_FORMAT", "BasicTask", "TaskModel", "TrainState", "load_task", "rebuild_context"]


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


@dataclass
class TrainState:
    """Where training stands: what a checkpoint must bring back."""

    step: int = 0
    epoch: int = 0
    position: int = 0  # batches of ``epoch`` already consumed
    best_metric: float | None = None
    best_step: int | None = None
    history: list[dict[str, Any]] = field(default_factory=list)


class BasicTask:
    """A fine-tuning task: a head on ``context.encoder``, data from ``reader``, settings from ``config``.

    ``module`` says how to rebuild the encoder when the best model is loaded in a
    new process: ``{"name": registered module name, "kwargs": {...},
    "context_kwargs": {...}}`` (``hubcore.Module(name, **kwargs).context(**context_kwargs)``)
    or ``{"entry": "package.module:factory", ...}`` naming a registered module's entry.
    When omitted it is taken from ``context.extra["module"]``, which modules fill in.
    The task's and the reader's classes must be registered through the hooks too: a saved
    model names all three by their registered names (see ``_saved.py``).
    """

    main_metric: str = "loss"
    greater_is_better: bool = False
    non_feature_keys: tuple[str, ...] = ("labels",)

    def __init__(
        self,
        context: ModuleContext,
        reader: Any,
        config: RunConfig | None = None,
        *,
        module: dict[str, Any] | None = None,
    ) -> None:
        self.context = context
        self.reader = reader
        self.config = config if config is not None else RunConfig()
        self.module_info = module if module is not None else (context.extra or {}).get("module")
        self.label_list: list[str] = list(getattr(reader, "label_list", None) or [])
        self.hparams: dict[str, Any] = {}
        self.state = TrainState()
        self._model: TaskModel | None = None
        self._encoded: dict[str, list[dict[str, Any]]] = {}
        self._logger: TrainLogger | None = None
        self._device: str | None = None
        self._dist: _distributed.DistContext | None = None

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
        cls, context: ModuleContext, reader: Any, task_config: dict[str, Any], config: RunConfig | None = None
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
        """The reader's encoded examples of ``phase``, encoded once."""
        if phase not in self._encoded:
            cached = getattr(self.reader, "encoded", None)
            if callable(cached):
                self._encoded[phase] = list(cached(phase))
            else:
                self._encoded[phase] = list(self.reader.encode(self.reader.examples(phase)))
        return self._encoded[phase]

    def _batches(self, features: list[dict[str, Any]], batch_size: int) -> Iterator[dict[str, Any]]:
        for start in range(0, len(features), batch_size):
            yield self.move_batch(self.reader.collate(features[start : start + batch_size]), self.device)

    # ------------------------------------------------------------------ evaluation and prediction

    @torch.no_grad()
    def eval(self, phase: str = "dev") -> dict[str, float]:
        """Loss and metrics on a phase of the reader's data set."""
        features = self.encoded(phase)
        if not features:
            raise HubcoreError(f"cannot evaluate: the {phase!r} split of the data set is empty")
        model = self.model.to(self.device)
        was_training = model.training
        model.eval()
        total_loss, count = 0.0, 0
        predictions: list[Any] = []
        labels: list[Any] = []
        try:
            for batch in self._batches(features, self.config.eval_batch_size or self.config.batch_size):
                outputs = model(batch)
                size = len(self.batch_labels(batch))
                total_loss += float(self.compute_loss(outputs, batch)) * size
                count += size
                predictions.extend(self.batch_predictions(outputs, batch))
                labels.extend(self.batch_labels(batch))
        finally:
            model.train(was_training)
        metrics = {"loss": total_loss / max(count, 1), **self.compute_metrics(predictions, labels)}
        self.on_eval_end(phase, metrics, self.state.step)
        return metrics

    @torch.no_grad()
    def predict(self, data: Sequence[Any], *, batch_size: int | None = None, raw: bool = False) -> list[Any]:
        """Predictions for new inputs (``raw=True``: before postprocess())."""
        features = self.encode_inputs(data)
        model = self.model.to(self.device)
        was_training = model.training
        model.eval()
        results: list[Any] = []
        try:
            for batch in self._batches(
                features, batch_size or self.config.eval_batch_size or self.config.batch_size
            ):
                results.extend(self.batch_predictions(model(batch), batch))
        finally:
            model.train(was_training)
        return results if raw else [self.postprocess(p) for p in results]

    def finetune_and_eval(self) -> dict[str, Any]:
        """finetune(), then the test split evaluated with the best model (when both exist)."""
        summary = self.finetune()
        if self._dist is not None and not self._dist.is_main:
            return summary  # rank 0 alone scores the test split
        best = self.config.checkpoint_path / ckpt.BEST_MODEL / ckpt.WEIGHTS
        if best.is_file():
            self.model.load_state_dict(ckpt.load_weights(best))
        test = self.encoded("test")
        if test:
            summary["test"] = self.eval("test")
            self._log_results("test", summary["test"])
        return summary

    # ------------------------------------------------------------------ training

    def finetune(self) -> dict[str, Any]:
        """Train for ``config.num_epoch`` epochs, resuming from the last complete checkpoint.

        Evaluates on the dev split every ``eval_interval`` steps and at each epoch
        end, saving the best model by ``main_metric`` to ``checkpoint_dir/best_model``.
        Returns the final state: steps, best metric and the evaluation history.
        """
        return _Trainer(self).run()

    def _log_results(self, phase: str, metrics: dict[str, float]) -> None:
        """Scores of a finished run (the test split) to the console, metrics.jsonl and TensorBoard."""
        logger = TrainLogger(self.config.checkpoint_path, tensorboard=self.config.tensorboard, progress=False)
        try:
            logger.record("eval", self.state.step, metrics, phase=phase)
            logger.message(f"[{phase}] " + _format(metrics))
        finally:
            logger.close()

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
        to_config = getattr(self.reader, "to_config", None)
        reader_config = to_config() if callable(to_config) else None
        if isinstance(reader_config, dict):
            reader_config = {k: v for k, v in reader_config.items() if k != "entry"}
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


class _Trainer:
    """One finetune() call: set-up, resume, the step loop, evaluation and saving."""

    def __init__(self, task: BasicTask) -> None:
        self.task = task
        self.config = task.config
        self.root = self.config.checkpoint_path

    def run(self) -> dict[str, Any]:
        task, config = self.task, self.config
        device = task.device
        self.dist = _distributed.setup(config.use_data_parallel, device)
        task._dist = self.dist
        self.main = self.dist.is_main
        task.saved_names()  # an unregistered task, reader or module fails now, not at the first save
        _seed_everything(config.seed + self.dist.rank)
        task.state = TrainState()  # from the checkpoint, if any, or from the start
        model = task.model.to(device)
        model.train()
        train = task.encoded("train")
        if not train:
            raise HubcoreError("cannot fine-tune: the 'train' split of the data set is empty")
        self.eval_phase = "dev" if task.encoded("dev") else None
        self.sampler = ResumableSampler(
            len(train),
            config.batch_size,
            seed=config.seed,
            rank=self.dist.rank,
            world_size=self.dist.world_size,
        )
        per_epoch = self.sampler.batches_per_epoch
        total = per_epoch * config.num_epoch
        if config.max_train_steps is not None:
            total = min(total, config.max_train_steps)
        self.total = total
        self.strategy = config.strategy if config.strategy is not None else _default_strategy()
        prefix = "encoder."
        params_layer = {prefix + k: v for k, v in task.context.get_params_layer().items()}
        self.optimizer, self.scheduler = self.strategy.build(
            model, num_train_steps=total, params_layer=params_layer or None
        )
        self._resume(model)
        wrapped = _distributed.wrap(model, self.dist, device)
        logger = TrainLogger(
            self.root, enabled=self.main, tensorboard=config.tensorboard, progress=config.progress
        )
        task._logger = logger if self.main else None
        state = task.state
        if self.main:
            logger.record(
                "start",
                state.step,
                {
                    "total_steps": total,
                    "steps_per_epoch": per_epoch,
                    "world_size": self.dist.world_size,
                    "resumed_from": self.resumed_from,
                },
            )
        for note in self.resume_notes:
            logger.record("resume_fallback", state.step, {"note": note})
            logger.message(f"warning: {note}")
        logger.start(total, state.step)
        start_step = state.step
        running_loss = torch.zeros((), device=device)
        running_count = 0
        last_eval = last_save = -1
        tic, tic_step = time.perf_counter(), state.step
        try:
            while state.epoch < config.num_epoch and state.step < total:
                self.sampler.start_epoch()
                for indices in self.sampler.batches(state.position):
                    if state.step >= total:
                        break
                    batch = task.move_batch(task.reader.collate([train[i] for i in indices]), device)
                    running_loss += self._step(model, wrapped, batch)
                    running_count += 1
                    if state.step % config.log_interval == 0 or state.step == total:
                        speed = (state.step - tic_step) / max(time.perf_counter() - tic, 1e-9)
                        self._log_train(logger, float(running_loss) / running_count, speed)
                        running_loss.zero_()
                        running_count = 0
                        tic, tic_step = time.perf_counter(), state.step
                    else:
                        logger.advance(state.step)
                    epoch_done = state.position >= per_epoch
                    if state.step % config.eval_interval == 0 or epoch_done or state.step == total:
                        self._evaluate(logger)
                        last_eval = state.step
                    interval = config.save_ckpt_interval
                    if (interval and state.step % interval == 0) or epoch_done or state.step == total:
                        self._save_checkpoint(model)
                        last_save = state.step
                if state.position >= per_epoch:
                    state.epoch += 1
                    state.position = 0
                else:
                    break  # max_train_steps reached mid-epoch
            trained = state.step > start_step
            if trained and last_eval != state.step and state.step == total:
                self._evaluate(logger)
            if trained and last_save != state.step and state.step == total:
                self._save_checkpoint(model)
        finally:
            logger.close()
            task._logger = None
        self.dist.barrier()
        summary = {
            "steps": state.step,
            "best_metric": state.best_metric,
            "best_step": state.best_step,
            "main_metric": task.main_metric,
            "history": list(state.history),
        }
        task.on_train_end(state)
        return summary

    def _step(self, model: nn.Module, wrapped: nn.Module, batch: dict[str, Any]) -> torch.Tensor:
        """One optimiser step; returns the detached loss (penalty included)."""
        task, state = self.task, self.task.state
        outputs = wrapped(batch)
        loss = task.compute_loss(outputs, batch)
        penalty = self.strategy.penalty(model)
        if penalty is not None:
            loss = loss + penalty
        self.optimizer.zero_grad(set_to_none=True)
        torch.autograd.backward(loss)
        self.strategy.before_optimizer_step(model)
        self.optimizer.step()
        if self.scheduler is not None:
            self.scheduler.step()
        state.step += 1
        state.position += 1
        self.strategy.on_step_end(state.step, model)
        return loss.detach()

    def _log_train(self, logger: TrainLogger, mean_loss: float, speed: float) -> None:
        state = self.task.state
        values = {
            "loss": mean_loss,
            "lr": float(self.optimizer.param_groups[0]["lr"]),
            "steps_per_s": speed,
            "epoch": state.epoch,
        }
        logger.record("train", state.step, values, phase="train")
        logger.advance(state.step, mean_loss, speed)
        self.task.on_log(state.step, values)

    def _evaluate(self, logger: TrainLogger) -> None:
        task, state = self.task, self.task.state
        if self.eval_phase is None:
            # No dev split: the latest weights are the best we can name.
            if self.main:
                folder = ckpt.write_best_model(
                    self.root, task.model.state_dict(), task.best_model_meta({}, "train")
                )
                task.on_best_model(folder, {}, state.step)
            self.dist.barrier()
            return
        if self.main:
            metrics = task.eval(self.eval_phase)
            logger.record("eval", state.step, metrics, phase=self.eval_phase)
            logger.message(f"step {state.step} [{self.eval_phase}] " + _format(metrics))
            state.history.append({"step": state.step, "phase": self.eval_phase, **metrics})
            value = metrics.get(task.main_metric)
            if value is None:
                raise HubcoreError(
                    f"{type(task).__name__}.main_metric {task.main_metric!r} is not among its metrics "
                    f"{sorted(metrics)}"
                )
            if task.is_better(float(value), state.best_metric):
                state.best_metric, state.best_step = float(value), state.step
                folder = ckpt.write_best_model(
                    self.root, task.model.state_dict(), task.best_model_meta(metrics, self.eval_phase)
                )
                logger.record("best_model", state.step, {task.main_metric: float(value)})
                task.on_best_model(folder, metrics, state.step)
        self.dist.barrier()

    def _save_checkpoint(self, model: nn.Module) -> None:
        state, per_epoch = self.task.state, self.sampler.batches_per_epoch
        if state.position >= per_epoch:
            epoch, position = state.epoch + 1, 0
            sampler_state = {"epoch_state": self.sampler.generator.get_state()}
        else:
            epoch, position = state.epoch, state.position
            sampler_state = self.sampler.state_dict()
        rng_states = self.dist.gather({**ckpt.rng_state(), "task": self.task.random_state()})
        if self.main:
            strategy_state = getattr(self.strategy, "state_dict", None)
            payload = {
                "format": TASK_FORMAT,
                "step": state.step,
                "epoch": epoch,
                "position": position,
                "best_metric": state.best_metric,
                "best_step": state.best_step,
                "history_json": json.dumps(state.history),
                "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
                "strategy": strategy_state() if callable(strategy_state) else None,
                "sampler": sampler_state,
                "rng": rng_states,
                "world_size": self.dist.world_size,
            }
            folder = ckpt.write_checkpoint(self.root, state.step, model.state_dict(), payload)
            ckpt.sweep(self.root, self.config.keep_checkpoints)
            if self.task._logger is not None:
                self.task._logger.record("checkpoint", state.step, {"path": folder.name})
            self.task.on_checkpoint(folder, state.step)
        self.dist.barrier()

    def _resume(self, model: nn.Module) -> None:
        """Continue from the newest complete checkpoint that reads back; a damaged one is skipped."""
        self.resumed_from: str | None = None
        self.resume_notes: list[str] = []
        if not self.config.resume:
            return
        found = ckpt.complete_checkpoints(self.root)
        chosen = None
        for _, folder in reversed(found):
            try:
                payload = ckpt.read_state(folder)
                ckpt.check_state(payload, folder)
                weights = ckpt.load_weights(folder / ckpt.WEIGHTS)
            except HubcoreError as exc:
                self.resume_notes.append(
                    f"checkpoint {folder.name} is damaged ({exc}); falling back to the previous complete one"
                )
                continue
            chosen = (folder, payload, weights)
            break
        self.dist.barrier()
        if self.main:
            ckpt.sweep(self.root, self.config.keep_checkpoints)
        if chosen is None:
            if found:
                raise HubcoreError(
                    f"no checkpoint under {self.root} can be resumed: " + "; ".join(self.resume_notes)
                )
            return
        found_folder, payload, weights = chosen
        self.resumed_from = found_folder.name
        if payload.get("world_size", 1) != self.dist.world_size:
            raise HubcoreError(
                f"checkpoint {found_folder} was written by {payload.get('world_size')} processes; "
                f"this run has {self.dist.world_size}"
            )
        model.load_state_dict(weights)
        self.optimizer.load_state_dict(payload["optimizer"])
        if self.scheduler is not None and payload["scheduler"] is not None:
            self.scheduler.load_state_dict(payload["scheduler"])
        if payload["strategy"] is not None and callable(getattr(self.strategy, "load_state_dict", None)):
            self.strategy.load_state_dict(payload["strategy"])
        self.sampler.load_state_dict(payload["sampler"])
        state = self.task.state
        state.step, state.epoch, state.position = payload["step"], payload["epoch"], payload["position"]
        state.best_metric, state.best_step = payload["best_metric"], payload["best_step"]
        state.history = json.loads(payload["history_json"])
        ckpt.set_rng_state(payload["rng"][self.dist.rank])
        self.task.load_random_state(payload["rng"][self.dist.rank].get("task", {}))
        # Strategies that act per step (unfreezing) must see the step they resume at.
        if state.step and callable(getattr(self.strategy, "on_step_end", None)):
            self.strategy.on_step_end(state.step, model)


def _default_strategy() -> Any:
    from hubcore.finetune._strategies import AdamWeightDecayStrategy

    return AdamWeightDecayStrategy()


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def _format(metrics: dict[str, float]) -> str:
    return " ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items())
