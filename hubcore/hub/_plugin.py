"""The module-management commands, registered as a plugin would."""

from __future__ import annotations

from typing import Any

from hubcore.hookspecs import hookimpl


@hookimpl
def hubcore_register_commands(cli: Any) -> None:
    from hubcore.hub._commands import COMMANDS

    for command in COMMANDS:
        cli.add_command(command)
