"""The store owns the data sets' folders and locks: ``dataset_dir`` and ``dataset_lock``."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import hubcore
from hubcore import HubcoreError
from hubcore.hub import dataset_dir, dataset_lock

HOLD_THEN_REPORT = textwrap.dedent(
    """
    import sys, time
    from hubcore.hub import dataset_lock
    print("waiting", flush=True)
    with dataset_lock(sys.argv[1]) as folder:
        print("got", folder, flush=True)
    """
)


def test_hub_dataset_dir_is_in_the_hub_home(hub_home: Path) -> None:
    assert dataset_dir("chnsenticorp") == hub_home / "datasets" / "chnsenticorp"
    assert hubcore.dataset_dir is dataset_dir  # public at the top level too


@pytest.mark.parametrize("bad", ["", "../escape", "a/b", ".hidden", "Upper", "x y"])
def test_hub_dataset_names_that_are_not_folder_names_are_refused(hub_home: Path, bad: str) -> None:
    with pytest.raises(HubcoreError, match=r"data set name .* must be lowercase"):
        dataset_dir(bad)
    with pytest.raises(HubcoreError, match="data set name"), dataset_lock(bad):
        pass
    assert not (hub_home / "locks").exists()


def test_hub_dataset_lock_yields_the_folder_and_keeps_a_second_process_waiting(hub_home: Path) -> None:
    with dataset_lock("msra_ner") as folder:
        assert folder == dataset_dir("msra_ner")
        assert (hub_home / "locks" / "dataset-msra_ner.lock").exists()
        other = subprocess.Popen(
            [sys.executable, "-c", HOLD_THEN_REPORT, "msra_ner"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert other.stdout is not None and other.stderr is not None
        assert other.stdout.readline().strip() == "waiting"
        # It says on stderr that it waits, and cannot get the lock while this process holds it.
        assert other.stderr.readline().strip() == "hubcore: waiting for another unpacking of msra_ner…"
        assert other.poll() is None
    out, _ = other.communicate(timeout=60)
    assert other.returncode == 0
    assert out.strip() == f"got {dataset_dir('msra_ner')}"


def test_hub_dataset_locks_of_two_data_sets_are_independent(hub_home: Path) -> None:
    with dataset_lock("bq"):
        done = subprocess.run(
            [sys.executable, "-c", HOLD_THEN_REPORT, "lcqmc"], capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 0 and "waiting for" not in done.stderr


def test_finetune_data_sets_take_their_folders_from_the_store(hub_home: Path) -> None:
    from hubcore.finetune.data import chnsenticorp as _chnsenticorp
    from hubcore.finetune.data import msra_ner as _msra_ner

    assert _chnsenticorp._cache_folder() == dataset_dir("chnsenticorp")
    assert _msra_ner.default_folder() == dataset_dir("msra_ner")
