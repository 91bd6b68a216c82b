"""The Fine-tune API: Dataset, Reader, Strategy, RunConfig and Task.

The public names are those listed here (and re-exported by ``hubcore``); they are
resolved on first use, because most import torch.  The subpackages hold the
implementation, one job per folder: ``data/`` (data sets and their files),
``readers/``, ``strategies/``, ``tasks/`` (BasicTask and the standard tasks),
``training/`` (the loop, checkpoints, sampler, distributed set-up, logs), plus
``contract`` (the protocols plugins implement), ``config`` (RunConfig) and ``saved``
(the saved-model format and ``load_task``).
"""

from __future__ import annotations

from hubcore._lazy import lazy_getattr

# public name -> private module that defines it
_EXPORTS: dict[str, str] = {
    # contracts between layers
    "ModuleContext": ".contract",
    "POOLED_OUTPUT": ".contract",
    "Reader": ".contract",
    "SEQUENCE_OUTPUT": ".contract",
    "Strategy": ".contract",
    "Tokenizer": ".contract",
    # data sets
    "BaseDataset": ".data.datasets",
    "ChnSentiCorp": ".data.chnsenticorp",
    "DatasetFormatError": ".data.files",
    "ImageClassificationDataset": ".data.datasets",
    "InputExample": ".data.datasets",
    "MultiLabelDataset": ".data.datasets",
    "PairwiseMatchingDataset": ".data.matching",
    "ReadingComprehensionDataset": ".data.reading",
    "SequenceLabelDataset": ".data.datasets",
    "TextClassificationDataset": ".data.datasets",
    # readers
    "BaseReader": ".readers.base",
    "ClassifyReader": ".readers.text",
    "ImageClassificationReader": ".readers.image",
    "MultiLabelClassifyReader": ".readers.text",
    "PairwiseMatchingReader": ".readers.matching",
    "ReadingComprehensionReader": ".readers.reading",
    "SequenceLabelReader": ".readers.text",
    # strategies
    "AdamWeightDecayStrategy": ".strategies.presets",
    "BaseStrategy": ".strategies.base",
    "CombinedStrategy": ".strategies.combined",
    "DefaultFinetuneStrategy": ".strategies.presets",
    "L2SPFinetuneStrategy": ".strategies.presets",
    "ULMFiTStrategy": ".strategies.presets",
    # run configuration and tasks
    "BasicTask": ".tasks.basic",
    "ImageClassifierTask": ".tasks.classification",
    "MultiLabelClassifierTask": ".tasks.classification",
    "PairwiseTextMatchingTask": ".tasks.matching",
    "ReadingComprehensionTask": ".tasks.reading",
    "RegressionTask": ".tasks.classification",
    "RunConfig": ".config",
    "SequenceLabelTask": ".tasks.sequence_label",
    "TextClassifierTask": ".tasks.classification",
    "load_task": ".saved",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_getattr(__name__, _EXPORTS)
