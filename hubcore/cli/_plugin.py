"""The hub's commands (search, install, uninstall, download, cache), registered as a plugin would.

``hubcore.hub`` is a library with no command line of its own; its commands live here and
join the ``hubcore`` group through ``hubcore_register_commands``, like any plugin's.
"""

from __future__ import annotations

from typing import Any

from hubcore.hookspecs import hookimpl


@hookimpl
def hubcore_register_commands(cli: Any) -> None:
    from hubcore.cli._cache_commands import cache
    from hubcore.cli._hub_commands import COMMANDS

    for command in (*COMMANDS, cache):
        cli.add_command(command)
