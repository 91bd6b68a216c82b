"""Plugin hardening (issue 10): no plugin can end, hang unnoticed, half-register or hijack the hub."""

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
    register(ModuleSpec(name="good", version="1.0", entry="json:loads"))
"""


@pytest.fixture(autouse=True)
def third_party_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBCORE_LOAD_PLUGINS", "hub-good,hub-exits,hub-half,hub-slow,hub-hijack,hub-toy")


def _records() -> dict[str, hubcore.plugins.PluginRecord]:
    return {record.name: record for record in hubcore.get_registry().plugins}


@pytest.mark.parametrize(
    "source",
    [
        "import sys\nsys.exit(3)\n",
        """
        import sys
        from hubcore import hookimpl

        @hookimpl
        def hubcore_register_modules(register):
            sys.exit("bye")
        """,
        """
        import sys
        from hubcore import hookimpl

        @hookimpl
        def hubcore_register_commands(cli):
            raise SystemExit(3)
        """,
    ],
    ids=["exit-at-import", "exit-in-hook", "exit-in-commands-hook"],
)
def test_a_plugin_calling_sys_exit_is_recorded_and_every_command_still_works(make_plugin, source) -> None:
    make_plugin("hub-good", GOOD)
    make_plugin("hub-exits", source)
    result = CliRunner().invoke(build_cli(), ["plugins", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert "SystemExit" in rows["hub-exits"]["error"]
    assert rows["hub-good"]["modules"] == ["good"] and rows["hub-good"]["error"] is None
    listed = CliRunner().invoke(build_cli(), ["list", "--json"])
    assert listed.exit_code == 0 and [m["name"] for m in json.loads(listed.output)] == ["good"]


def test_keyboard_interrupt_from_a_plugin_still_stops_the_command(make_plugin) -> None:
    make_plugin("hub-exits", "raise KeyboardInterrupt\n")
    with pytest.raises(KeyboardInterrupt):
        hubcore.get_registry()


@pytest.mark.parametrize(
    "source",
    [
        """
        from hubcore import ModuleSpec, hookimpl

        @hookimpl
        def hubcore_register_modules(register):
            register(ModuleSpec(name="half", version="1.0", entry="json:loads"))
            register({"name": "not-a-spec"})
        """,
        """
        from hubcore import ComponentSpec, ModuleSpec, hookimpl

        @hookimpl
        def hubcore_register_modules(register):
            register(ModuleSpec(name="half", version="1.0", entry="json:loads"))

        @hookimpl
        def hubcore_register_tasks(register):
            register(ComponentSpec(name="half_task", entry="json:loads"))
            raise RuntimeError("task weights missing")
        """,
    ],
    ids=["valid-then-invalid-spec", "valid-hook-then-raising-hook"],
)
def test_a_plugin_that_registers_then_raises_leaves_nothing_registered(make_plugin, source) -> None:
    make_plugin("hub-good", GOOD)
    make_plugin("hub-half", source)
    registry = hubcore.get_registry()
    assert _records()["hub-half"].error is not None
    assert _records()["hub-half"].modules == []
    assert list(registry.modules) == ["good"]
    assert "half_task" not in registry.components["task"]


def test_plugin_load_times_are_shown_and_slow_start_up_names_hubcore_load_plugins(
    make_plugin, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_plugin("hub-good", GOOD)
    make_plugin("hub-slow", "import time\ntime.sleep(0.3)\n" + GOOD.replace('"good"', '"slow"'))
    monkeypatch.setenv("HUBCORE_SLOW_PLUGINS_SECONDS", "0.2")
    cli = build_cli()
    warned = capsys.readouterr().err
    assert "HUBCORE_LOAD_PLUGINS" in warned and "hub-slow" in warned and warned[-1] == "\n"
    result = CliRunner().invoke(cli, ["plugins", "list", "--json", "--timings"])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["hub-slow"]["load_seconds"] >= 0.3 > rows["hub-good"]["load_seconds"]
    monkeypatch.setenv("HUBCORE_DEBUG", "1")
    table = CliRunner().invoke(build_cli(), ["plugins", "list"], env={"COLUMNS": "200"})
    assert "load s" in table.stdout
    monkeypatch.setenv("HUBCORE_SLOW_PLUGINS_SECONDS", "60")
    hubcore.reset_registry()
    capsys.readouterr()
    build_cli()
    assert "HUBCORE_LOAD_PLUGINS" not in capsys.readouterr().err


def test_a_plugin_cannot_replace_a_core_command(make_plugin) -> None:
    make_plugin(
        "hub-hijack",
        """
        import click
        from hubcore import hookimpl

        @hookimpl
        def hubcore_register_commands(cli):
            @cli.command("list")
            def fake_list():
                click.echo("HIJACKED")

            @cli.command("install")
            def fake_install():
                click.echo("HIJACKED")

            @cli.command("hijack-extra")
            def extra():
                click.echo("extra is fine")
        """,
    )
    make_plugin("hub-good", GOOD)
    cli = build_cli()
    listed = CliRunner().invoke(cli, ["list", "--json"])
    assert "HIJACKED" not in listed.output and [m["name"] for m in json.loads(listed.output)] == ["good"]
    assert CliRunner().invoke(cli, ["hijack-extra"]).output == "extra is fine\n"
    conflicts = [str(c) for c in hubcore.get_registry().conflicts]
    assert "command 'list' is registered by both 'hubcore' and 'hub-hijack'; using 'hubcore'" in conflicts
    assert "command 'install' is registered by both 'hubcore' and 'hub-hijack'; using 'hubcore'" in conflicts
    shown = CliRunner().invoke(build_cli(), ["plugins", "list"])
    assert "conflict: command 'list' is registered by both 'hubcore' and 'hub-hijack'" in shown.output


def test_a_remote_index_entry_cannot_alias_an_installed_module_to_another_package(
    toy_plugin, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hubcore.hub._pip import install_command

    index_file = tmp_path / "index.json"
    entries = [
        {"name": "toy", "requirement": "evil-toy", "versions": [{"version": "9.0"}]},
        {
            "name": "shiny",
            "aliases": ["toy-alias"],
            "requirement": "evil-shiny",
            "versions": [{"version": "1.0"}],
        },
        {"name": "other", "requirement": "hub-other", "versions": [{"version": "1.0"}]},
    ]
    index_file.write_text(json.dumps({"format": 1, "modules": entries}), encoding="utf-8")
    monkeypatch.setenv("HUBCORE_INDEX_URL", str(index_file))
    index = hubcore.load_index()
    assert set(index.entries) == {"other"}
    assert "installed plugin 'hub-toy' provides it" in index.rejected["toy"]
    assert "'toy-alias'" in index.rejected["shiny"] and "'evil-shiny'" in index.rejected["shiny"]
    for name in ("toy", "toy-alias"):
        command = install_command([name])
        assert command[-1] == "hub-toy" and not any("evil" in part for part in command)
    result = CliRunner().invoke(build_cli(), ["search", "toy"], env={"COLUMNS": "200"})
    assert "installed plugin 'hub-toy' provides it" in result.stderr
    assert "evil" not in result.stdout
