"""PaddleHub 1.x's task constructors and run methods over hubcore's tasks.

Each compat task builds the real hubcore task (so what it saves is a normal
``best_model`` that :func:`hubcore.load_task` reads) and keeps PaddleHub's calling
conventions around it: ``feature=``/``token_feature=`` (a module output from
``context()``), ``data_reader=`` or ``dataset=``, ``feed_list=`` (ignored with a note),
``metrics_choices=``, and ``predict(data, label_list=, load_best_model=,
return_result=)`` / ``eval(load_best_model=)``.  Any other attribute is the real task's
(``task.task`` is the task itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hubcore._errors import HubcoreError
from hubcore.compat._module import Variable
from hubcore.compat._notes import note_once
from hubcore.compat.reader import CompatReader


@dataclass
class RunState:
    """One batch of PaddleHub's ``predict(return_result=False)`` output."""

    run_results: list[Any]
    run_examples: int
    run_step: int = 1


def _context_of(feature: Any, owner: str) -> Any:
    if not isinstance(feature, Variable) or feature.context is None:
        raise HubcoreError(
            f"{owner}: feature must be an output of module.context(), e.g. outputs['pooled_output'], "
            f"not {type(feature).__name__}"
        )
    return feature.context


def _reader(
    owner: str, data_reader: Any, dataset: Any, context: Any, kind: str, max_seq_len: int | None
) -> Any:
    """The real reader: a compat reader bound to the context, a hubcore reader, or one for ``dataset``."""
    from hubcore._module import load_component
    from hubcore.finetune.readers.base import BaseReader

    if isinstance(data_reader, CompatReader):
        if data_reader.kind != kind:
            raise HubcoreError(f"{owner} needs a {kind} reader, not {type(data_reader).__name__}")
        return data_reader.bind(context)
    if isinstance(data_reader, BaseReader):
        return data_reader
    if data_reader is not None:
        raise HubcoreError(
            f"{owner}: data_reader must be a hub.reader reader, not {type(data_reader).__name__}"
        )
    if dataset is None:
        raise HubcoreError(f"{owner} needs data_reader= or dataset=")
    return load_component("reader", kind)(dataset, context.tokenizer, max_seq_len or context.max_seq_len)


def _metrics(owner: str, choices: Any, allowed: tuple[str, ...], default: str) -> str:
    """The main metric: the first of PaddleHub's ``metrics_choices`` (all must be computed here)."""
    chosen = [default] if choices in (None, "default") else list(choices)
    if not chosen:
        raise HubcoreError(f"{owner}: metrics_choices is empty")
    unknown = [name for name in chosen if name not in allowed]
    if unknown:
        raise HubcoreError(
            f"{owner}: metric(s) {', '.join(map(repr, unknown))} are not computed here; choose from "
            f"{', '.join(allowed)}"
        )
    return str(chosen[0])


def _feed_list(feed_list: Any) -> None:
    if feed_list:
        note_once("feed_list", "feed_list is ignored: the reader's features all go to the module's encoder")


