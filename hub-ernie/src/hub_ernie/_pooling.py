"""How a checkpoint turns token vectors into one sentence vector, read from its own files.

A sentence-transformers folder says it in ``modules.json`` and its Pooling module's
``config.json``; a plain ERNIE/BERT checkpoint uses its pretrained pooler (tanh over
[CLS]), as PaddleHub's ``pooled_output`` did.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from hubcore import HubcoreError

_MODES = {
    "pooling_mode_cls_token": "cls",
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_max_tokens": "max",
}


@dataclass(frozen=True)
class Pooling:
    """``mode`` is ``pooler``, ``cls``, ``mean`` or ``max``; ``normalize`` scales to unit length."""

    mode: str = "pooler"
    normalize: bool = False

    @property
    def needs_pooler(self) -> bool:
        return self.mode == "pooler"


def read_pooling(path: Path) -> Pooling:
    """The pooling a checkpoint folder declares, or the pretrained pooler when it declares none."""
    modules_file = path / "modules.json"
    if not modules_file.is_file():
        return Pooling()
    modules = _load_json(modules_file)
    if not isinstance(modules, list):
        raise HubcoreError(f"{modules_file}: expected a JSON list of modules")
    types = [str(m.get("type", "")) if isinstance(m, dict) else "" for m in modules]
    pooling_modules = [m for m, t in zip(modules, types, strict=True) if t.endswith(".Pooling")]
    if not pooling_modules:
        return Pooling(normalize=any(t.endswith(".Normalize") for t in types))
    config_file = path / str(pooling_modules[0].get("path", "")) / "config.json"
    config = _load_json(config_file)
    if not isinstance(config, dict):
        raise HubcoreError(f"{config_file}: expected a JSON object")
    chosen = [mode for key, mode in _MODES.items() if config.get(key)]
    unsupported = [
        key for key, on in config.items() if key.startswith("pooling_mode_") and key not in _MODES and on
    ]
    if len(chosen) != 1 or unsupported:
        raise HubcoreError(
            f"{config_file}: hub-ernie supports exactly one of {', '.join(_MODES)} set to true"
        )
    return Pooling(mode=chosen[0], normalize=any(t.endswith(".Normalize") for t in types))


def _load_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HubcoreError(f"{path} is missing") from None
    except json.JSONDecodeError as exc:
        raise HubcoreError(f"{path}, line {exc.lineno}: not valid JSON ({exc.msg})") from None
