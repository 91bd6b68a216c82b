"""hubcore: a pretrained-model hub for PyTorch, extended by plugins.

Importing hubcore is cheap: the Fine-tune API (``hubcore.BasicTask`` and friends)
and module management are loaded on first attribute access, and no model code
runs until ``Module(...)`` builds one.
"""

from __future__ import annotations

from hubcore import finetune as _finetune
from hubcore import hub as _hub
from hubcore._entry import load_entry
from hubcore._errors import EntryLoadError, HubcoreError, UnknownNameError, VersionMismatchError
from hubcore._lazy import lazy_getattr as _lazy_getattr
from hubcore._module import (
    Module,
    get_component_spec,
    get_module_spec,
    list_components,
    list_modules,
    load_component,
)
from hubcore._registry import Conflict, Registry, get_registry, reset_registry
from hubcore._specs import Asset, ComponentSpec, ModuleSpec, ServingSpec, SpecError
from hubcore._version import __version__
from hubcore.hookspecs import hookimpl
from hubcore.plugins import register_plugin, unregister_plugin

__all__ = [
    "AdamWeightDecayStrategy",
    "Asset",
    "BaseDataset",
    "BaseReader",
    "BaseStrategy",
    "BasicTask",
    "CacheProblem",
    "CachedAsset",
    "ChnSentiCorp",
    "ClassifyReader",
    "CombinedStrategy",
    "ComponentSpec",
    "Conflict",
    "DatasetFormatError",
    "DefaultFinetuneStrategy",
    "DownloadError",
    "EntryLoadError",
    "HubcoreError",
    "ImageClassificationDataset",
    "ImageClassificationReader",
    "ImageClassifierTask",
    "Incompatible",
    "IndexEntry",
    "IndexEntryError",
    "IndexVersion",
    "InputExample",
    "L2SPFinetuneStrategy",
    "Module",
    "ModuleContext",
    "ModuleIndex",
    "ModuleSpec",
    "MultiLabelClassifierTask",
    "MultiLabelClassifyReader",
    "MultiLabelDataset",
    "OfflineError",
    "POOLED_OUTPUT",
    "PairwiseMatchingDataset",
    "PairwiseMatchingReader",
    "PairwiseTextMatchingTask",
    "Reader",
    "ReadingComprehensionDataset",
    "ReadingComprehensionReader",
    "ReadingComprehensionTask",
    "Registry",
    "RegressionTask",
    "RunConfig",
    "SEQUENCE_OUTPUT",
    "SearchResult",
    "SequenceLabelDataset",
    "SequenceLabelReader",
    "SequenceLabelTask",
    "ServingSpec",
    "SpecError",
    "Strategy",
    "TextClassificationDataset",
    "TextClassifierTask",
    "Tokenizer",
    "ULMFiTStrategy",
    "UnknownNameError",
    "VersionMismatchError",
    "__version__",
    "cache_dir",
    "cached_assets",
    "clear_cache",
    "dataset_dir",
    "dataset_lock",
    "download_assets",
    "fetch_asset",
    "get_component_spec",
    "get_module_spec",
    "get_registry",
    "hookimpl",
    "import_into_cache",
    "incompatible_plugins",
    "install_modules",
    "is_offline",
    "list_components",
    "list_modules",
    "load_component",
    "load_entry",
    "load_index",
    "load_task",
    "module_asset",
    "register_plugin",
    "remove_from_cache",
    "reset_registry",
    "search_modules",
    "uninstall_modules",
    "unregister_plugin",
    "validate_requirement",
    "verify_cache",
]

_LAZY = {name: "hubcore.finetune" for name in _finetune.__all__} | {
    name: "hubcore.hub" for name in _hub.__all__
}


__getattr__ = _lazy_getattr(__name__, _LAZY)
