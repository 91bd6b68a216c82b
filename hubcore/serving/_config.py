"""What a server runs: PaddleHub Serving's config shape, read from JSON or from the command line.

The file looks like PaddleHub's::

    {"modules_info": {"lac": {"init_args": {"mode": "lac"}, "predict_args": {},
                              "batching": {"max_batch_size": 64, "max_wait_ms": 5}}},
     "port": 8866, "use_multiprocess": false, "workers": 2}

``batching`` (per module) and ``ray`` (replicas and autoscaling, per module) are ours; so are
the top-level limits ``host``, ``max_body_bytes``, ``max_items``, ``timeout_s``.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hubcore._errors import HubcoreError

DEFAULT_PORT = 8866
DEFAULT_HOST = "127.0.0.1"
# predict_args PaddleHub clients and configs carry that have no meaning here: batching decides.
IGNORED_PREDICT_ARGS = frozenset({"batch_size", "use_gpu"})
_TOP_LEVEL = {
    "modules_info",
    "port",
    "host",
    "use_multiprocess",
    "workers",
    "use_gpu",
    "max_body_bytes",
    "max_items",
    "timeout_s",
}
_MODULE_KEYS = {"init_args", "predict_args", "batching", "ray"}
_BATCHING_KEYS = {"max_batch_size", "max_wait_ms", "max_queue"}


class ServingConfigError(HubcoreError):
    """A serving config or command line asks for something impossible."""


@dataclass(frozen=True)
class Batching:
    """Dynamic batching of one module: ``None`` takes the plugin's default from its ServingSpec."""

    max_batch_size: int | None = None
    max_wait_ms: float | None = None
    max_queue: int = 256


@dataclass(frozen=True)
class ModuleConfig:
    """One served module: how to build it, fixed predict keywords, batching and Ray settings."""

    name: str
    init_args: dict[str, Any] = field(default_factory=dict)
    predict_args: dict[str, Any] = field(default_factory=dict)
    batching: Batching = field(default_factory=Batching)
    ray: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str | None:
        """PaddleHub's ``init_args.version``, which picks the module's version, not a keyword."""
        value = self.init_args.get("version")
        return None if value is None else str(value)

    @property
    def build_args(self) -> dict[str, Any]:
        """Keywords for the module's constructor."""
        return {k: v for k, v in self.init_args.items() if k != "version"}

    @property
    def call_args(self) -> dict[str, Any]:
        """Keywords fixed for every call of the serving method."""
        return {k: v for k, v in self.predict_args.items() if k not in IGNORED_PREDICT_ARGS}


@dataclass(frozen=True)
class ServingConfig:
    """A whole server: its modules, address, worker count and limits."""

    modules: tuple[ModuleConfig, ...]
    port: int = DEFAULT_PORT
    host: str = DEFAULT_HOST
    workers: int = 1
    max_body_bytes: int = 10 * 1024 * 1024
    max_items: int = 256
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        if not self.modules:
            raise ServingConfigError("nothing to serve: name a module with -m NAME or in modules_info")
        names = [m.name for m in self.modules]
        if len(names) != len(set(names)):
            raise ServingConfigError(f"a module is listed twice: {names}")
        _check_int(self.port, "port", 1, 65535)
        _check_int(self.workers, "workers", 1, 512)
        _check_int(self.max_body_bytes, "max_body_bytes", 1, 2**40)
        _check_int(self.max_items, "max_items", 1, 2**20)
        if not isinstance(self.timeout_s, (int, float)) or not 0 < self.timeout_s <= 3600:
            raise ServingConfigError(
                f"timeout_s must be a number of seconds in (0, 3600], not {self.timeout_s!r}"
            )

    def to_json(self) -> str:
        """The config as JSON, which is how it reaches worker processes."""
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServingConfig:
        """The inverse of :meth:`to_json`."""
        data = json.loads(text)
        modules = tuple(
            ModuleConfig(**{**m, "batching": Batching(**m["batching"])}) for m in data.pop("modules")
        )
        return cls(modules=modules, **data)


