"""``hubcore run sentiment_zh``: results offline in a fresh process, and one-line errors with exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from hubcore.cli import build_cli


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(build_cli(), ["run", "sentiment_zh", *args], catch_exceptions=False)


def test_classifies_texts_offline_in_a_new_process(tmp_path: Path) -> None:
    reviews = tmp_path / "reviews.txt"
    reviews.write_text("物流很快，东西很好，推荐！\n\n质量太差，非常失望。\n", encoding="utf-8")
    env = {
        **os.environ,
        "HUBCORE_OFFLINE": "1",
        "OMP_NUM_THREADS": "1",
        "HUBCORE_HOME": str(tmp_path / "home"),
    }
    hubcore = Path(sys.executable).parent / "hubcore"
    args = [
        "run",
        "sentiment_zh",
        "--input_text",
        "这个手机质量很好",
        "--input_file",
        str(reviews),
        "--output",
        "json",
    ]
    done = subprocess.run([str(hubcore), *args], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [row["text"] for row in rows] == [
        "这个手机质量很好",
        "物流很快，东西很好，推荐！",
        "质量太差，非常失望。",
    ]
    assert [row["sentiment_key"] for row in rows] == ["positive", "positive", "negative"]


def test_text_output_names_the_label_and_both_probabilities() -> None:
    result = run("--input_text", "质量太差，非常失望。")
    assert result.exit_code == 0, result.output
    key, positive, negative, text = result.output.strip().split("\t")
    assert key == "negative" and text == "质量太差，非常失望。"
    assert float(positive.split("=")[1]) < float(negative.split("=")[1])


def test_bad_input_gives_one_line_and_exit_2(tmp_path: Path) -> None:
    empty = run("--input_text", "   ")
    assert empty.exit_code == 2 and "texts[0] is empty" in empty.output
    assert len(empty.output.strip().splitlines()) == 1
    binary = tmp_path / "bad.txt"
    binary.write_bytes(b"ok\n\xff\xfebad\n")
    broken = run("--input_file", str(binary))
    assert broken.exit_code == 2 and "not valid UTF-8" in broken.output
    nothing = run()
    assert nothing.exit_code == 2 and "give at least one --input_text" in nothing.output
    missing = run("--input_file", str(tmp_path / "absent.txt"))
    assert missing.exit_code == 2 and "cannot read" in missing.output
