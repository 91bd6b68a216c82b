"""hubcore.streaming: input files read lazily in batches, checked for UTF-8 before any batch."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from hubcore import HubcoreError
from hubcore.streaming import (
    batched,
    count_utf8_lines,
    iter_text_lines,
    json_array_chunks,
    path_batches,
    text_batches,
)


def test_lines_lose_their_endings_and_the_first_its_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes("\ufeff一\r\n\n二\n三".encode())
    assert list(iter_text_lines(path)) == ["一", "", "二", "三"]
    assert count_utf8_lines(path) == 4


def test_batches_cover_every_line_in_order(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_text("".join(f"line {i}\n" for i in range(10)), encoding="utf-8")
    chunks = list(text_batches(path, 4, progress=False))
    assert [len(c) for c in chunks] == [4, 4, 2]
    assert [line for chunk in chunks for line in chunk] == [f"line {i}" for i in range(10)]
    with pytest.raises(ValueError, match="at least 1"):
        list(batched([1], 0))


def test_a_bad_byte_is_reported_with_its_line_before_any_batch(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("好\n".encode() * 5 + "caf\u00e9\n".encode("latin-1"))
    batches = text_batches(path, 2, progress=False)
    with pytest.raises(HubcoreError, match=r"latin1.txt, line 6: not valid UTF-8 \(byte 4 of the line\)"):
        next(batches)  # the whole file is checked before the first batch is handed out


def test_lines_are_read_as_they_are_used(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_text("a\nb\n", encoding="utf-8")
    lines = iter_text_lines(path)
    assert next(lines) == "a"
    with path.open("a", encoding="utf-8") as handle:  # written after reading began: still seen
        handle.write("c\n" * 10_000)
    assert sum(1 for _ in lines) == 1 + 10_000


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(HubcoreError, match=r"cannot read .*missing\.txt"):
        list(text_batches(tmp_path / "missing.txt", 2, progress=False))


def test_the_progress_bar_goes_to_stderr_and_counts_the_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "in.txt"
    path.write_text("x\n" * 7, encoding="utf-8")
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    assert sum(len(c) for c in text_batches(path, 3, progress=True)) == 7
    assert "in.txt" in stderr.getvalue()


def test_path_batches_put_the_options_first_then_the_list_files_non_blank_lines(tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_bytes("\ufeffa.jpg\n\n  \nsub/b.jpg\r\n c d.png \n".encode())
    got = list(path_batches(["x.jpg"], listing, 2))
    assert got == [["x.jpg", "a.jpg"], ["sub/b.jpg", "c d.png"]]
    assert list(path_batches(["x.jpg"], None, 2)) == [["x.jpg"]]


def test_a_bad_byte_in_a_list_file_fails_before_any_path_is_given(tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_bytes(b"a.jpg\nb\xff.jpg\n")
    with pytest.raises(HubcoreError, match=r"list\.txt, line 2: not valid UTF-8"):
        path_batches(["x.jpg"], listing, 1)


@pytest.mark.parametrize("items", [[], [{"a": [1, 2], "b": "é"}], [{"x": {"y": 1}}, [3], "s"]])
def test_json_array_chunks_equal_one_json_dumps(items: list[object]) -> None:
    import json

    assert "".join(json_array_chunks(iter(items))) == json.dumps(items, ensure_ascii=False, indent=2)
