"""Building hub-lac writes nothing into its source tree (two installs at once once collided on build/)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _copy_of_the_source(target: Path) -> Path:
    # The shipped weights (tens of MB) are left out: the build's folders do not depend on them.
    ignore = shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "data", ".pytest_cache")
    shutil.copytree(SOURCE, target, ignore=ignore)
    return target


def test_lac_pip_wheel_leaves_no_build_folder_in_the_source_tree(tmp_path: Path) -> None:
    tree = _copy_of_the_source(tmp_path / "hub-lac")
    before = sorted(str(p.relative_to(tree)) for p in tree.rglob("*"))
    wheels = tmp_path / "wheels"
    env = {**os.environ, "PIP_NO_INDEX": "1", "HUB_LAC_PORTABLE": "1", "TMPDIR": str(tmp_path)}

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            ".",
        ],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    after = sorted(str(p.relative_to(tree)) for p in tree.rglob("*"))
    assert after == before  # no build/, no src/hub_lac.egg-info, nothing else
    (wheel,) = wheels.glob("hub_lac-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert any(name.startswith("hub_lac/_ckernel") for name in archive.namelist())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hub-lac", "wheels"]  # its scratch folder removed
