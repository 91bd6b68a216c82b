"""What a saved model names, and how those names are turned back into code.

A saved model (``best_model/task.json``) names its task, reader and module only by the
names they are *registered* under through the hooks (and the module's version), never
by an import path: loading a folder someone sent you must not import whatever
``"package.module:attr"`` it chooses.  So a class that is not registered cannot be saved
(the error says how to register it), and loading resolves names through the registry,
whose entries come from installed plugins, not from the file.

Format ``hubcore-task/1`` recorded import paths.  It is still read, but only where every
path it names is exactly the entry of a registered component: the strings are compared
with the registry's entries, and nothing named by the file alone is imported.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any, Literal

from hubcore._entry import load_entry
from hubcore._errors import HubcoreError
from hubcore._registry import get_registry
from hubcore._specs import ComponentSpec, ModuleSpec

TASK_FORMAT = "hubcore-task/2"
OLD_TASK_FORMAT = "hubcore-task/1"

_log = logging.getLogger("hubcore")

Kind = Literal["task", "reader"]


class SavedModelError(HubcoreError):
    """A saved model that cannot be (or could not be) written or read; the message says which and why."""


def _class_entry(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _names_class(spec_entry: str, cls: type) -> bool:
    """Whether a registered entry is ``cls``: by its string, or by identity when already imported."""
    if spec_entry == _class_entry(cls):
        return True
    module_name, _, attribute = spec_entry.partition(":")
    module = sys.modules.get(module_name)  # never import to compare
    target: Any = module
    for part in attribute.split("."):
        target = getattr(target, part, None)
    return target is cls


def registered_name(kind: Kind, cls: type) -> str:
    """The name ``cls`` is registered under as a ``kind``, or an error saying how to register it."""
    for name, spec in get_registry().components[kind].items():
        if _names_class(spec.entry, cls):
            return name
    hook = f"hubcore_register_{kind}s"
    entry = _class_entry(cls)
    where = "" if "<locals>" not in entry else " (define it at module level first)"
    raise SavedModelError(
        f"{kind} class {cls.__qualname__} ({cls.__module__}) is not registered, so a saved model cannot "
        f"name it: register it through the hooks{where}, e.g. in your plugin's {hook}: "
        f'register(ComponentSpec(name="my_{kind}", entry="{entry}")), or in-process with '
        "hubcore.register_plugin(plugin_object, 'my-plugin')"
    )


def module_record(info: Any) -> dict[str, Any] | None:
    """The saved ``module`` record: registered name and version, and how to call it.

    ``info`` is what the module put in ``context.extra["module"]`` (or what the task was
    given): ``{"name": ...}`` or ``{"entry": ...}`` plus ``kwargs`` and ``context_kwargs``.
    """
    if info is None:
        return None
    if not isinstance(info, dict) or not ("name" in info or "entry" in info):
        raise SavedModelError(f"the task's module record {info!r} names neither a module nor an entry")
    spec = _module_spec(info, where="the task's module record")
    return {
        "name": spec.name,
        "version": spec.version,
        "kwargs": dict(info.get("kwargs") or {}),
        "context_kwargs": dict(info.get("context_kwargs") or {}),
    }


def _module_spec(info: dict[str, Any], *, where: str) -> ModuleSpec:
    registry = get_registry()
    if "name" in info:
        name = info["name"]
        if not isinstance(name, str):
            raise SavedModelError(f"{where}: module name {name!r} is not a string")
        try:
            return registry.module(name)
        except HubcoreError:
            raise SavedModelError(
                f"{where}: module {name!r} is not installed (register it through a plugin's "
                "hubcore_register_modules hook, or install the plugin that provides it)"
            ) from None
    entry = info["entry"]
    for spec in registry.modules.values():
        if spec.entry == entry:
            return spec
    raise SavedModelError(
        f"{where}: module entry {entry!r} is not the entry of any registered module; register the module "
        "through a plugin's hubcore_register_modules hook (it is never imported from a saved file)"
    )


def resolve_module(record: Any, *, where: str) -> tuple[ModuleSpec, dict[str, Any], dict[str, Any]]:
    """A saved module record's registered spec, constructor and context() keyword arguments."""
    if not isinstance(record, dict) or not ("name" in record or "entry" in record):
        raise SavedModelError(
            f"{where}: the task does not say how to rebuild its module; pass load_task(..., context=...)"
        )
    spec = _module_spec(record, where=where)
    saved_version = record.get("version")
    if isinstance(saved_version, str) and saved_version != spec.version:
        _log.warning(
            "%s: saved with module %s %s; version %s is installed",
            where,
            spec.name,
            saved_version,
            spec.version,
        )
    kwargs, context_kwargs = record.get("kwargs") or {}, record.get("context_kwargs") or {}
    if not isinstance(kwargs, dict) or not isinstance(context_kwargs, dict):
        raise SavedModelError(f"{where}: the module's 'kwargs' and 'context_kwargs' must be JSON objects")
    return spec, dict(kwargs), dict(context_kwargs)


