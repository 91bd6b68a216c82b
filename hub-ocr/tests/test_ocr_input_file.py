"""``hubcore run chinese_ocr --input_file LIST``: one image at a time, as ``--input_path`` gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hubcore.cli import build_cli

PHOTOS = Path(__file__).resolve().parents[2].parent / "shared" / "yolo-golden" / "photos"


def test_a_list_file_equals_input_paths_and_a_missing_line_is_one_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PHOTOS)  # relative lines are relative to the current directory
    listing = tmp_path / "list.txt"
    listing.write_text("coffee.png\n\nrocket.jpg\nnot-there.jpg\n", encoding="utf-8")
    common = ["run", "chinese_ocr", "--output", "json"]
    listed = CliRunner().invoke(build_cli(), [*common, "--input_file", str(listing)])
    options = [arg for p in ["coffee.png", "rocket.jpg", "not-there.jpg"] for arg in ("--input_path", p)]
    by_path = CliRunner().invoke(build_cli(), [*common, *options])
    assert listed.exit_code == by_path.exit_code == 1
    assert listed.stdout == by_path.stdout and '"path": "rocket.jpg"' in listed.stdout
    assert listed.stderr.strip() == "Error: not-there.jpg: no such file"
