"""PaddleHub 1.x's spelling over hubcore: ``import hubcore.compat as hub``.

A compatibility layer, not a second API: every name here builds hubcore's own objects
(modules, data sets, readers, RunConfig, strategies, tasks), so what a PaddleHub script
trains is a normal hubcore model that ``hubcore.load_task`` reads back.  PaddleHub
options that only steered Paddle's graph (``feed_list``, ``use_pyreader``,
``enable_memory_optim``, ...) are accepted with a one-time note.  What differs from
PaddleHub is listed in the README's "Coming from PaddleHub" section.
"""

from __future__ import annotations

from hubcore._version import __version__
from hubcore.compat import dataset, reader
from hubcore.compat._basetask import BaseTask
from hubcore.compat._config import (
    AdamWeightDecayStrategy,
    CombinedStrategy,
    DefaultFinetuneStrategy,
    L2SPFinetuneStrategy,
    RunConfig,
    ULMFiTStrategy,
)
from hubcore.compat._module import CompatModule, Module, Variable
from hubcore.compat._reading import ReadingComprehensionTask
from hubcore.compat._tasks import (
    ClassifierTask,
    CompatTask,
    MultiLabelClassifierTask,
    RegressionTask,
    RunState,
    SequenceLabelTask,
    TextClassifierTask,
)

BasicTask = BaseTask  # PaddleHub 1.x had both names

__all__ = [
    "AdamWeightDecayStrategy",
    "BaseTask",
    "BasicTask",
    "ClassifierTask",
    "CombinedStrategy",
    "CompatModule",
    "CompatTask",
    "DefaultFinetuneStrategy",
    "L2SPFinetuneStrategy",
    "Module",
    "MultiLabelClassifierTask",
    "ReadingComprehensionTask",
    "RegressionTask",
    "RunConfig",
    "RunState",
    "SequenceLabelTask",
    "TextClassifierTask",
    "ULMFiTStrategy",
    "Variable",
    "__version__",
    "dataset",
    "reader",
]
