"""Listing never imports a model: checked for every plugin installed beside the tests."""

from __future__ import annotations

import json
import subprocess
import sys

from hubcore.testing import HEAVY_MODULES as HEAVY  # the list plugin authors check with too

PROBE = """
import json, sys
from click.testing import CliRunner
import hubcore
from hubcore.cli import build_cli
runner = CliRunner()
for args in {commands!r}:
    result = runner.invoke(build_cli(), args)
    assert result.exit_code == 0, (args, result.output)
plugins = [r.to_dict() for r in hubcore.get_registry().plugins]
print(json.dumps({{"plugins": plugins, "heavy": sorted(m for m in {heavy!r} if m in sys.modules)}}))
"""


def probe(commands: list[list[str]]) -> dict[str, object]:
    code = PROBE.format(commands=commands, heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_registering_every_installed_plugin_imports_no_heavy_library() -> None:
    found = probe(
        [
            ["plugins", "list"],
            ["plugins", "list", "--json"],
            ["list"],
            ["--help"],
            ["serving", "--help"],
            ["serving", "start", "--help"],
            ["serving", "deploy", "--help"],
        ]
    )
    assert found["heavy"] == []
    broken = {p["name"]: p["error"] for p in found["plugins"] if p["error"]}  # type: ignore[union-attr]
    assert broken == {}


def test_run_help_of_every_module_imports_no_heavy_library() -> None:
    import hubcore

    names = [spec.name for spec in hubcore.list_modules() if spec.command]
    assert names, "the suite runs with hub-example at least installed"
    found = probe([["run", name, "--help"] for name in names])
    assert found["heavy"] == []
