"""Exact parity with Baidu's LAC 2.1.2 on the 1,000 public reference sentences, all three modes."""

from __future__ import annotations

import pytest


def _expected(row: dict, mode: str) -> object:
    return row[mode]


def _got(item: dict, mode: str) -> object:
    if mode == "lac":
        return [item["word"], item["tag"]]
    if mode == "seg":
        return item["word"]
    return [item["word"], item["tag"], item["rank"]]


@pytest.mark.parametrize("batch_size", [1, 32])
@pytest.mark.parametrize("mode", ["lac", "seg", "rank"])
def test_lac_parity_with_baidu(golden: list[dict], lac_modules: dict, mode: str, batch_size: int) -> None:
    texts = [row["text"] for row in golden]
    results = lac_modules[mode].lexical_analysis(texts=texts, batch_size=batch_size)
    mismatches = [
        (row["text"], _got(item, mode), _expected(row, mode))
        for row, item in zip(golden, results, strict=True)
        if _got(item, mode) != _expected(row, mode)
    ]
    assert not mismatches, f"{len(mismatches)} of {len(golden)} differ, first: {mismatches[0]}"


def test_lac_parity_single_string_form(golden: list[dict], lac_modules: dict) -> None:
    for row in golden[:50]:
        assert lac_modules["seg"].cut(row["text"]) == row["seg"]
        assert lac_modules["lac"].cut(row["text"]) == row["lac"][0]
