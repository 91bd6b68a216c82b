"""`hubcore config` / `clear` / `help`: settings kept in the hub's home, below the environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hubcore.cli import build_cli
from hubcore.hub import _config, _settings


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_cli(), list(args))
    return result.exit_code, result.output


def _shown(output: str) -> dict[str, tuple[str, str]]:
    rows = {}
    for line in output.splitlines():
        if line.startswith("config file:"):
            continue
        key, value, source = line.split(None, 2)
        rows[key] = (value, source)
    return rows


def test_set_keeps_the_setting_in_the_home_and_the_hub_reads_it(
    hub_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUBCORE_CONNECT_TIMEOUT")  # the fixture's short timeout would win over the file
    assert _config.is_offline() is False and _config.timeouts().connect == 10.0
    assert run("config", "set", "offline", "yes")[0] == 0
    assert run("config", "connect_timeout", "7")[0] == 2  # neither hubcore's spelling nor PaddleHub's
    assert run("config", "set", "HUBCORE_CONNECT_TIMEOUT", "7")[0] == 0
    assert run("config", "server==https://example.org/index.json")[0] == 0  # PaddleHub's form and key
    stored = json.loads((hub_home / "config.json").read_text(encoding="utf-8"))
    assert stored == {
        "offline": "true",
        "connect_timeout": "7",
        "index_url": "https://example.org/index.json",
    }
    assert _config.is_offline() is True and _config.timeouts().connect == 7.0
    assert _config.index_url() == "https://example.org/index.json"
    code, output = run("config")
    rows = _shown(output)
    assert (
        code == 0
        and rows["offline"] == ("true", "config file")
        and rows["download_deadline"] == ("300", "default")
    )


def test_the_environment_wins_over_the_file(hub_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run("config", "set", "offline", "true")
    monkeypatch.setenv("HUBCORE_OFFLINE", "0")
    assert _config.is_offline() is False
    rows = _shown(run("config")[1])
    assert rows["offline"] == ("0", "environment (HUBCORE_OFFLINE)")
    code, output = run("config", "set", "offline", "true")
    assert code == 0 and "HUBCORE_OFFLINE is set in the environment and wins" in output


def test_unset_reset_and_bad_values(hub_home: Path) -> None:
    run("config", "set", "offline", "true")
    run("config", "set", "index_ttl", "0")
    assert run("config", "unset", "offline")[0] == 0
    assert json.loads((hub_home / "config.json").read_text()) == {"index_ttl": "0"}
    assert run("config", "reset")[0] == 0 and not (hub_home / "config.json").exists()
    for args, message in [
        (("config", "set", "offline", "maybe"), "offline takes true or false, not 'maybe'"),
        (("config", "set", "read_timeout", "0"), "read_timeout must be a positive number of seconds"),
        (("config", "set", "colour", "red"), "unknown setting 'colour'"),
        (("config", "frobnicate"), "not understood"),
    ]:
        code, output = run(*args)
        assert code == 2 and message in output and "Traceback" not in output
    assert not (hub_home / "config.json").exists()  # nothing half-written by a refused set


def test_a_damaged_file_is_one_line_and_reset_repairs_it(hub_home: Path) -> None:
    hub_home.mkdir(parents=True)
    (hub_home / "config.json").write_text("{not json", encoding="utf-8")
    code, output = run("config")
    assert code == 2 and "config.json is not valid JSON" in output and "hubcore config reset" in output
    assert run("config", "reset")[0] == 0 and _settings.read_file() == {}


def test_clear_is_cache_clear_and_help_shows_commands(hub_home: Path) -> None:
    assets = hub_home / "assets" / ("a" * 64)
    assets.mkdir(parents=True)
    (assets / "w.bin").write_bytes(b"x")
    code, output = run("clear", "--yes")
    assert code == 0 and output.startswith("removed ") and not assets.exists()
    code, output = run("help")
    assert code == 0 and output == run("--help")[1]
    code, output = run("help", "cache", "clear")
    assert code == 0 and output.startswith("Usage: hubcore cache clear")
    code, output = run("help", "nope")
    assert code == 2 and "no command 'nope'" in output