def resolve_component(kind: Kind, name: Any, *, where: str) -> Any:
    """The class registered as ``kind`` under ``name`` (imported from the registry's entry)."""
    if not isinstance(name, str):
        raise SavedModelError(f"{where}: the {kind} name must be a string, not {type(name).__name__}")
    spec = get_registry().components[kind].get(name)
    if spec is None:
        raise SavedModelError(
            f"{where}: {kind} {name!r} is not registered; install the plugin that provides it"
        )
    return load_entry(spec.entry, owner=f"{kind} {name!r}")


# Format 1 files were written before the Fine-tune package was cut into subpackages, so the
# core's own classes appear there under their old import paths: each maps to the name the
# same class is registered under now (the file's strings are only compared, never imported).
_FORMAT1_CORE_NAMES = {
    "task": {
        "hubcore.finetune._tasks:TextClassifierTask": "text_classification",
        "hubcore.finetune._tasks:ImageClassifierTask": "image_classification",
        "hubcore.finetune._tasks:MultiLabelClassifierTask": "multi_label_classification",
        "hubcore.finetune._tasks:RegressionTask": "regression",
        "hubcore.finetune._tasks:SequenceLabelTask": "sequence_label",
        "hubcore.finetune._matching:PairwiseTextMatchingTask": "pairwise_text_matching",
        "hubcore.finetune._rc_task:ReadingComprehensionTask": "reading_comprehension",
    },
    "reader": {
        "hubcore.finetune._readers:ClassifyReader": "classify",
        "hubcore.finetune._readers:MultiLabelClassifyReader": "multi_label_classify",
        "hubcore.finetune._readers:SequenceLabelReader": "sequence_label",
        "hubcore.finetune._matching:PairwiseMatchingReader": "pairwise_matching",
        "hubcore.finetune._rc_reader:ReadingComprehensionReader": "reading_comprehension",
        "hubcore.finetune._image_reader:ImageClassificationReader": "image_classification",
    },
}


def old_entry_name(kind: Kind, entry: Any, *, where: str) -> str:
    """The registered name whose entry is exactly ``entry`` (format 1's import paths), else an error."""
    table: dict[str, ComponentSpec] = get_registry().components[kind]
    core_name = _FORMAT1_CORE_NAMES[kind].get(entry) if isinstance(entry, str) else None
    if core_name is not None and core_name in table:
        return core_name
    for name, spec in table.items():
        if isinstance(entry, str) and spec.entry == entry:
            return name
    raise SavedModelError(
        f"{where}: {kind} {entry!r} is not the entry of any registered {kind}; a saved model in format "
        f"{OLD_TASK_FORMAT!r} is only read where everything it names is registered (nothing it names is "
        "imported)"
    )


_REQUIRED = {
    TASK_FORMAT: ("task", "task_config", "reader", "reader_config", "module"),
    OLD_TASK_FORMAT: ("task_class", "task_config", "reader_class", "reader_config", "module"),
}


