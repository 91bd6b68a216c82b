"""``hubcore run ernie``: the same embeddings as the Python API, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from click.testing import CliRunner

from hubcore.cli import build_cli


def run(*args: str) -> Any:
    return CliRunner().invoke(build_cli(), ["run", *args])


def test_json_output_matches_get_embedding(ernie_tiny_dir: Path, ernie_tiny_module: Any) -> None:
    result = run(
        "ernie", "--directory", str(ernie_tiny_dir), "--input_text", "这本书很好", "--input_text",
        "质量一般\t价格便宜", "--output", "json", "--tokens",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    expected = ernie_tiny_module.get_embedding(["这本书很好", ["质量一般", "价格便宜"]])
    assert [row["text"] for row in rows] == ["这本书很好", "质量一般"]
    assert rows[1]["text_b"] == "价格便宜"
    for row, (sentence, tokens) in zip(rows, expected, strict=True):
        np.testing.assert_allclose(row["sentence_embedding"], sentence, atol=1e-5)
        np.testing.assert_allclose(row["token_embeddings"], tokens, atol=1e-5)


def test_text_output_reads_lines_from_a_file(ernie_tiny_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "texts.txt"
    source.write_text("好书\n\n物流很快\t包装不错\n", encoding="utf-8")
    result = run("ernie", "--directory", str(ernie_tiny_dir), "--input_file", str(source))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "好书" and lines[2] == "物流很快\t包装不错"
    assert len(lines[1].split()) == len(lines[3].split()) == 32


def test_errors_are_one_line_with_exit_status_2(ernie_tiny_dir: Path, tmp_path: Path) -> None:
    result = run("ernie", "--directory", str(ernie_tiny_dir), "--input_text", "")
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == "Error: texts[0] is empty"

    source = tmp_path / "bad.txt"
    source.write_text("好书\n一\t二\t三\n", encoding="utf-8")
    result = run("ernie", "--directory", str(ernie_tiny_dir), "--input_file", str(source))
    assert result.exit_code == 2
    assert "line 2: 3 TAB-separated fields" in result.output

    result = run("ernie", "--directory", str(tmp_path), "--input_text", "好")
    assert result.exit_code == 2
    assert "has no config.json" in result.output and "Traceback" not in result.output

    result = run("ernie", "--directory", str(ernie_tiny_dir))
    assert result.exit_code == 2
    assert "give at least one --input_text" in result.output
