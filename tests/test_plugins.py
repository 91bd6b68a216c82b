"""Plugin discovery: selection, isolation of broken plugins, conflicts and versions."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import hubcore
from hubcore.cli import build_cli

GOOD = """
from hubcore import ModuleSpec, hookimpl

@hookimpl
def hubcore_register_modules(register):
    register(ModuleSpec(name="{name}", version="1.0", entry="json:loads"))
"""


def records() -> dict[str, hubcore.plugins.PluginRecord]:
    return {record.name: record for record in hubcore.get_registry().plugins}


@pytest.fixture(autouse=True)
def third_party_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ignore the first-party plugins installed beside the tests."""
    monkeypatch.setenv("HUBCORE_LOAD_PLUGINS", "hub-good,hub-broken,hub-raises,hub-other,hub-future")


def test_a_plugin_that_fails_to_import_is_recorded_and_skipped(make_plugin) -> None:
    make_plugin("hub-good", GOOD.format(name="good"))
    make_plugin("hub-broken", "import this_module_does_not_exist\n")
    found = records()
    assert found["hub-broken"].error.startswith(
        "ModuleNotFoundError: No module named 'this_module_does_not_exist'"
    )
    assert found["hub-good"].error is None
    assert [spec.name for spec in hubcore.list_modules()] == ["good"]


def test_a_hook_that_raises_adds_nothing_and_breaks_nothing(make_plugin) -> None:
    make_plugin("hub-good", GOOD.format(name="good"))
    make_plugin(
        "hub-raises",
        """
        from hubcore import ModuleSpec, hookimpl

        @hookimpl
        def hubcore_register_modules(register):
            register(ModuleSpec(name="half", version="1.0", entry="json:loads"))
            raise RuntimeError("weights folder missing")
        """,
    )
    found = records()
    assert (
        found["hub-raises"].error == "hubcore_register_modules failed: RuntimeError: weights folder missing"
    )
    assert found["hub-raises"].modules == []
    assert [spec.name for spec in hubcore.list_modules()] == ["good"]


def test_every_command_keeps_working_beside_a_broken_plugin(make_plugin) -> None:
    make_plugin("hub-good", GOOD.format(name="good"))
    make_plugin("hub-broken", "raise ImportError('needs a GPU')\n")
    runner = CliRunner()
    listed = runner.invoke(build_cli(), ["plugins", "list", "--json"])
    assert listed.exit_code == 0
    rows = {row["name"]: row for row in json.loads(listed.output)}
    assert set(rows["hub-broken"]) == {"name", "version", "hooks", "modules", "error"}
    assert "needs a GPU" in rows["hub-broken"]["error"]
    assert rows["hub-good"] == {
        "name": "hub-good",
        "version": "1.0",
        "hooks": ["hubcore_register_modules"],
        "modules": ["good"],
        "error": None,
    }
    modules = runner.invoke(build_cli(), ["list", "--json"])
    assert [m["name"] for m in json.loads(modules.output)] == ["good"]


def test_load_plugins_selects_distributions(make_plugin, monkeypatch) -> None:
    make_plugin("hub-good", GOOD.format(name="good"))
    make_plugin("hub-other", GOOD.format(name="other"))
    monkeypatch.setenv("HUBCORE_LOAD_PLUGINS", "hub-other")
    hubcore.reset_registry()
    assert [spec.name for spec in hubcore.list_modules()] == ["other"]
    monkeypatch.setenv("HUBCORE_LOAD_PLUGINS", "")
    hubcore.reset_registry()
    assert hubcore.list_modules() == []
    assert list(records()) == ["hubcore"]  # the built-ins always load


def test_two_plugins_registering_one_name_are_reported_as_a_conflict(make_plugin) -> None:
    make_plugin("hub-good", GOOD.format(name="shared"))
    make_plugin("hub-other", GOOD.format(name="shared"))
    registry = hubcore.get_registry()
    assert [str(c) for c in registry.conflicts] == [
        "module 'shared' is registered by both 'hub-good' and 'hub-other'; using 'hub-good'"
    ]
    assert hubcore.get_module_spec("shared").plugin == "hub-good"
    result = CliRunner().invoke(build_cli(), ["plugins", "list"])
    assert "conflict: module 'shared' is registered by both 'hub-good' and 'hub-other'" in result.output


def test_a_plugin_needing_another_hubcore_is_not_loaded(make_plugin) -> None:
    make_plugin("hub-future", GOOD.format(name="future"), requires=("hubcore>=99",))
    record = records()["hub-future"]
    assert record.error == f"needs hubcore>=99, but hubcore {hubcore.__version__} is installed; not loaded"
    assert record.requires_hubcore == ">=99"
    assert hubcore.list_modules() == []
    import sys

    assert "hub_future" not in sys.modules


TWO_RANGES = """
from hubcore import ModuleSpec, hookimpl

@hookimpl
def hubcore_register_modules(register):
    register(ModuleSpec(name="future", version="1.0", entry="json:loads", command="json:dumps",
                        aliases=("future-alias",), requires_hubcore=">=99"))
    register(ModuleSpec(name="present", version="1.0", entry="json:loads", requires_hubcore=">=0.1,<99"))
"""


def test_a_module_whose_requires_hubcore_excludes_this_hubcore_is_refused_in_one_line(make_plugin) -> None:
    make_plugin("hub-future", TWO_RANGES)
    expected = (
        f"module 'future' of plugin 'hub-future' requires hubcore>=99, but hubcore {hubcore.__version__} "
        f"is running; not loaded (install a hub-future that supports hubcore {hubcore.__version__}, "
        "or a hubcore>=99)"
    )
    # The plugin's other module, whose range admits this hubcore, is there.
    assert [spec.name for spec in hubcore.list_modules()] == ["present"]
    assert records()["hub-future"].error is None
    for name in ("future", "future-alias"):
        with pytest.raises(hubcore.VersionMismatchError) as raised:
            hubcore.Module(name=name)
        assert str(raised.value) == expected
    runner = CliRunner()
    for args in (["run", "future"], ["show", "future"]):
        result = runner.invoke(build_cli(), args)
        assert result.exit_code == 2
        assert result.output.strip().splitlines()[-1] == f"Error: {expected}"
    listed = runner.invoke(build_cli(), ["plugins", "list"])
    assert listed.output.count(f"refused: {expected}") == 1


def test_a_module_without_requires_hubcore_or_with_a_matching_one_loads(make_plugin) -> None:
    make_plugin("hub-good", GOOD.format(name="good"))
    make_plugin("hub-future", TWO_RANGES)
    assert hubcore.Module(name="good", s="[1]") == [1]
    assert hubcore.get_module_spec("present").requires_hubcore == ">=0.1,<99"
    assert hubcore.get_registry().refused.keys() == {"future", "future-alias"}


def test_registering_something_that_is_not_a_spec_is_an_error(make_plugin) -> None:
    make_plugin(
        "hub-raises",
        """
        from hubcore import hookimpl

        @hookimpl
        def hubcore_register_modules(register):
            register({"name": "dict-is-not-a-spec"})
        """,
    )
    assert records()["hub-raises"].error == (
        "hubcore_register_modules failed: HubcoreError: register() expects a ModuleSpec, got dict"
    )
