"""The core commands, driven as a user types them."""

from __future__ import annotations

import filecmp
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import hubcore
from hubcore.cli import build_cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def only_toy(toy_plugin, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBCORE_LOAD_PLUGINS", "hub-toy")
    hubcore.reset_registry()


def invoke(*args: str):
    return CliRunner().invoke(build_cli(), list(args))


def test_list_json_has_one_object_per_module() -> None:
    result = invoke("list", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output) == [
        {
            "name": "toy",
            "version": "2.1.0",
            "type": "nlp/toy",
            "summary": "A toy module.",
            "plugin": "hub-toy",
        }
    ]


def test_list_table_and_pattern() -> None:
    assert "A toy module." in invoke("list").output
    assert "toy" not in invoke("list", "x*").output


def test_show_prints_every_field_of_the_spec() -> None:
    shown = json.loads(invoke("show", "toy", "--json").output)
    assert shown == hubcore.get_module_spec("toy").to_dict()
    assert shown["aliases"] == ["toy-alias"]
    table = invoke("show", "toy-alias").output
    for field in ("entry", "toy_impl:Toy", "requires_hubcore", "assets"):
        assert field in table


def test_version() -> None:
    assert invoke("version").output.startswith(f"hubcore {hubcore.__version__} (Python ")
    assert invoke("--version").output == f"hubcore, version {hubcore.__version__}\n"


def test_run_uses_the_command_the_module_declares() -> None:
    assert invoke("run", "toy", "--value", "21").output == "42\n"
    help_text = invoke("run", "toy", "--help").output
    assert "Scale VALUE." in help_text and "--value" in help_text
    assert "toy" in invoke("run", "--help").output


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("run", "tyo"), "Error: unknown module 'tyo'; did you mean 'toy'?"),
        (("show", "nothing"), "Error: unknown module 'nothing'"),
        (("run", "toy", "--value", "-1"), "Error: --value must not be negative, got -1"),
        (("run", "toy", "--value", "x"), "Error: Invalid value for '--value': 'x' is not a valid integer."),
    ],
)
def test_user_errors_exit_2_with_one_line_and_no_traceback(args: tuple[str, ...], line: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == line
    assert "Traceback" not in result.output


def test_user_error_in_a_real_process_prints_no_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from hubcore.cli import main; main()", "show", "no-such-module"],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "HUBCORE_LOAD_PLUGINS": ""},
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "Error: unknown module 'no-such-module'"


def test_plugins_new_renders_the_template(tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    result = invoke("plugins", "new", "word-count", "--directory", str(tmp_path))
    assert result.exit_code == 0, result.output
    plugin = tmp_path / "hub-word-count"
    pyproject = (plugin / "pyproject.toml").read_text()
    assert 'name = "hub-word-count"' in pyproject
    assert 'word-count = "hub_word_count.plugin"' in pyproject
    source = (plugin / "src" / "hub_word_count" / "plugin.py").read_text()
    assert 'entry="hub_word_count.module:Module"' in source and "{{" not in source
    again = invoke("plugins", "new", "word-count", "--directory", str(tmp_path))
    assert again.exit_code == 2 and "already exists" in again.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hub-word-count"]  # no partial folder left


def test_plugins_new_rejects_a_bad_name(tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    result = invoke("plugins", "new", "Bad Name!", "--directory", str(tmp_path))
    assert result.exit_code == 2
    assert "plugin name 'Bad Name!' must start with a letter" in result.output
    assert list(tmp_path.iterdir()) == []


def test_hub_example_is_the_rendered_template(tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    invoke("plugins", "new", "example", "--directory", str(tmp_path))
    comparison = filecmp.dircmp(tmp_path / "hub-example", ROOT / "plugins" / "hub-example")
    differing = _differences(comparison)
    assert differing == [], f"plugins/hub-example drifted from plugins/template: {differing}"


def _differences(comparison: filecmp.dircmp) -> list[str]:
    ignored = {"__pycache__", ".pytest_cache"}
    found = [
        n
        for n in comparison.left_only + comparison.right_only + comparison.diff_files
        if n not in ignored and not n.endswith(".egg-info")
    ]
    for name, sub in comparison.subdirs.items():
        if name not in ignored:
            found += [f"{name}/{item}" for item in _differences(sub)]
    return found
