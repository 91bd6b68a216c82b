"""Fixtures shared by hub-lac's tests: the reference outputs and a built module per mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "lac-golden" / "public.jsonl").is_file():
        pytest.skip(f"the shared reference material is not at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def golden(shared_dir: Path) -> list[dict]:
    with (shared_dir / "lac-golden" / "public.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="session")
def lac_modules() -> dict:
    from hub_lac.module import LAC

    return {mode: LAC(mode=mode) for mode in ("lac", "seg", "rank")}
