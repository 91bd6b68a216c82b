"""Shared fixtures of the hub-efficientnet tests: the real photos, a private hub home, the modules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
PHOTOS = SHARED / "yolo-golden" / "photos"


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    # CI shares two cores between suites; with one thread no OpenMP barrier waits on a busy core.
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def hub_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One HUBCORE_HOME for the session, so lite0's weights are converted once."""
    home = tmp_path_factory.mktemp("hub-home")
    patch = pytest.MonkeyPatch()
    patch.setenv("HUBCORE_HOME", str(home))
    patch.setenv("HUBCORE_OFFLINE", "1")  # nothing here may reach the network
    yield home
    patch.undo()


@pytest.fixture(scope="session")
def lite0(hub_home: Path):  # type: ignore[no-untyped-def]
    import hubcore

    return hubcore.Module(name="efficientnet_lite0")


@pytest.fixture(scope="session")
def photos() -> Path:
    assert PHOTOS.is_dir(), f"{PHOTOS} is missing: the tests need ../shared"
    return PHOTOS
