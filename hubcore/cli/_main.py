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


def build_cli() -> click.Group:
    """A fresh ``hubcore`` group with the core's commands and those plugins add."""
    from hubcore._registry import get_registry
    from hubcore.cli import _modules, _plugins, _run, _serving

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
    host = get_registry().host
    for dist, implementation in host.implementations("hubcore_register_commands"):
        try:
            implementation(cli=cli)
        except Exception as exc:
            host.fail(dist, f"hubcore_register_commands failed: {type(exc).__name__}: {exc}")
    return cli


def main() -> None:
    """Console-script entry point."""
    build_cli()(prog_name="hubcore")
