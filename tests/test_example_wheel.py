"""The path a third party takes: build a plugin wheel, install it beside hubcore, use it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def run(*args: str | Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_hub_example_wheel_installs_into_a_fresh_venv_and_runs(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-q",
        "-w",
        wheels,
        ROOT / "plugins" / "hub-example",
    )
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, ROOT)
    (wheel,) = wheels.glob("hub_example-*.whl")
    (core,) = wheels.glob("hubcore-*.whl")

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    run(python, "-m", "pip", "install", "-q", core, wheel)

    env = {k: v for k, v in os.environ.items() if k not in {"HUBCORE_LOAD_PLUGINS", "PYTHONPATH"}}
    hubcore = env_dir / "bin" / "hubcore"
    plugins = json.loads(run(hubcore, "plugins", "list", "--json", env=env))
    assert {p["name"]: (p["modules"], p["error"]) for p in plugins} == {
        "hubcore": ([], None),
        "hub-example": (["example"], None),
    }
    output = run(hubcore, "run", "example", "--input_text", "模型 即 软件", env=env)
    assert json.loads(output) == [{"text": "模型 即 软件", "characters": 7, "words": 3}]
    # The template ships inside the wheel, so `plugins new` works outside a checkout too.
    run(hubcore, "plugins", "new", "demo", "--directory", tmp_path, env=env)
    assert (tmp_path / "hub-demo" / "src" / "hub_demo" / "plugin.py").is_file()
