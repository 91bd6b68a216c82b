"""Install and uninstall real plugin wheels with pip, in a throwaway virtual environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import hubcore

pytestmark = pytest.mark.slow


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"HUBCORE_HOME": str(tmp_path / "home"), "COLUMNS": "200"}


def _module_names(venv, env) -> list[str]:
    result = venv.hubcore("list", "--json", env=env)
    assert result.returncode == 0, result.stderr
    return [m["name"] for m in json.loads(result.stdout)]


def test_hub_install_and_uninstall_a_local_wheel(plugin_venv, env):
    wheel = plugin_venv.example_wheel

    installed = plugin_venv.hubcore("install", str(wheel), env=env)

    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert f"-m pip install {wheel}" in installed.stdout.splitlines()[0]
    assert plugin_venv.installed("hub-example")
    assert "example" in _module_names(plugin_venv, env)
    found = json.loads(plugin_venv.hubcore("search", "example", "--json", env=env).stdout)
    assert found[0]["name"] == "example"
    assert found[0]["installed"] is True and found[0]["installed_version"] == "0.1.0"

    removed = plugin_venv.hubcore("uninstall", "example", "-y", env=env)

    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert "-m pip uninstall --yes hub-example" in removed.stdout.splitlines()[0]
    assert not plugin_venv.installed("hub-example")
    assert "example" not in _module_names(plugin_venv, env)


def test_hub_install_by_name_picks_the_newest_version_for_this_hubcore(plugin_venv, env, tmp_path):
    index = tmp_path / "index.json"
    versions = [
        {"version": "0.1.0", "requires_hubcore": ">=0.1"},
        {"version": "0.2.0", "requires_hubcore": ">=99"},
    ]
    entry = {"name": "example", "requirement": "hub-example", "summary": "demo", "versions": versions}
    index.write_text(json.dumps({"format": 1, "modules": [entry]}), encoding="utf-8")
    env |= {"HUBCORE_INDEX_URL": str(index), "PIP_FIND_LINKS": str(plugin_venv.wheels)}

    try:
        too_new = plugin_venv.hubcore("install", "example==0.2.0", env=env)
        assert too_new.returncode == 2
        assert "example 0.2.0 needs hubcore>=99" in too_new.stderr
        assert "pip install" not in too_new.stdout

        installed = plugin_venv.hubcore("install", "example", env=env)

        assert installed.returncode == 0, installed.stdout + installed.stderr
        assert installed.stdout.splitlines()[0].endswith("-m pip install hub-example==0.1.0")
        assert "example" in _module_names(plugin_venv, env)
    finally:
        plugin_venv.hubcore("uninstall", "hub-example", "-y", env=env)
    assert not plugin_venv.installed("hub-example")


def test_hub_incompatible_plugin_is_reported_and_the_others_still_work(plugin_venv, env):
    # pip itself would refuse hubcore>=99 (no such hubcore); a plugin left behind by an older
    # hubcore, or installed with --no-deps, is what reaches hubcore in practice.
    env |= {"PIP_NO_DEPS": "1"}
    try:
        assert plugin_venv.hubcore("install", str(plugin_venv.example_wheel), env=env).returncode == 0

        result = plugin_venv.hubcore("install", str(plugin_venv.future_wheel), env=env)

        assert result.returncode == 0, result.stdout + result.stderr
        table = result.stdout[result.stdout.index("needs hubcore") :]
        row = next(line for line in table.splitlines() if "hub-future" in line)
        assert ">=99" in row and hubcore.__version__ in row
        assert "1 plugin(s) are installed but not loaded" in result.stderr
        names = _module_names(plugin_venv, env)
        assert "example" in names and "future-module" not in names
        plugins = json.loads(plugin_venv.hubcore("plugins", "list", "--json", env=env).stdout)
        future = next(p for p in plugins if p["name"] == "hub-future")
        assert "needs hubcore>=99" in future["error"]
    finally:
        plugin_venv.hubcore("uninstall", "hub-example", "hub-future", "-y", env=env)
    assert not plugin_venv.installed("hub-future")
