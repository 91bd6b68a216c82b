"""PaddleHub 1.x's reading comprehension task spelling (its reader is in ``hub.reader``):
``hub.ReadingComprehensionTask(feature=outputs["sequence_output"], ...)`` over hubcore's own.

PaddleHub's ``sub_task`` (``"squad"``, ``"cmrc2018"``, ``"drcd"``...) chose the metric
script; here the CMRC2018 EM/F1 serves them all, so it is accepted with a note when it
names another.  ``null_score_diff_threshold`` (SQuAD 2.0's unanswerable questions) has no
counterpart: the task always answers, and a non-zero value is refused.
"""

from __future__ import annotations

from typing import Any

from hubcore._errors import HubcoreError
from hubcore.compat._notes import note_once
from hubcore.compat._tasks import CompatTask, _context_of, _feed_list, _metrics, _reader
from hubcore.compat.reader import ReadingComprehensionReader


def ReadingComprehensionTask(  # noqa: N802 - PaddleHub's spelling
    feature: Any,
    dataset: Any = None,
    feed_list: Any = None,
    data_reader: Any = None,
    startup_program: Any = None,
    config: Any = None,
    metrics_choices: Any = "default",
    sub_task: str = "cmrc2018",
    null_score_diff_threshold: float = 0.0,
    n_best_size: int = 20,
    max_answer_length: int = 30,
) -> CompatTask:
    """PaddleHub's ReadingComprehensionTask on the token-level ``outputs['sequence_output']``."""
    from hubcore.finetune.tasks.reading import ReadingComprehensionTask as Real

    owner = "ReadingComprehensionTask"
    context = _context_of(feature, owner)
    if not feature.is_token_level:
        raise HubcoreError(f"{owner}: feature= must be the token-level outputs['sequence_output']")
    if null_score_diff_threshold:
        raise HubcoreError(f"{owner}: null_score_diff_threshold (unanswerable questions) is not supported")
    if sub_task not in ("cmrc2018", "drcd"):
        note_once("rc-sub_task", f"sub_task={sub_task!r}: the CMRC2018 EM/F1 metric is reported")
    _feed_list(feed_list)
    main = _metrics(owner, metrics_choices, ("f1", "em"), "f1")
    if data_reader is None and dataset is not None:
        data_reader = ReadingComprehensionReader(dataset, max_seq_len=context.max_seq_len)
    reader = _reader(owner, data_reader, dataset, context, "reading_comprehension", None)
    task = Real(context, reader, config, max_answer_len=max_answer_length, n_best=n_best_size)
    return CompatTask(task, main)
