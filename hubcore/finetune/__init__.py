"""The Fine-tune API: Dataset, Reader, Strategy, RunConfig and Task.

Names are resolved on first use, because they import torch.
"""

from __future__ import annotations

from hubcore._lazy import lazy_getattr

# public name -> private module that defines it
_EXPORTS: dict[str, str] = {
    # contracts between layers
    "ModuleContext": "._interfaces",
    "POOLED_OUTPUT": "._interfaces",
    "SEQUENCE_OUTPUT": "._interfaces",
    "Tokenizer": "._interfaces",
    # data sets
    "BaseDataset": "._datasets",
    "ChnSentiCorp": "._chnsenticorp",
    "DatasetFormatError": "._datasets",
    "ImageClassificationDataset": "._datasets",
    "InputExample": "._datasets",
    "MultiLabelDataset": "._datasets",
    "PairwiseMatchingDataset": "._matching",
    "ReadingComprehensionDataset": "._rc_data",
    "SequenceLabelDataset": "._datasets",
    "TextClassificationDataset": "._datasets",
    # readers
    "BaseReader": "._readers",
    "ClassifyReader": "._readers",
    "ImageClassificationReader": "._image_reader",
    "MultiLabelClassifyReader": "._readers",
    "PairwiseMatchingReader": "._matching",
    "ReadingComprehensionReader": "._rc_reader",
    "SequenceLabelReader": "._readers",
    # strategies
    "AdamWeightDecayStrategy": "._strategies",
    "BaseStrategy": "._strategies",
    "CombinedStrategy": "._strategies",
    "DefaultFinetuneStrategy": "._strategies",
    "L2SPFinetuneStrategy": "._strategies",
    "ULMFiTStrategy": "._strategies",
    # run configuration and tasks
    "BasicTask": "._task",
    "ImageClassifierTask": "._tasks",
    "MultiLabelClassifierTask": "._tasks",
    "PairwiseTextMatchingTask": "._matching",
    "ReadingComprehensionTask": "._rc_task",
    "RegressionTask": "._tasks",
    "RunConfig": "._config",
    "SequenceLabelTask": "._tasks",
    "TextClassifierTask": "._tasks",
    "load_task": "._task",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_getattr(__name__, _EXPORTS)
