"""``hubcore run yolov3_tiny --input_file LIST``: the listed images give what ``--input_path`` gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hubcore.cli import build_cli

PHOTOS = Path(__file__).resolve().parents[2].parent / "shared" / "yolo-golden" / "photos"


@pytest.mark.parametrize("output", ["json", "text"])
def test_a_list_file_equals_input_paths_and_a_missing_line_is_one_error(
    tiny_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str
) -> None:
    monkeypatch.chdir(PHOTOS)  # relative lines are relative to the current directory
    listing = tmp_path / "list.txt"
    listing.write_text("dog.jpg\n\neagle.jpg\nnot-there.jpg\n", encoding="utf-8")
    common = ["run", "yolov3_tiny", "--weights", str(tiny_weights), "--input_size", "128"]
    common += ["--score_thresh", "0.05", "--output", output, "--batch_size", "2"]
    runner = CliRunner()
    listed = runner.invoke(build_cli(), [*common, "--input_file", str(listing)])
    by_path = runner.invoke(
        build_cli(),
        [*common, "--input_path", "dog.jpg", "--input_path", "eagle.jpg", "--input_path", "not-there.jpg"],
    )
    assert listed.exit_code == by_path.exit_code == 1
    assert listed.stdout == by_path.stdout and "dog.jpg" in listed.stdout and "eagle.jpg" in listed.stdout
    assert listed.stderr.count("Error:") == 1 and "not-there.jpg" in listed.stderr
    assert "Traceback" not in listed.output
