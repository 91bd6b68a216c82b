"""One served module: built once per worker, called once per batch, results split per request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hubcore._errors import HubcoreError
from hubcore._module import Module, get_module_spec
from hubcore._specs import ModuleSpec, ServingSpec
from hubcore.serving._config import ModuleConfig
from hubcore.serving._envelope import BadInputError, MethodFailedError, ServingError
from hubcore.serving._requests import Parsed


class NotServableError(HubcoreError):
    """A module named for serving declares no way to serve."""


def serving_spec_of(spec: ModuleSpec) -> ServingSpec:
    """The module's serving declaration, or a one-line reason why it cannot be served."""
    if spec.serving is None:
        raise NotServableError(
            f"module {spec.name!r} (plugin {spec.plugin or 'unknown'}) declares no serving method; "
            "its ModuleSpec needs serving=ServingSpec(...)"
        )
    return spec.serving


@dataclass
class ModuleRunner:
    """The built module, its serving method and the fixed keywords from the config."""

    spec: ModuleSpec
    serving: ServingSpec
    method: Callable[..., Any]
    call_args: dict[str, Any]

    @classmethod
    def build(cls, config: ModuleConfig) -> ModuleRunner:
        """Build the module as the config says (this is where its weights load)."""
        spec = get_module_spec(config.name, config.version)
        serving = serving_spec_of(spec)
        instance = Module(config.name, config.version, **config.build_args)
        method = getattr(instance, serving.method, None)
        if not callable(method):
            raise NotServableError(f"module {spec.name!r} has no method {serving.method!r} to serve with")
        stray = [k for k in config.call_args if k in serving.inputs.values()]
        if stray:
            raise NotServableError(f"predict_args of {spec.name!r} may not set its inputs {stray}")
        return cls(spec, serving, method, {**serving.fixed, **config.call_args})

    def run(self, batch: list[Parsed]) -> list[list[Any]]:
        """Call the method once for every request in ``batch`` (which share their options)."""
        merged: dict[str, list[Any]] = {name: [] for name in self.serving.inputs}
        for parsed in batch:
            for name in merged:
                merged[name].extend(parsed.fields[name])
        total = sum(parsed.count for parsed in batch)
        kwargs = {**self.call_args, **dict(batch[0].options)}
        kwargs.update({keyword: merged[name] for name, keyword in self.serving.inputs.items()})
        if self.serving.batch_size_arg:
            kwargs[self.serving.batch_size_arg] = total
        results = list(self.method(**kwargs))
        if len(results) != total:
            raise RuntimeError(
                f"{self.spec.name}.{self.serving.method} gave {len(results)} results for {total} inputs"
            )
        out, start = [], 0
        for parsed in batch:
            out.append([jsonable(item) for item in results[start : start + parsed.count]])
            start += parsed.count
        return out

    def describe(self) -> dict[str, Any]:
        """What ``GET /modules`` says about this module."""
        return {
            "name": self.spec.name,
            "aliases": list(self.spec.aliases),
            "version": self.spec.version,
            "summary": self.spec.summary,
            "plugin": self.spec.plugin,
            "method": self.serving.method,
            "inputs": list(self.serving.inputs),
            "images": list(self.serving.images),
            "options": list(self.serving.options),
        }


def classify(exc: BaseException) -> ServingError:
    """The client's fault (400) when the module refused the input, otherwise a server failure."""
    if isinstance(exc, ServingError):
        return exc
    message = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, (HubcoreError, ValueError, TypeError, KeyError, IndexError)):
        return BadInputError(message)
    return MethodFailedError(f"{type(exc).__name__}: {message}")


def jsonable(value: Any) -> Any:
    """NumPy arrays and scalars, tuples and paths as plain JSON values."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars, torch tensors
        return jsonable(value.tolist())
    return str(value)


def run_each_group(runner: ModuleRunner, batch: list[Parsed]) -> list[dict[str, Any]]:
    """For batchers that merge any requests (Ray Serve's): one call per group of equal options.

    Each request gets ``{"results": [...], "batch": n}`` or ``{"error": {"status", "http", "msg"}}``;
    a failing group is retried request by request, so an error stays with its own request.
    """
    outcomes: list[dict[str, Any]] = [{} for _ in batch]
    groups: dict[Any, list[int]] = {}
    for index, parsed in enumerate(batch):
        groups.setdefault(parsed.key, []).append(index)
    pending = list(groups.values())
    while pending:
        indices = pending.pop()
        try:
            results = runner.run([batch[i] for i in indices])
        except Exception as exc:
            if len(indices) > 1:
                pending.extend([i] for i in indices)
            else:
                error = classify(exc)
                outcomes[indices[0]] = {
                    "error": {"status": error.status, "http": error.http_status, "msg": error.message}
                }
            continue
        for i, result in zip(indices, results, strict=True):
            outcomes[i] = {"results": result, "batch": sum(batch[j].count for j in indices)}
    return outcomes
