"""The root command group, which turns user errors into one line and exit status 2."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import click

from hubcore._errors import HubcoreError
from hubcore._version import __version__

if TYPE_CHECKING:
    from hubcore._registry import Registry


class UserError(click.ClickException):
    """A HubcoreError shown as ``Error: ...`` with exit status 2, without a traceback."""

    exit_code = 2


class HubcoreGroup(click.Group):
    """A group whose commands' HubcoreErrors become clean one-line failures."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HubcoreError as exc:
            raise UserError(str(exc)) from exc


def build_cli() -> click.Group:
    """A fresh ``hubcore`` group with the core's commands and those plugins add."""
    from hubcore._registry import get_registry
    from hubcore.cli import _modules, _paddle_commands, _plugins, _run, _serving
    from hubcore.plugins import warn_if_slow

    cli = HubcoreGroup(
        name="hubcore",
        help="hubcore: pretrained models for PyTorch, installed and run like packages.",
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    click.version_option(__version__, prog_name="hubcore")(cli)
    for command in (
        _plugins.plugins,
        _modules.list_command,
        _modules.show,
        _modules.version,
        _run.run,
        _serving.serving,
    ):
        cli.add_command(command)
    for command in _paddle_commands.COMMANDS:  # config, clear, help
        cli.add_command(command)
    registry = get_registry()
    host = registry.host
    owners: dict[str, str] = {}  # command name -> the plugin that added it (absent: the core)
    for dist, implementation in host.implementations("hubcore_register_commands"):
        _add_plugin_commands(cli, registry, dist, implementation, owners)
    warn_if_slow(host)
    return cli


def _add_plugin_commands(
    cli: click.Group, registry: Registry, dist: str, implementation: Any, owners: dict[str, str]
) -> None:
    """Let one plugin add commands; it may not replace a command someone registered before it."""
    from hubcore._registry import Conflict

    before = dict(cli.commands)
    started = time.perf_counter()
    try:
        implementation(cli=cli)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # SystemExit included
        registry.host.fail(dist, f"hubcore_register_commands failed: {type(exc).__name__}: {exc}")
        cli.commands.clear()
        cli.commands.update(before)  # nothing half-added
        return
    finally:
        registry.host.records[dist].load_seconds += time.perf_counter() - started
    for name, command in list(cli.commands.items()):
        if name in before and before[name] is not command:
            cli.commands[name] = before[name]
            conflict = Conflict("command", name, owners.get(name, "hubcore"), dist)
            if conflict not in registry.conflicts:
                registry.conflicts.append(conflict)
        elif name not in before:
            owners[name] = dist


def main() -> None:
    """Console-script entry point."""
    build_cli()(prog_name="hubcore")
