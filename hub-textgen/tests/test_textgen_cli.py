"""``hubcore run textgen_lstm``: texts from the module, one-line errors, exit codes."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from hubcore.cli import build_cli


def _run(*args: str) -> Any:
    return CliRunner().invoke(build_cli(), ["run", "textgen_lstm", *args])


def test_run_prints_the_module_s_texts(lm: Any) -> None:
    result = _run(
        "--prefix", "What is the best", "--temperature", "0.5", "-n", "3", "--seed", "4", "--max_length", "80"
    )
    assert result.exit_code == 0, result.output
    expected = lm.generate("What is the best", n=3, temperature=0.5, max_length=80, seed=4)
    assert result.output.splitlines() == expected


def test_run_takes_a_temperature_schedule_and_json(lm: Any) -> None:
    result = _run("--prefix", "I", "--temperature", "0,0", "--max_length", "40", "--output", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == lm.generate("I", temperature=0.0, max_length=40)


def test_bad_temperature_is_one_line_and_exit_2() -> None:
    for value, message in (("-1", "temperature must be a finite number >= 0"), ("warm", "--temperature")):
        result = _run("--temperature", value)
        assert result.exit_code == 2
        assert message in result.output and "Traceback" not in result.output


def test_perplexity_scores_good_texts_and_reports_bad_ones(lm: Any) -> None:
    result = _run("--perplexity", "TIL that cats sleep", "--perplexity", "中文")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    score, text = lines[0].split("\t")
    assert text == "TIL that cats sleep"
    assert float(score) == round(lm.perplexity([text])[0]["perplexity"], 4)
    assert lines[1] == "Error: texts[1] has no character in the model's vocabulary ('中文')"
