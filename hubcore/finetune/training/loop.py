"""The training loop: one :class:`Trainer` per ``finetune()`` call, owning the run's state.

Read :meth:`Trainer.finetune` top to bottom: set up, resume, then for every batch
step, maybe log, maybe evaluate, maybe save.  The task supplies the network and the
per-batch computations through its override points; the trainer owns everything
about the run itself (distributed context, logger, sampler, optimiser, train state)
and never writes into the task.
"""

from __future__ import annotations

import json
import random
import time
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from hubcore._errors import HubcoreError
from hubcore.finetune.contract import Strategy
from hubcore.finetune.saved import TASK_FORMAT
from hubcore.finetune.training import checkpoint as ckpt
from hubcore.finetune.training import distributed
from hubcore.finetune.training.log import TrainLogger, format_metrics
from hubcore.finetune.training.sampler import ResumableSampler
from hubcore.finetune.training.state import TrainState

if TYPE_CHECKING:
    from hubcore.finetune.tasks.basic import BasicTask


class Trainer:
    """Trains one task: set-up, resume, the step loop, evaluation and saving."""

    def __init__(self, task: BasicTask) -> None:
        self.task = task
        self.config = task.config
        self.root = self.config.checkpoint_path
        self.state = TrainState()  # from the checkpoint, if any, or from the start
        self.dist = distributed.DistContext()
        self.logger = TrainLogger(self.root, enabled=False)
        self.resumed_from: str | None = None
        self.resume_notes: list[str] = []

    def finetune(self) -> dict[str, Any]:
        """The whole run; returns steps, the best metric and the evaluation history."""
        task, config, state = self.task, self.config, self.state
        device = task.device
        self.dist = distributed.setup(config.use_data_parallel, device)
        task.saved_names()  # an unregistered task, reader or module fails now, not at the first save
        _seed_everything(config.seed + self.dist.rank)
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
        self.strategy: Strategy = config.strategy if config.strategy is not None else _default_strategy()
        # The context names the encoder's own parameters; in the task model they sit under "encoder.".
        params_layer = task.context.get_params_layer(prefix="encoder.")
        self.optimizer, self.scheduler = self.strategy.build(
            model, num_train_steps=total, params_layer=params_layer or None
        )
        self._resume(model)
        wrapped = distributed.wrap(model, self.dist, device)
        main = self.dist.is_main
        self.logger = logger = TrainLogger(
            self.root, enabled=main, tensorboard=config.tensorboard, progress=config.progress
        )
        if main:
            start = {"total_steps": total, "steps_per_epoch": per_epoch, "world_size": self.dist.world_size}
            logger.record("start", state.step, {**start, "resumed_from": self.resumed_from})
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
                        self._log_train(float(running_loss) / running_count, speed)
                        running_loss.zero_()
                        running_count = 0
                        tic, tic_step = time.perf_counter(), state.step
                    else:
                        logger.advance(state.step)
                    epoch_done = state.position >= per_epoch
                    if state.step % config.eval_interval == 0 or epoch_done or state.step == total:
                        self._evaluate()
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
                self._evaluate()
            if trained and last_save != state.step and state.step == total:
                self._save_checkpoint(model)
        finally:
            logger.close()
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

    def finetune_and_eval(self) -> dict[str, Any]:
        """finetune(), then the test split scored with the best model (when both exist)."""
        summary = self.finetune()
        if not self.dist.is_main:
            return summary  # rank 0 alone scores the test split
        task = self.task
        best = self.root / ckpt.BEST_MODEL / ckpt.WEIGHTS
        if best.is_file():
            task.model.load_state_dict(ckpt.load_weights(best))
        if task.encoded("test"):
            summary["test"] = task.eval("test")
            self._log_results("test", summary["test"])
        return summary

    def _log_results(self, phase: str, metrics: dict[str, float]) -> None:
        """Scores of a finished run (the test split) to the console, metrics.jsonl and TensorBoard."""
        logger = TrainLogger(self.root, tensorboard=self.config.tensorboard, progress=False)
        try:
            logger.record("eval", self.state.step, metrics, phase=phase)
            logger.message(f"[{phase}] " + format_metrics(metrics))
        finally:
            logger.close()

    def _step(self, model: nn.Module, wrapped: nn.Module, batch: dict[str, Any]) -> torch.Tensor:
        """One optimiser step; returns the detached loss (penalty included)."""
        task, state = self.task, self.state
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

    def _log_train(self, mean_loss: float, speed: float) -> None:
        state = self.state
        values = {
            "loss": mean_loss,
            "lr": float(self.optimizer.param_groups[0]["lr"]),
            "steps_per_s": speed,
            "epoch": state.epoch,
        }
        self.logger.record("train", state.step, values, phase="train")
        self.logger.advance(state.step, mean_loss, speed)
        self.task.on_log(state.step, values)

    def _evaluate(self) -> None:
        task, state = self.task, self.state
        if self.eval_phase is None:
            # No dev split: the latest weights are the best we can name.
            if self.dist.is_main:
                folder = ckpt.write_best_model(
                    self.root, task.model.state_dict(), task.best_model_meta({}, "train")
                )
                task.on_best_model(folder, {}, state.step)
            self.dist.barrier()
            return
        if self.dist.is_main:
            metrics = task.eval(self.eval_phase)
            self.logger.record("eval", state.step, metrics, phase=self.eval_phase)
            self.logger.message(f"step {state.step} [{self.eval_phase}] " + format_metrics(metrics))
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
                self.logger.record("best_model", state.step, {task.main_metric: float(value)})
                task.on_best_model(folder, metrics, state.step)
        self.dist.barrier()

    def _save_checkpoint(self, model: nn.Module) -> None:
        state, per_epoch = self.state, self.sampler.batches_per_epoch
        if state.position >= per_epoch:
            epoch, position = state.epoch + 1, 0
            sampler_state = {"epoch_state": self.sampler.generator.get_state()}
        else:
            epoch, position = state.epoch, state.position
            sampler_state = self.sampler.state_dict()
        rng_states = self.dist.gather({**ckpt.rng_state(), "task": self.task.random_state()})
        if self.dist.is_main:
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
                "strategy": self.strategy.state_dict(),
                "sampler": sampler_state,
                "rng": rng_states,
                "world_size": self.dist.world_size,
            }
            folder = ckpt.write_checkpoint(self.root, state.step, model.state_dict(), payload)
            ckpt.sweep(self.root, self.config.keep_checkpoints)
            self.logger.record("checkpoint", state.step, {"path": folder.name})
            self.task.on_checkpoint(folder, state.step)
        self.dist.barrier()

    def _resume(self, model: nn.Module) -> None:
        """Continue from the newest complete checkpoint that reads back; a damaged one is skipped."""
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
        if self.dist.is_main:
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
        if payload["strategy"] is not None:
            self.strategy.load_state_dict(payload["strategy"])
        self.sampler.load_state_dict(payload["sampler"])
        state = self.state
        state.step, state.epoch, state.position = payload["step"], payload["epoch"], payload["position"]
        state.best_metric, state.best_step = payload["best_metric"], payload["best_step"]
        state.history = json.loads(payload["history_json"])
        ckpt.set_rng_state(payload["rng"][self.dist.rank])
        self.task.load_random_state(payload["rng"][self.dist.rank].get("task", {}))
        # Strategies that act per step (unfreezing) must see the step they resume at.
        if state.step:
            self.strategy.on_step_end(state.step, model)


def _default_strategy() -> Strategy:
    from hubcore.finetune.strategies.presets import AdamWeightDecayStrategy

    return AdamWeightDecayStrategy()


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