class CompatTask:
    """The PaddleHub-shaped front of a real hubcore task (see the module docstring)."""

    def __init__(self, task: Any, main_metric: str | None = None) -> None:
        self.task = task
        if main_metric is not None:
            task.main_metric = main_metric

    def __getattr__(self, name: str) -> Any:
        return getattr(self.task, name)

    def finetune(self) -> dict[str, Any]:
        """Train (PaddleHub's finetune())."""
        summary: dict[str, Any] = self.task.finetune()
        return summary

    def finetune_and_eval(self) -> dict[str, Any]:
        """Train, then score the test split with the best model."""
        summary: dict[str, Any] = self.task.finetune_and_eval()
        return summary

    def eval(self, phase: str = "dev", load_best_model: bool = False) -> dict[str, float]:
        """Metrics of a phase; ``load_best_model`` first loads ``checkpoint_dir/best_model``."""
        if load_best_model:
            self.load_best_model()
        metrics: dict[str, float] = self.task.eval(phase)
        return metrics

    def load_best_model(self) -> bool:
        """Load the saved best model's weights; False (with a note) when there is none yet."""
        from hubcore.finetune.training import checkpoint as ckpt

        best = self.task.config.checkpoint_path / ckpt.BEST_MODEL / ckpt.WEIGHTS
        if not best.is_file():
            note_once(f"no-best:{best}", f"no best model at {best.parent}: using the current weights")
            return False
        self.task.model.load_state_dict(ckpt.load_weights(best))
        return True

    def predict(
        self,
        data: Sequence[Any] | None = None,
        label_list: Sequence[str] | None = None,
        load_best_model: bool = True,
        return_result: bool = False,
        accelerate_mode: bool = True,
    ) -> list[Any]:
        """PaddleHub's predict(): labels with ``return_result=True``, else per-batch RunStates.

        ``data`` is PaddleHub's list of ``[text_a]`` / ``[text_a, text_b]`` rows (plain
        texts work too); ``label_list`` names the classes when the reader has none.
        """
        if data is None:
            raise HubcoreError("predict() needs data=[[text], ...]")
        if load_best_model:
            self.load_best_model()
        rows = self.prepare(list(data))
        if label_list is not None:
            self.task.label_list = list(label_list)
        if return_result:
            return list(self.task.predict(rows))
        size = self.task.config.eval_batch_size or self.task.config.batch_size
        states = []
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            states.append(RunState(self.batch_results(chunk), run_examples=len(chunk)))
        return states

    def prepare(self, rows: list[Any]) -> list[Any]:
        """Rows in the shape the real task reads (PaddleHub's rows are already)."""
        return rows

    def batch_results(self, rows: list[Any]) -> list[Any]:
        """PaddleHub's ``run_results`` for one batch: the raw predictions."""
        return [self.task.predict(rows, raw=True)]


class _ClassifierTask(CompatTask):
    def batch_results(self, rows: list[Any]) -> list[Any]:
        import numpy as np

        return [np.asarray(self.task.predict_proba(rows), dtype=np.float32)]


def TextClassifierTask(  # noqa: N802 - PaddleHub's spelling
    num_classes: int | None = None,
    dataset: Any = None,
    feed_list: Any = None,
    data_reader: Any = None,
    feature: Any = None,
    token_feature: Any = None,
    network: str | None = None,
    startup_program: Any = None,
    config: Any = None,
    hidden_units: Sequence[int] | None = None,
    metrics_choices: Any = "default",
) -> CompatTask:
    """PaddleHub's TextClassifierTask: ``feature=`` (pooled) alone, or ``token_feature=`` with ``network``."""
    from hubcore.finetune.tasks.classification import TextClassifierTask as Real

    owner = "TextClassifierTask"
    if (feature is None) == (token_feature is None):
        raise HubcoreError(f"{owner}: set exactly one of feature= (sentence level) and token_feature=")
    if network is not None:
        if token_feature is None:
            raise HubcoreError(f"{owner}: network= reads token_feature= (outputs['sequence_output'])")
    elif feature is None or feature.is_token_level:
        raise HubcoreError(
            f"{owner}: without network=, feature= must be the sentence-level outputs['pooled_output']"
        )
    chosen = feature if feature is not None else token_feature
    context = _context_of(chosen, owner)
    _feed_list(feed_list)
    main = _metrics(owner, metrics_choices, ("acc", "f1", "precision", "recall"), "acc")
    reader = _reader(owner, data_reader, dataset, context, "classify", None)
    task = Real(context, reader, config, num_classes=num_classes, network=network, hidden_units=hidden_units)
    return _ClassifierTask(task, main)


def ClassifierTask(  # noqa: N802
    feature: Any,
    num_classes: int | None = None,
    dataset: Any = None,
    feed_list: Any = None,
    data_reader: Any = None,
    startup_program: Any = None,
    config: Any = None,
    hidden_units: Sequence[int] | None = None,
    metrics_choices: Any = "default",
) -> CompatTask:
    """PaddleHub's generic ClassifierTask on a sentence-level feature."""
    return TextClassifierTask(
        num_classes,
        dataset=dataset,
        feed_list=feed_list,
        data_reader=data_reader,
        feature=feature,
        config=config,
        hidden_units=hidden_units,
        metrics_choices=metrics_choices,
    )


