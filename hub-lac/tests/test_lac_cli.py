"""``hubcore run lac``: outputs, options and one-line user errors with exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hubcore.cli import build_cli


@pytest.fixture
def run():
    def invoke(*args: str):
        return CliRunner().invoke(build_cli(), ["run", "lac", *args], catch_exceptions=False)

    return invoke


def test_lac_cli_text_and_json(run) -> None:
    result = run("--input_text", "百度是一家高科技公司")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "百度/ORG 是/v 一家/m 高科技/n 公司/n"
    result = run("--input_text", "百度是一家高科技公司", "--output", "json", "--mode", "rank")
    [item] = json.loads(result.output)
    assert item["word"][0] == "百度" and item["tag"][0] == "ORG" and len(item["rank"]) == 5
    result = run("--input_text", "百度是一家高科技公司", "--no-return_tag")
    assert result.output.strip() == "百度 是 一家 高科技 公司"


def test_lac_cli_file_batches_and_user_dict(run, tmp_path: Path) -> None:
    texts = tmp_path / "in.txt"
    texts.write_text("百度是一家高科技公司\n\n我爱北京天安门\n", encoding="utf-8")
    user = tmp_path / "user.dict"
    user.write_text("天安 门\n", encoding="utf-8")
    result = run(
        "--input_file",
        str(texts),
        "--mode",
        "seg",
        "--batch_size",
        "2",
        "--user_dict",
        str(user),
        "--output",
        "json",
    )
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    assert [len(i["word"]) > 0 for i in items] == [True, False, True]
    assert items[2]["word"][-2:] == ["天安", "门"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "exactly one of --input_text and --input_file"),
        (("--input_text", "a", "--input_file", "x"), "exactly one of"),
        (("--input_text", "a", "--batch_size", "0"), "--batch_size"),
        (("--input_text", "a", "--mode", "pos"), "--mode"),
    ],
)
def test_lac_cli_usage_errors(run, args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_lac_cli_input_file_not_utf8_names_the_line(run, tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("第一行\n".encode() + "caf\u00e9\n".encode("latin-1"))
    result = run("--input_file", str(path))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert (
        len(lines) == 1
        and lines[0].startswith("Error: ")
        and "latin1.txt, line 2: not valid UTF-8" in lines[0]
    )


def test_lac_cli_bad_user_dict_is_one_line(run, tmp_path: Path) -> None:
    user = tmp_path / "user.dict"
    user.write_text("好/\n", encoding="utf-8")
    result = run("--input_text", "你好", "--user_dict", str(user))
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: {user}, line 1: '好/' has a '/' but no tag after it"
    ]
    result = run("--input_text", "你好", "--user_dict", str(tmp_path / "missing.dict"))
    assert result.exit_code == 2 and "cannot read user dictionary" in result.output


def test_lac_cli_streams_a_file_bigger_than_one_chunk(run, tmp_path: Path) -> None:
    from hub_lac.cli import _CHUNK
    from hub_lac.module import LAC

    texts = [f"今天是第{i}个好日子" for i in range(_CHUNK * 2 + 5)]
    path = tmp_path / "big.txt"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    expected = LAC().lexical_analysis(texts=texts)
    as_json = run("--input_file", str(path), "--output", "json", "--batch_size", "8")
    assert as_json.exit_code == 0
    assert json.loads(as_json.output) == expected
    as_text = run("--input_file", str(path))
    assert len(as_text.output.splitlines()) == len(texts)
    assert as_text.output.splitlines()[-1].startswith("今天/TIME")