def load_config(path: Path) -> ServingConfig:
    """Read a PaddleHub-shaped serving config file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ServingConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ServingConfigError(f"{path}: not valid JSON ({exc})") from None
    return config_from_dict(data, str(path))


def config_from_dict(data: Any, where: str = "config") -> ServingConfig:
    """Check and convert the parsed JSON of a config."""
    if not isinstance(data, dict):
        raise ServingConfigError(f"{where}: the top level must be a JSON object")
    unknown = sorted(set(data) - _TOP_LEVEL)
    if unknown:
        raise ServingConfigError(f"{where}: unknown keys {unknown}; known: {sorted(_TOP_LEVEL)}")
    info = data.get("modules_info", {})
    if not isinstance(info, dict):
        raise ServingConfigError(f"{where}: modules_info must map module names to their settings")
    modules = tuple(_module_from_dict(name, settings or {}, where) for name, settings in info.items())
    workers = data.get("workers", 1) if data.get("use_multiprocess", data.get("workers", 1) != 1) else 1
    kwargs = {k: data[k] for k in ("port", "host", "max_body_bytes", "max_items", "timeout_s") if k in data}
    return ServingConfig(modules=modules, workers=workers, **kwargs)


def config_from_options(
    names: tuple[str, ...], *, port: int, host: str, workers: int, base: ServingConfig | None = None
) -> ServingConfig:
    """Merge ``-m NAME`` options into a config file's settings (or the defaults).

    ``-m lac==2.1.0`` pins a version, as PaddleHub's ``-m Module==Version`` did.
    """
    modules = list(base.modules if base else ())
    known = {m.name for m in modules}
    for text in names:
        name, _, version = text.partition("==")
        if name in known:
            continue
        modules.append(ModuleConfig(name=name, init_args={"version": version} if version else {}))
    if base is None:
        return ServingConfig(modules=tuple(modules), port=port, host=host, workers=workers)
    return dataclasses.replace(base, modules=tuple(modules), port=port, host=host, workers=workers)


def _module_from_dict(name: str, settings: Any, where: str) -> ModuleConfig:
    place = f"{where}: modules_info.{name}"
    if not isinstance(settings, dict):
        raise ServingConfigError(f"{place} must be an object")
    unknown = sorted(set(settings) - _MODULE_KEYS)
    if unknown:
        raise ServingConfigError(f"{place}: unknown keys {unknown}; known: {sorted(_MODULE_KEYS)}")
    for key in _MODULE_KEYS:
        if not isinstance(settings.get(key, {}), dict):
            raise ServingConfigError(f"{place}.{key} must be an object")
    batching = settings.get("batching", {})
    stray = sorted(set(batching) - _BATCHING_KEYS)
    if stray:
        raise ServingConfigError(f"{place}.batching: unknown keys {stray}; known: {sorted(_BATCHING_KEYS)}")
    if "max_batch_size" in batching:
        _check_int(batching["max_batch_size"], f"{place}.batching.max_batch_size", 1, 65536)
    if "max_queue" in batching:
        _check_int(batching["max_queue"], f"{place}.batching.max_queue", 1, 2**20)
    wait = batching.get("max_wait_ms")
    if wait is not None and (
        not isinstance(wait, (int, float)) or isinstance(wait, bool) or not 0 <= wait <= 60_000
    ):
        raise ServingConfigError(f"{place}.batching.max_wait_ms must be a number within 0..60000")
    return ModuleConfig(
        name=name,
        init_args=dict(settings.get("init_args", {})),
        predict_args=dict(settings.get("predict_args", {})),
        batching=Batching(**batching),
        ray=dict(settings.get("ray", {})),
    )


def _check_int(value: Any, name: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ServingConfigError(f"{name} must be a whole number within {low}..{high}, not {value!r}")
