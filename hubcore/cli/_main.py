"""The root command group, which turns user errors into one line and exit status 2."""

from __future__ import annotations

from typing import Any

import click

from hubcore._errors import HubcoreError
from hubcore._version import __version__


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


@click.group(cls=HubcoreGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hubcore")
def cli() -> None:
    """hubcore: pretrained models for PyTorch, installed and run like packages."""


def _register_commands() -> None:
    from hubcore.cli import _modules, _plugins, _run

    cli.add_command(_plugins.plugins)
    cli.add_command(_modules.list_command)
    cli.add_command(_modules.show)
    cli.add_command(_modules.version)
    cli.add_command(_run.run)


def _register_plugin_commands() -> None:
    from hubcore._registry import get_registry

    host = get_registry().host
    for dist, implementation in host.implementations("hubcore_register_commands"):
        try:
            implementation(cli=cli)
        except Exception as exc:
            host.fail(dist, f"hubcore_register_commands failed: {type(exc).__name__}: {exc}")


def main() -> None:
    """Console-script entry point."""
    _register_commands()
    _register_plugin_commands()
    cli(prog_name="hubcore")
