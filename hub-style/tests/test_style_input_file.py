"""``hubcore run style_transfer_26 --input_file LIST``: one photo at a time, as ``--input_path`` gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from hubcore.cli import build_cli

PHOTOS = Path(__file__).resolve().parents[2].parent / "shared" / "yolo-golden" / "photos"


def test_a_list_file_equals_input_paths_with_the_same_picture_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "again").mkdir()
    shutil.copy(PHOTOS / "eagle.jpg", tmp_path / "again" / "dog.jpg")  # same stem, other photo
    monkeypatch.chdir(tmp_path)  # relative lines are relative to the current directory
    listing = tmp_path / "list.txt"
    listing.write_text(f"{PHOTOS / 'dog.jpg'}\n\nagain/dog.jpg\nnot-there.jpg\n", encoding="utf-8")
    paths = [str(PHOTOS / "dog.jpg"), "again/dog.jpg", "not-there.jpg"]
    runs = {}
    for how, inputs in [
        ("listed", ["--input_file", str(listing)]),
        ("by_path", [arg for path in paths for arg in ("--input_path", path)]),
    ]:
        args = ["run", "style_transfer_26", *inputs, "--max_side", "96", "--output_dir", how, "--style", "3"]
        runs[how] = CliRunner().invoke(build_cli(), args)
    listed, by_path = runs["listed"], runs["by_path"]
    assert listed.exit_code == by_path.exit_code == 1
    assert listed.stdout == by_path.stdout.replace("by_path/", "listed/")
    assert "listed/dog_style3.png" in listed.stdout and "listed/dog_style3_1.png" in listed.stdout
    assert listed.stderr.strip() == "Error: not-there.jpg: no such file"
    for name in ("dog_style3.png", "dog_style3_1.png"):
        np.testing.assert_array_equal(
            np.asarray(Image.open(tmp_path / "listed" / name)),
            np.asarray(Image.open(tmp_path / "by_path" / name)),
        )
