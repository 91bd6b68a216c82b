"""The module-management commands, run through the real CLI group against a real HTTP server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hubcore import HubcoreError
from hubcore.cli import build_cli
from hubcore.hub import OfflineError, module_asset

DEMO_PLUGIN = """
from hubcore import Asset, ModuleSpec, hookimpl

ASSETS = (
    Asset("weights.bin", {sha_w!r}, {size_w}, ({url_w!r},), license="MIT"),
    Asset("vocab.txt", {sha_v!r}, {size_v}, ({url_v!r},), license="CC0-1.0"),
)

@hookimpl
def hubcore_register_modules(register):
    register(ModuleSpec(name="demo", version="1.0.0", entry="json:loads", summary="A module with assets.",
                        type="nlp/demo", keywords=("demonstration",), assets=ASSETS))
"""


@pytest.fixture
def demo(make_plugin, asset_server, make_blob, hub_home, monkeypatch):
    """Plugin ``hub-demo`` whose module ``demo`` declares two assets served on 127.0.0.1."""
    weights, sha_w = make_blob(70_000, seed=1)
    vocab, sha_v = make_blob(5_000, seed=2)
    source = DEMO_PLUGIN.format(
        sha_w=sha_w,
        size_w=len(weights),
        url_w=asset_server.serve("weights.bin", weights),
        sha_v=sha_v,
        size_v=len(vocab),
        url_v=asset_server.serve("vocab.txt", vocab),
    )
    make_plugin("hub-demo", source)
    monkeypatch.setenv("HUBCORE_LOAD_PLUGINS", "hub-demo")
    return {"weights.bin": weights, "vocab.txt": vocab}


def invoke(*args: str):
    return CliRunner().invoke(build_cli(), list(args), env={"COLUMNS": "200"})


def test_hub_download_export_then_import_on_an_offline_machine(demo, asset_server, tmp_path, monkeypatch):
    export = tmp_path / "export"

    result = invoke("download", "demo", "--output", str(export))

    assert result.exit_code == 0, result.output
    assert {p.name: p.read_bytes() for p in export.iterdir() if p.suffix != ".json"} == demo
    listed = json.loads(invoke("cache", "ls", "--json").output)
    assert sorted(a["files"][0] for a in listed) == ["vocab.txt", "weights.bin"]
    assert all(a["owners"] == ["module 'demo'"] for a in listed)

    monkeypatch.setenv("HUBCORE_HOME", str(tmp_path / "air-gapped"))
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    with pytest.raises(OfflineError, match="hubcore download demo --output DIR"):
        module_asset("demo", "weights.bin")
    offline = invoke("download", "demo")
    assert offline.exit_code == 2 and "HUBCORE_OFFLINE" in offline.output

    imported = invoke("cache", "import", str(export))

    assert imported.exit_code == 0, imported.output
    assert module_asset("demo", "weights.bin").read_bytes() == demo["weights.bin"]
    assert module_asset("demo", "vocab.txt").read_bytes() == demo["vocab.txt"]
    assert [len(asset_server.requests(name)) for name in demo] == [1, 1]


def test_hub_import_refuses_a_file_that_does_not_match_its_manifest(demo, tmp_path, monkeypatch):
    export = tmp_path / "export"
    assert invoke("download", "demo", "--output", str(export)).exit_code == 0
    (export / "weights.bin").write_bytes(b"tampered")
    monkeypatch.setenv("HUBCORE_HOME", str(tmp_path / "other"))

    result = invoke("cache", "import", str(export))

    assert result.exit_code == 2
    assert "weights.bin" in result.output and "corrupt or was replaced" in result.output
    assert not (tmp_path / "other" / "assets").exists() or not any(
        (tmp_path / "other" / "assets").rglob("weights.bin")
    )


def test_hub_cache_verify_rm_and_clear(demo, hub_home):
    assert invoke("download", "demo").exit_code == 0
    cached = module_asset("demo", "weights.bin")
    cached.write_bytes(b"bit rot")

    verify = invoke("cache", "verify")

    assert verify.exit_code == 2
    assert "1 of 2 cached files are corrupt" in verify.output and "weights.bin" in verify.output
    assert invoke("cache", "rm", "weights.bin").exit_code == 0
    assert invoke("cache", "verify").output.strip() == "all 1 cached files match their sha256"
    missing = invoke("cache", "rm", "nothing-like-this")
    assert missing.exit_code == 2 and "nothing in the cache" in missing.output
    assert invoke("download", "demo").exit_code == 0
    assert invoke("cache", "rm", "demo").exit_code == 0
    assert json.loads(invoke("cache", "ls", "--json").output) == []
    assert invoke("download", "demo").exit_code == 0
    (hub_home / "partial").mkdir(exist_ok=True)
    (hub_home / "partial" / f"{'0' * 64}.part").write_bytes(b"half")

    cleared = invoke("cache", "clear", "-y")

    assert cleared.exit_code == 0 and "removed 2 cached assets" in cleared.output
    assert json.loads(invoke("cache", "ls", "--json").output) == []
    assert list((hub_home / "partial").iterdir()) == []


def test_hub_module_asset_names_the_assets_a_module_has(demo):
    with pytest.raises(
        HubcoreError, match=r"declares no asset 'missing.bin' \(its assets: 'weights.bin', 'vocab.txt'\)"
    ):
        module_asset("demo", "missing.bin")


def test_hub_search_ranks_matches_and_marks_installed(demo, hub_home):
    ranked = json.loads(invoke("search", "ernie", "--json").output)
    assert ranked[0]["name"] == "ernie"
    assert all("ernie" in r["name"] for r in ranked)

    detection = json.loads(invoke("search", "detection", "--json").output)
    assert {r["name"] for r in detection} == {"yolov3", "yolov3_tiny"}

    mine = json.loads(invoke("search", "demonstration", "--json").output)
    assert [(r["name"], r["installed"], r["installed_version"]) for r in mine] == [("demo", True, "1.0.0")]

    table = invoke("search", "demo")
    assert table.exit_code == 0 and "yes (1.0.0)" in table.output

    near_miss = json.loads(invoke("search", "yolo3", "--json").output)
    assert near_miss[0]["name"] == "yolov3"
    assert json.loads(invoke("search", "ernie", "detection", "--json").output) == []


def test_hub_install_unknown_name_is_one_line_with_close_matches(hub_home):
    result = invoke("install", "lak")

    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Error: no module 'lak' in the bundled index; did you mean 'lac'?"
    ]


def test_hub_install_rejected_index_entry_never_runs_pip(hub_home, tmp_path, monkeypatch):
    index = tmp_path / "index.json"
    evil = {"name": "evil", "requirement": "evil --index-url https://example.invalid/simple"}
    index.write_text(json.dumps({"format": 1, "modules": [evil]}), encoding="utf-8")
    monkeypatch.setenv("HUBCORE_INDEX_URL", str(index))

    result = invoke("install", "evil")

    assert result.exit_code == 2
    assert "index entry 'evil' was rejected" in result.output and "pip option" in result.output
    assert "$ " not in result.output


def test_hub_install_of_a_missing_local_file_fails_before_pip(hub_home, tmp_path):
    result = invoke("install", str(tmp_path / "nothing-1.0-py3-none-any.whl"))

    assert result.exit_code == 2 and "no such file or folder" in result.output
    assert "$ " not in result.output


def test_hub_uninstall_unknown_or_builtin_names_fail_clearly(hub_home):
    unknown = invoke("uninstall", "lak", "-y")
    assert unknown.exit_code == 2
    assert "no installed module or plugin 'lak'" in unknown.output
    core = invoke("uninstall", "hubcore", "-y")
    assert core.exit_code == 2 and "part of hubcore itself" in core.output
    assert "$ " not in unknown.output + core.output


def test_hub_download_without_output_keeps_files_in_the_cache_only(demo, hub_home, tmp_path):
    result = invoke("download", "demo")

    assert result.exit_code == 0, result.output
    assert Path(module_asset("demo", "vocab.txt")).is_relative_to(hub_home)


def test_hub_commands_do_not_import_the_network_stack_until_used():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from hubcore.cli import build_cli\n"
        "for args in (['--help'], ['search', '--help'], ['cache', 'ls', '--help'], ['install', '--help']):\n"
        "    assert CliRunner().invoke(build_cli(), args).exit_code == 0, args\n"
        "print(sorted(m for m in ('httpx', 'rich', 'filelock', 'platformdirs') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_hub_a_file_imported_under_another_name_serves_the_asset_offline(demo, tmp_path, monkeypatch):
    renamed = tmp_path / "downloaded-by-hand.bin"
    renamed.write_bytes(demo["weights.bin"])
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")

    assert invoke("cache", "import", str(renamed)).exit_code == 0

    path = module_asset("demo", "weights.bin")
    assert path.name == "weights.bin" and path.read_bytes() == demo["weights.bin"]
    hidden = tmp_path / ".hubcore.json"
    hidden.write_text("{}")
    assert invoke("cache", "import", str(hidden)).exit_code == 2


def test_hub_download_of_an_indexed_but_missing_module_says_to_install_it(hub_home, monkeypatch):
    monkeypatch.setenv("HUBCORE_LOAD_PLUGINS", "")

    result = invoke("download", "yolov3")

    assert result.exit_code == 2
    assert "module 'yolov3' is not installed; run `hubcore install yolov3` first" in result.output


def test_hub_cache_ls_on_an_empty_cache_says_so_in_one_line(hub_home):
    result = invoke("cache", "ls")

    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines() == [
        f"the cache {hub_home} holds no assets (`hubcore download NAME` fetches a module's)"
    ]
    assert json.loads(invoke("cache", "ls", "--json").output) == []


@pytest.fixture
def unpublished(hub_home, tmp_path, monkeypatch):
    """An index listing module 'ghost' of plugin hub-ghost, and a pip that reaches no package index."""
    index = tmp_path / "index.json"
    entry = {"name": "ghost", "requirement": "hub-ghost", "versions": [{"version": "0.1.0"}]}
    index.write_text(json.dumps({"format": 1, "modules": [entry]}), encoding="utf-8")
    monkeypatch.setenv("HUBCORE_INDEX_URL", str(index))
    empty = tmp_path / "no-wheels"
    empty.mkdir()
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(empty))
    return tmp_path


def test_hub_install_of_a_plugin_not_on_the_index_says_how_to_install_it_from_a_checkout(unpublished):
    result = invoke("install", "ghost")

    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "Error: pip found no hub-ghost on the package index (hubcore's own plugins are not published "
        "there); from a checkout of the hubcore repository, run `nox -s wheels` (wheels of hubcore and "
        "every plugin in dist/wheels/) and then `hubcore install ghost --find-links dist/wheels`, "
        "or install the plugin's folder: `pip install ./hub-ghost`"
    )
    assert "Traceback" not in result.output


def test_hub_install_find_links_reaches_pip_and_is_named_when_it_lacks_the_plugin(unpublished):
    wheels = unpublished / "wheels"
    wheels.mkdir()

    result = invoke("install", "ghost", "--find-links", str(wheels))

    assert result.exit_code == 2
    assert result.output.splitlines()[0].endswith(f"-m pip install --find-links {wheels} hub-ghost==0.1.0")
    assert f"pip found no hub-ghost on the package index nor {wheels} " in result.output
    missing = invoke("install", "ghost", "--find-links", str(unpublished / "absent"))
    assert missing.exit_code == 2 and "$ " not in missing.output
    assert f"--find-links {unpublished / 'absent'}: no such folder" in missing.output


def test_hub_install_other_pip_failures_keep_pips_own_words(unpublished, tmp_path, monkeypatch):
    fake_python = tmp_path / "fake-python"
    fake_python.write_text("#!/bin/sh\necho 'ERROR: disk full' >&2\nexit 1\n", encoding="utf-8")
    fake_python.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(fake_python))

    result = invoke("install", "ghost")

    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "Error: pip install failed with exit status 1 (its output is above)"
    )


def test_hub_library_use_imports_no_click_though_the_core_registers_the_hub_commands():
    code = (
        "import sys, hubcore\n"
        "manager = hubcore.get_registry().host.manager\n"
        "print(manager.get_plugin('hubcore.cli._plugin') is not None, 'click' in sys.modules)\n"
    )
    env = {**os.environ, "HUBCORE_LOAD_PLUGINS": ""}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.split() == ["True", "False"]  # registered, yet click not imported
    commands = invoke("--help").output
    for name in ("search", "install", "uninstall", "download", "cache"):
        assert f"  {name} " in commands
