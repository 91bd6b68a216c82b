"""classification(): real photos classified sensibly, PaddleHub's call shape, bad images, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import hubcore

CATS = {"tabby, tabby cat", "tiger cat", "Persian cat", "Siamese cat, Siamese", "Egyptian cat"}


def test_real_photos_get_their_classes(lite0, photos: Path) -> None:  # type: ignore[no-untyped-def]
    names = ["chelsea.png", "coffee.png", "rocket.jpg"]
    chelsea, coffee, rocket = lite0.classification(paths=[photos / n for n in names], top_k=3)
    assert CATS & set(chelsea)
    assert next(iter(coffee)) in {"espresso", "cup", "coffee mug"}
    assert {"missile", "space shuttle", "projectile, missile"} & set(rocket)
    for result in (chelsea, coffee, rocket):
        assert len(result) == 3
        probabilities = list(result.values())
        assert probabilities == sorted(probabilities, reverse=True) and 0 < sum(probabilities) <= 1.0 + 1e-6


def test_batches_and_arrays_give_the_same_answers(lite0, photos: Path) -> None:  # type: ignore[no-untyped-def]
    paths = sorted(photos.iterdir())[:3]
    one_by_one = lite0.classification(paths=paths, top_k=2, batch_size=1)
    batched = lite0.classification(paths=paths, top_k=2, batch_size=3)
    for a, b in zip(one_by_one, batched, strict=True):
        assert list(a) == list(b)
        assert np.allclose(list(a.values()), list(b.values()), atol=1e-5)
    arrays = [np.asarray(Image.open(p).convert("RGB")) for p in paths]
    from_arrays = lite0.classification(images=arrays, top_k=2)
    assert [list(r) for r in from_arrays] == [list(r) for r in one_by_one]


def test_bad_images_are_refused_one_by_one(lite0, photos: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    good = photos / "coffee.png"
    results = lite0.classification(
        paths=[tmp_path / "missing.png", corrupt, good], images=[np.zeros((4, 4, 2)), np.zeros((8, 8, 3))]
    )
    assert results[0] == {"error": f"{tmp_path / 'missing.png'}: no such file"}
    assert results[1]["error"].startswith(f"{corrupt}: ")
    assert "espresso" in results[2]
    assert "images[0]" in results[3]["error"] and "shape" in results[3]["error"]
    assert "error" not in results[4] and len(results[4]) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "needs images"),
        ({"paths": ["x.png"], "top_k": 0}, "top_k"),
        ({"paths": ["x.png"], "top_k": 1001}, "top_k"),
        ({"paths": ["x.png"], "batch_size": 0}, "batch_size"),
    ],
)
def test_bad_arguments_raise_a_hub_error(lite0, kwargs: dict, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(hubcore.HubcoreError, match=message):
        lite0.classification(**kwargs)


def _hubcore(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"HUBCORE_HOME": str(home), "HUBCORE_OFFLINE": "1", "PATH": str(Path(sys.executable).parent)}
    return subprocess.run(
        [str(Path(sys.executable).parent / "hubcore"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_cli_prints_the_top_classes_offline(hub_home: Path, photos: Path, tmp_path: Path) -> None:
    chelsea = str(photos / "chelsea.png")
    done = _hubcore(
        "run",
        "efficientnet_lite0",
        "--input_path",
        chelsea,
        "--top_k",
        "5",
        "--output",
        "json",
        home=hub_home,
    )
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)
    assert result["path"] == chelsea and len(result["data"]) == 5 and CATS & set(result["data"])
    missing = str(tmp_path / "nope.jpg")
    failed = _hubcore(
        "run", "efficientnet-lite0", "--input_path", missing, "--input_path", chelsea, home=hub_home
    )
    assert failed.returncode == 1
    assert failed.stderr.strip() == f"Error: {missing}: no such file"
    assert failed.stdout.startswith(f"{chelsea}:") and "Traceback" not in failed.stderr
