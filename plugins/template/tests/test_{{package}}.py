"""Tests of the {{name}} plugin through the hub, as a user reaches it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import hubcore
from hubcore.cli import build_cli


@pytest.fixture(autouse=True)
def fresh_registry():
    hubcore.reset_registry()
    yield
    hubcore.reset_registry()


def test_module_is_registered() -> None:
    spec = hubcore.get_module_spec("{{name}}")
    assert spec.plugin == "{{dist}}"
    assert spec.entry == "{{package}}.module:Module"


def test_predict_counts_characters_and_words() -> None:
    module = hubcore.Module(name="{{name}}", lowercase=True)
    assert module.predict(["Hello Hub"]) == [{"text": "hello hub", "characters": 9, "words": 2}]


def test_predict_rejects_non_strings_by_index() -> None:
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        hubcore.Module(name="{{name}}").predict(["ok", None])


def test_run_command_prints_json() -> None:
    result = CliRunner().invoke(build_cli(), ["run", "{{name}}", "--input_text", "a b c"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"text": "a b c", "characters": 5, "words": 3}]
