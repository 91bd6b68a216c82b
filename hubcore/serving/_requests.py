"""A request's JSON checked against a module's ServingSpec, before it joins a batch."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from hubcore._specs import ServingSpec
from hubcore.serving._config import IGNORED_PREDICT_ARGS
from hubcore.serving._envelope import BadInputError, TooLargeError

_SCALARS = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class Parsed:
    """The inputs of one request, field by field, and the options it set."""

    fields: dict[str, list[Any]]
    count: int
    options: tuple[tuple[str, Any], ...]

    @property
    def key(self) -> Hashable:
        """Requests with equal keys may share a batch."""
        return self.options


def parse_request(body: Any, spec: ServingSpec, module: str, max_items: int) -> Parsed:
    """Check the request's fields: every input a list of the same length, options JSON scalars."""
    if not isinstance(body, dict):
        raise BadInputError(f"the body must be a JSON object with {_field_list(spec)}")
    unknown = sorted(set(body) - set(spec.inputs) - set(spec.options) - IGNORED_PREDICT_ARGS)
    if unknown:
        raise BadInputError(
            f"unknown field(s) {unknown} for module {module!r}; it takes {_field_list(spec)}"
            + (f" and options {list(spec.options)}" if spec.options else "")
        )
    fields: dict[str, list[Any]] = {}
    for name in spec.inputs:
        if name not in body:
            raise BadInputError(f"missing field {name!r}: module {module!r} takes {_field_list(spec)}")
        value = body[name]
        if isinstance(value, (str, bytes)) or not isinstance(value, list):
            raise BadInputError(
                f"field {name!r} must be a list (one entry per input), not {type(value).__name__}"
            )
        fields[name] = value
    counts = {name: len(value) for name, value in fields.items()}
    count = next(iter(counts.values()))
    if len(set(counts.values())) != 1:
        raise BadInputError(f"the input lists differ in length: {counts}")
    if count == 0:
        raise BadInputError(f"field {next(iter(fields))!r} is empty: give at least one input")
    if count > max_items:
        raise TooLargeError(f"{count} inputs in one request; this server takes at most {max_items}")
    for name in spec.images:
        for index, item in enumerate(fields[name]):
            if not isinstance(item, str):
                raise BadInputError(f"{name}[{index}] must be a base64 string, not {type(item).__name__}")
    options = []
    for name in spec.options:
        if name in body:
            if not isinstance(body[name], _SCALARS):
                raise BadInputError(f"option {name!r} must be a string, number, boolean or null")
            options.append((name, body[name]))
    return Parsed(fields, count, tuple(options))


def _field_list(spec: ServingSpec) -> str:
    return ", ".join(f"{name!r} (list)" for name in spec.inputs)