class _SequenceTask(CompatTask):
    def prepare(self, rows: list[Any]) -> list[Any]:
        """PaddleHub wraps each ``\\002``-joined text in a list (``[["我\\002们"]]``): unwrap it."""
        out = []
        for row in rows:
            if isinstance(row, (list, tuple)) and len(row) == 1 and isinstance(row[0], str):
                out.append(row[0])
            else:
                out.append(row)
        return out


def SequenceLabelTask(  # noqa: N802
    feature: Any,
    max_seq_len: int | None = None,
    num_classes: int | None = None,
    dataset: Any = None,
    feed_list: Any = None,
    data_reader: Any = None,
    startup_program: Any = None,
    config: Any = None,
    metrics_choices: Any = "default",
    add_crf: bool = False,
) -> CompatTask:
    """PaddleHub's SequenceLabelTask on ``outputs['sequence_output']``; ``add_crf`` adds a CRF."""
    from hubcore.finetune.tasks.sequence_label import SequenceLabelTask as Real

    owner = "SequenceLabelTask"
    context = _context_of(feature, owner)
    if not feature.is_token_level:
        raise HubcoreError(f"{owner}: feature= must be the token-level outputs['sequence_output']")
    _feed_list(feed_list)
    main = _metrics(owner, metrics_choices, ("f1", "precision", "recall"), "f1")
    reader = _reader(owner, data_reader, dataset, context, "sequence_label", max_seq_len)
    task = Real(context, reader, config, num_classes=num_classes, use_crf=bool(add_crf))
    return _SequenceTask(task, main)


def MultiLabelClassifierTask(  # noqa: N802
    feature: Any,
    num_classes: int | None = None,
    dataset: Any = None,
    feed_list: Any = None,
    data_reader: Any = None,
    startup_program: Any = None,
    config: Any = None,
    hidden_units: Sequence[int] | None = None,
    metrics_choices: Any = "default",
) -> CompatTask:
    """PaddleHub's MultiLabelClassifierTask (mean AUC) on a sentence-level feature."""
    from hubcore.finetune.tasks.classification import MultiLabelClassifierTask as Real

    owner = "MultiLabelClassifierTask"
    context = _context_of(feature, owner)
    _feed_list(feed_list)
    main = _metrics(owner, metrics_choices, ("auc", "f1"), "auc")
    reader = _reader(owner, data_reader, dataset, context, "multi_label_classify", None)
    return CompatTask(Real(context, reader, config, num_classes=num_classes, hidden_units=hidden_units), main)


def RegressionTask(  # noqa: N802
    feature: Any,
    dataset: Any = None,
    feed_list: Any = None,
    data_reader: Any = None,
    startup_program: Any = None,
    config: Any = None,
    hidden_units: Sequence[int] | None = None,
    metrics_choices: Any = "default",
) -> CompatTask:
    """PaddleHub's RegressionTask (Pearson's r first) on a sentence-level feature."""
    from hubcore.finetune.tasks.classification import RegressionTask as Real

    owner = "RegressionTask"
    context = _context_of(feature, owner)
    _feed_list(feed_list)
    main = _metrics(owner, metrics_choices, ("pearson", "spearman", "mse"), "pearson")
    if main == "mse":
        raise HubcoreError(f"{owner}: mse cannot be the main metric (lower is better); put pearson first")
    if data_reader is None and dataset is not None:
        from hubcore.compat.reader import RegressionReader

        data_reader = RegressionReader(dataset, max_seq_len=context.max_seq_len)
    reader = _reader(owner, data_reader, dataset, context, "classify", None)
    return CompatTask(Real(context, reader, config, hidden_units=hidden_units), main)
