"""``--input_file LIST`` on efficientnet_lite0 and video_classifier: what ``--input_path`` gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hubcore.cli import build_cli


def _both(common: list[str], paths: list[str], listing: Path) -> tuple[object, object]:
    runner = CliRunner()
    listed = runner.invoke(build_cli(), [*common, "--input_file", str(listing)])
    options = [arg for path in paths for arg in ("--input_path", path)]
    return listed, runner.invoke(build_cli(), [*common, *options])


@pytest.mark.parametrize("output", ["json", "text"])
def test_a_list_file_equals_input_paths_and_a_missing_line_is_one_error(
    hub_home: Path, photos: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str
) -> None:
    monkeypatch.chdir(photos)  # relative lines are relative to the current directory
    listing = tmp_path / "list.txt"
    listing.write_text("chelsea.png\n\n  \ncoffee.png\nnot-there.jpg\n", encoding="utf-8")
    common = ["run", "efficientnet_lite0", "--top_k", "3", "--batch_size", "2", "--output", output]
    listed, by_path = _both(common, ["chelsea.png", "coffee.png", "not-there.jpg"], listing)
    assert listed.exit_code == by_path.exit_code == 1  # type: ignore[attr-defined]
    assert listed.stdout == by_path.stdout  # type: ignore[attr-defined]
    assert "chelsea.png" in listed.stdout and "coffee.png" in listed.stdout  # type: ignore[attr-defined]
    assert listed.stderr.strip() == "Error: not-there.jpg: no such file"  # type: ignore[attr-defined]


def test_no_input_at_all_is_a_usage_error() -> None:
    done = CliRunner().invoke(build_cli(), ["run", "efficientnet_lite0"])
    assert done.exit_code == 2 and "give at least one --input_path or an --input_file" in done.output
