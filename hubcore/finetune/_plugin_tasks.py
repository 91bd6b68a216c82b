"""The core's own fine-tune tasks, registered as a plugin would (nothing heavy imported)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hubcore._specs import ComponentSpec
from hubcore.hookspecs import hookimpl

_TASKS = (
    ("text_classification", "TextClassifierTask", "one label per text, from the sentence or token features"),
    ("sequence_label", "SequenceLabelTask", "one tag per token (BIO/BMES), optional CRF, chunk F1"),
    ("multi_label_classification", "MultiLabelClassifierTask", "several yes/no labels per text, mean AUC"),
    ("image_classification", "ImageClassifierTask", "one label per image"),
    ("regression", "RegressionTask", "one real value per text, Pearson's r"),
)


@hookimpl
def hubcore_register_tasks(register: Callable[[Any], None]) -> None:
    for name, cls, summary in _TASKS:
        register(ComponentSpec(name=name, entry=f"hubcore.finetune._tasks:{cls}", summary=summary))
    register(
        ComponentSpec(
            name="pairwise_text_matching",
            entry="hubcore.finetune._matching:PairwiseTextMatchingTask",
            summary="rank (query, positive) above (query, negative) by a margin; accuracy on labelled pairs",
        )
    )
    register(
        ComponentSpec(
            name="reading_comprehension",
            entry="hubcore.finetune._rc_task:ReadingComprehensionTask",
            summary="extractive answer spans (CMRC2018, DRCD): start/end over tokens, CMRC2018 EM and F1",
        )
    )