def read_task_json(path: Path) -> dict[str, Any]:
    """A saved task.json, checked: UTF-8 JSON, an object, a known format, every key there."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SavedModelError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SavedModelError(f"{path}: not UTF-8 text (byte {exc.start} is {raw[exc.start]:#04x})") from None
    try:
        meta = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SavedModelError(f"{path}: unreadable task description ({type(exc).__name__}: {exc})") from None
    if not isinstance(meta, dict):
        raise SavedModelError(f"{path}: expected a JSON object, found a JSON {_json_kind(meta)}")
    form = meta.get("format")
    if form not in _REQUIRED:
        raise SavedModelError(
            f"{path}: format {form!r} is not {TASK_FORMAT!r} (or the older {OLD_TASK_FORMAT!r})"
        )
    missing = [key for key in _REQUIRED[form] if key not in meta]
    if missing:
        raise SavedModelError(f"{path}: lacks {', '.join(repr(k) for k in missing)}")
    if not isinstance(meta["task_config"], dict):
        raise SavedModelError(f"{path}: 'task_config' must be a JSON object")
    if meta["reader_config"] is not None and not isinstance(meta["reader_config"], dict):
        raise SavedModelError(f"{path}: 'reader_config' must be a JSON object or null")
    return meta


def _json_kind(value: Any) -> str:
    kinds = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else kinds.get(type(value), type(value).__name__)


def load_task(path: str | Path, *, context: Any = None, config: Any = None) -> Any:
    """The best model of a run, ready to predict: ``load_task(checkpoint_dir).predict([...])``.

    ``path`` is a run's ``checkpoint_dir`` or its ``best_model`` folder.  The module is
    rebuilt from what task.json recorded unless ``context`` is given.  Task, reader and
    module are looked up by their registered names; nothing named by the file is imported.
    """
    from hubcore.finetune.config import RunConfig
    from hubcore.finetune.tasks.basic import BasicTask
    from hubcore.finetune.training import checkpoint as ckpt

    folder = Path(path)
    if (folder / ckpt.BEST_MODEL / ckpt.TASK_JSON).is_file():
        folder = folder / ckpt.BEST_MODEL
    meta_path = folder / ckpt.TASK_JSON
    if not meta_path.is_file():
        raise SavedModelError(
            f"no saved task at {str(path)!r}: expected {ckpt.TASK_JSON} or {ckpt.BEST_MODEL}/{ckpt.TASK_JSON}"
        )
    meta = read_task_json(meta_path)
    where = str(meta_path)
    reader_config = dict(meta["reader_config"] or {})
    if meta["format"] == OLD_TASK_FORMAT:
        task_name = old_entry_name("task", meta["task_class"], where=where)
        reader_name = old_entry_name("reader", meta["reader_class"], where=where)
        if "entry" in reader_config:
            old_entry_name("reader", reader_config.pop("entry"), where=where)
    else:
        task_name, reader_name = meta["task"], meta["reader"]
        reader_config.pop("entry", None)  # never imported, whatever it says
    task_cls = resolve_component("task", task_name, where=where)
    reader_cls = resolve_component("reader", reader_name, where=where)
    if not (isinstance(task_cls, type) and issubclass(task_cls, BasicTask)):
        raise SavedModelError(f"{where}: task {task_name!r} is registered, but is not a BasicTask")
    if context is None:
        context = rebuild_context(meta["module"], where=where)
    reader = reader_cls.from_config(reader_config, context.tokenizer)
    if config is None:
        config = RunConfig(checkpoint_dir=folder.parent, tensorboard=False, progress=False)
    task: Any = task_cls.from_config(context, reader, meta["task_config"], config=config)
    weights_path = folder / ckpt.WEIGHTS
    weights = ckpt.load_weights(weights_path)
    try:
        task.model.load_state_dict(weights)
    except RuntimeError as exc:
        raise SavedModelError(
            f"{weights_path}: does not fit the task's network ({' '.join(str(exc).split())[:300]})"
        ) from None
    task.model.eval()
    return task


def rebuild_context(module: Any, *, where: str = "") -> Any:
    """The module context a saved task was trained on, from its ``module`` record (registered only)."""
    from hubcore._module import Module

    spec, kwargs, context_kwargs = resolve_module(module, where=where)
    instance = Module(spec.name, **kwargs)
    return instance.context(**context_kwargs)
