"""hubcore.images' writer and naming, shared by every plugin that saves pictures."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from hubcore.images import save_atomically, unique_name


@pytest.mark.parametrize("format", ["JPEG", "PNG"])
def test_save_atomically_writes_a_readable_picture_and_no_temporary_file(tmp_path: Path, format: str) -> None:
    target = tmp_path / "out" / f"picture.{format.lower()}"
    picture = Image.new("RGB", (8, 6), (200, 10, 10))

    assert save_atomically(picture, target, format=format) == target

    with Image.open(target) as written:
        assert (written.format, written.size) == (format, (8, 6))
    assert [p.name for p in target.parent.iterdir()] == [target.name]
    assert target.stat().st_mode & 0o644 == 0o644


def test_a_failed_save_leaves_neither_the_target_nor_a_temporary_file(tmp_path: Path) -> None:
    picture = Image.new("RGB", (4, 4))
    with pytest.raises((KeyError, ValueError, OSError)):
        save_atomically(picture, tmp_path / "x.bin", format="NO-SUCH-FORMAT")
    assert list(tmp_path.iterdir()) == []


def test_unique_name_numbers_repeats_within_one_call() -> None:
    used: set[str] = set()
    names = [
        unique_name("photo", used),
        unique_name("photo", used),
        unique_name("photo", used, suffix=".png"),
    ]
    assert names == ["photo.jpg", "photo_1.jpg", "photo.png"]
