"""One test per hook spec (tests/test_meta.py checks that none is missing)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import hubcore
from hubcore.cli import build_cli

COMPONENT_PLUGIN = """
from hubcore import ComponentSpec, hookimpl

@hookimpl
def {hook}(register):
    register(ComponentSpec(name="toy-{kind}", entry="collections:OrderedDict", summary="A toy {kind}."))
"""


@pytest.fixture
def only(monkeypatch: pytest.MonkeyPatch):
    def select(*dists: str) -> None:
        monkeypatch.setenv("HUBCORE_LOAD_PLUGINS", ",".join(dists))
        hubcore.reset_registry()

    return select


def test_hook_hubcore_register_modules(toy_plugin, only) -> None:
    only("hub-toy")
    spec = hubcore.get_module_spec("toy")
    assert (spec.plugin, spec.version, spec.summary) == ("hub-toy", "2.1.0", "A toy module.")
    assert [s.name for s in hubcore.list_modules()] == ["toy"]


def _check_component_hook(make_plugin, only, kind: str, hook: str) -> None:
    make_plugin(f"hub-toy-{kind}", COMPONENT_PLUGIN.format(hook=hook, kind=kind))
    only(f"hub-toy-{kind}")
    spec = hubcore.get_component_spec(kind, f"toy-{kind}")
    assert spec.plugin == f"hub-toy-{kind}"
    from collections import OrderedDict

    assert hubcore.load_component(kind, f"toy-{kind}") is OrderedDict
    record = next(r for r in hubcore.get_registry().plugins if r.name == f"hub-toy-{kind}")
    assert record.hooks == [hook]


def test_hook_hubcore_register_datasets(make_plugin, only) -> None:
    _check_component_hook(make_plugin, only, "dataset", "hubcore_register_datasets")


def test_hook_hubcore_register_readers(make_plugin, only) -> None:
    _check_component_hook(make_plugin, only, "reader", "hubcore_register_readers")


def test_hook_hubcore_register_tasks(make_plugin, only) -> None:
    _check_component_hook(make_plugin, only, "task", "hubcore_register_tasks")


def test_hook_hubcore_register_strategies(make_plugin, only) -> None:
    _check_component_hook(make_plugin, only, "strategy", "hubcore_register_strategies")


def test_hook_hubcore_register_commands(make_plugin, only) -> None:
    make_plugin(
        "hub-greeter",
        '''
        import click
        from hubcore import hookimpl

        @hookimpl
        def hubcore_register_commands(cli):
            @cli.command()
            @click.argument("who")
            def greet(who):
                """Say hello."""
                click.echo(f"hello {who}")
        ''',
    )
    only("hub-greeter")
    result = CliRunner().invoke(build_cli(), ["greet", "hub"])
    assert (result.exit_code, result.output) == (0, "hello hub\n")


def test_hook_implementation_may_omit_arguments(make_plugin, only) -> None:
    # The register-callback style lets a hook gain arguments without breaking old plugins.
    make_plugin(
        "hub-quiet",
        """
        from hubcore import hookimpl
        CALLS = []

        @hookimpl
        def hubcore_register_modules():
            CALLS.append("called")
        """,
    )
    only("hub-quiet")
    record = next(r for r in hubcore.get_registry().plugins if r.name == "hub-quiet")
    import hub_quiet

    assert (record.error, hub_quiet.CALLS) == (None, ["called"])
