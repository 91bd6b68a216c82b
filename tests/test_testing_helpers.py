"""hubcore.testing: the helpers plugin authors test with behave as documented."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import pytest

import hubcore
from hubcore import ComponentSpec, ModuleSpec, hookimpl
from hubcore.testing import (
    CharTokenizer,
    ToyTextModule,
    assert_light_registration,
    heavy_imports_at_registration,
    plugin_host,
)


class ThrowawayPlugin:
    @hookimpl
    def hubcore_register_modules(self, register: Callable[[ModuleSpec], None]) -> None:
        register(ModuleSpec(name="throwaway", version="0.1", entry="hubcore.testing:ToyTextModule"))

    @hookimpl
    def hubcore_register_readers(self, register: Callable[[ComponentSpec], None]) -> None:
        register(ComponentSpec(name="throwaway_reader", entry="hubcore.finetune.readers.text:ClassifyReader"))


def test_plugin_host_hides_installed_plugins_and_shows_the_throwaway_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HUBCORE_LOAD_PLUGINS", raising=False)
    assert "example" in {
        spec.name for spec in hubcore.list_modules()
    }  # hub-example is installed beside the tests
    with plugin_host(ThrowawayPlugin(), dist="hub-throwaway") as registry:
        assert set(registry.modules) == {"throwaway"}
        assert "throwaway_reader" in registry.components["reader"]
        assert "classify" in registry.components["reader"]  # the built-ins stay
        assert "hub-throwaway" in {record.name for record in registry.plugins}
    assert "HUBCORE_LOAD_PLUGINS" not in os.environ
    names = {spec.name for spec in hubcore.list_modules()}
    assert "example" in names and "throwaway" not in names


def test_plugin_host_keeps_the_installed_distributions_it_is_told_to() -> None:
    with plugin_host(ThrowawayPlugin(), installed=["hub-example"]) as registry:
        assert {"throwaway", "example"} <= set(registry.modules)


def test_registration_of_a_light_plugin_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    assert heavy_imports_at_registration("hub-example") == []
    assert_light_registration("hub-example")


HEAVY_PLUGIN = """
import numpy
from hubcore import ModuleSpec, hookimpl

@hookimpl
def hubcore_register_modules(register):
    register(ModuleSpec(name="heavy_toy", version="1.0", entry="heavy_toy_impl:Toy"))
"""


def test_registration_that_imports_numpy_is_caught_naming_the_module(
    make_plugin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_plugin("hub-heavy", HEAVY_PLUGIN)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(path.parent), *sys.path]))
    with pytest.raises(AssertionError, match="registering 'hub-heavy' imports numpy"):
        assert_light_registration("hub-heavy")


def test_a_plugin_that_fails_to_load_is_reported_not_passed(
    make_plugin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_plugin("hub-broken", "raise RuntimeError('no weights here')\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(path.parent), *sys.path]))
    with pytest.raises(AssertionError, match="no weights here"):
        heavy_imports_at_registration("hub-broken")


def test_the_toy_module_and_the_char_tokenizer_satisfy_the_contract() -> None:
    context = ToyTextModule().context(trainable=True)
    assert isinstance(context, hubcore.ModuleContext)
    assert isinstance(context.tokenizer, hubcore.Tokenizer)
    tokenizer = CharTokenizer({"[PAD]": 0, "[UNK]": 1, "好": 2})
    assert isinstance(tokenizer, hubcore.Tokenizer)
    assert tokenizer.encode("好的", max_seq_len=8)["input_ids"] == [2, 1]
