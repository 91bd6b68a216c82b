"""ChnSentiCorp: registered by its public URL and MD5, fetched through the asset cache.

A small stand-in archive of the same layout (``chnsenticorp/{train,dev,test}.tsv``) is
served from 127.0.0.1; the asset and the files' MD5s are pointed at it per test, while
the registered default stays PaddlePaddle's public URL and MD5.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import hubcore
from hubcore import Asset, ComponentSpec, HubcoreError
from hubcore.cli import build_cli
from hubcore.finetune import ChnSentiCorp, DatasetFormatError
from hubcore.finetune import registration as plugin_data
from hubcore.finetune.data import chnsenticorp as chnsenticorp

PUBLIC_URL = "https://bj.bcebos.com/paddlehub-dataset/chnsenticorp.tar.gz"
PUBLIC_MD5 = "fbb3217aeac76a2840d2d5cd19688b07"
SPLITS = {
    "train": "label\ttext_a\n1\t房间很干净\n0\t服务太差\n",
    "dev": "label\ttext_a\n1\t不错\n",
    "test": "label\ttext_a\n0\t很吵\n",
}


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _archive(members: dict[str, bytes], *, links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return buffer.getvalue()


def _standin() -> bytes:
    return _archive({f"chnsenticorp/{split}.tsv": text.encode() for split, text in SPLITS.items()})


@pytest.fixture
def standin(asset_server: Any, hub_home: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, Asset]:
    """The stand-in archive served locally, with ChnSentiCorp's asset and file MD5s pointed at it."""
    data = _standin()
    url = asset_server.serve("chnsenticorp.tar.gz", data)
    asset = Asset("chnsenticorp.tar.gz", "", 0, (url,), md5=_md5(data))
    monkeypatch.setattr(chnsenticorp, "ARCHIVE", asset)
    monkeypatch.setattr(chnsenticorp, "FILE_MD5", {s: _md5(t.encode()) for s, t in SPLITS.items()})
    return data, asset


def _rows(dataset: ChnSentiCorp) -> dict[str, list[tuple[str, object]]]:
    return {
        "train": [(e.text_a, e.label) for e in dataset.get_train_examples()],
        "dev": [(e.text_a, e.label) for e in dataset.get_dev_examples()],
        "test": [(e.text_a, e.label) for e in dataset.get_test_examples()],
    }


EXPECTED = {
    "train": [("房间很干净", "1"), ("服务太差", "0")],
    "dev": [("不错", "1")],
    "test": [("很吵", "0")],
}


def test_chnsenticorp_is_registered_with_its_public_url_and_md5() -> None:
    spec = hubcore.get_registry().components["dataset"]["chnsenticorp"]
    (asset,) = spec.assets
    assert (asset.name, asset.urls, asset.md5, asset.sha256, asset.size) == (
        "chnsenticorp.tar.gz",
        (PUBLIC_URL,),
        PUBLIC_MD5,
        "",
        0,
    )
    assert asset == chnsenticorp.ARCHIVE and chnsenticorp.ARCHIVE_URL == PUBLIC_URL


def test_chnsenticorp_downloads_through_the_asset_cache_and_unpacks(
    standin: tuple[bytes, Asset], asset_server: Any, hub_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, asset = standin

    dataset = ChnSentiCorp()

    assert _rows(dataset) == EXPECTED and dataset.get_labels() == ["0", "1"]
    sha = hashlib.sha256(data).hexdigest()
    assert (hub_home / "assets" / sha / "chnsenticorp.tar.gz").read_bytes() == data
    assert (hub_home / "aliases" / "md5" / asset.md5).read_text().strip() == sha
    unpacked = hub_home / "datasets" / "chnsenticorp"
    assert sorted(p.name for p in unpacked.iterdir()) == ["dev.tsv", "test.tsv", "train.tsv"]
    assert [p.name for p in (hub_home / "datasets").iterdir()] == ["chnsenticorp"]  # no staging left
    # offline: the unpacked files serve; without them, the cached archive is unpacked again
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    assert _rows(ChnSentiCorp()) == EXPECTED
    (unpacked / "dev.tsv").write_text("label\ttext_a\n0\t被改过\n", encoding="utf-8")
    assert _rows(ChnSentiCorp()) == EXPECTED  # a damaged unpacked file is replaced, not read
    assert len(asset_server.requests("chnsenticorp.tar.gz")) == 1


def test_chnsenticorp_corrupt_download_is_refused_and_nothing_is_kept(
    standin: tuple[bytes, Asset], asset_server: Any, hub_home: Path
) -> None:
    data, asset = standin
    asset_server.serve("chnsenticorp.tar.gz", data[:-10] + b"0123456789")

    with pytest.raises(HubcoreError) as caught:
        ChnSentiCorp()

    message = str(caught.value)
    assert message.startswith("ChnSentiCorp is not available: ") and "\n" not in message
    assert f"md5 mismatch (expected {asset.md5}" in message
    assert not (hub_home / "assets").exists() or not any((hub_home / "assets").iterdir())
    assert not (hub_home / "datasets" / "chnsenticorp").exists()


def test_chnsenticorp_offline_says_how_to_provide_it_in_one_line(
    hub_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    factory = hubcore.load_component("dataset", "chnsenticorp")

    with pytest.raises(HubcoreError) as caught:
        factory()

    message = str(caught.value)
    assert "\n" not in message and message.startswith("ChnSentiCorp is not available: ")
    assert "'chnsenticorp.tar.gz'" in message and "HUBCORE_OFFLINE" in message
    assert (
        "`hubcore download chnsenticorp --output DIR`" in message and "`hubcore cache import DIR`" in message
    )
    assert PUBLIC_URL in message and PUBLIC_MD5 in message and "ChnSentiCorp(data_dir=PATH)" in message
    assert not (hub_home / "datasets" / "chnsenticorp").exists()


def test_chnsenticorp_without_network_says_so(hub_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/chnsenticorp.tar.gz"
    monkeypatch.setattr(chnsenticorp, "ARCHIVE", Asset("chnsenticorp.tar.gz", "", 0, (url,), md5=PUBLIC_MD5))

    with pytest.raises(HubcoreError) as caught:
        ChnSentiCorp()

    message = str(caught.value)
    assert "\n" not in message and f"{url}: connection failed" in message
    assert "hubcore download chnsenticorp --output DIR" in message and "data_dir=PATH" in message


def test_chnsenticorp_export_then_import_on_an_offline_machine(
    standin: tuple[bytes, Asset], asset_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _data, asset = standin
    registered = [s for s in plugin_data.DATASETS if s.name != "chnsenticorp"]
    local = ComponentSpec("chnsenticorp", f"{chnsenticorp.__name__}:ChnSentiCorp", assets=(asset,))
    monkeypatch.setattr(plugin_data, "DATASETS", (*registered, local))
    hubcore.reset_registry()
    export = tmp_path / "export"
    runner = CliRunner()

    downloaded = runner.invoke(build_cli(), ["download", "chnsenticorp", "--output", str(export)])

    assert downloaded.exit_code == 0, downloaded.output
    assert json.loads((export / "hubcore-assets.json").read_text())[0]["md5"] == asset.md5
    monkeypatch.setenv("HUBCORE_HOME", str(tmp_path / "air-gapped"))
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    with pytest.raises(HubcoreError, match="HUBCORE_OFFLINE"):
        ChnSentiCorp()
    imported = runner.invoke(build_cli(), ["cache", "import", str(export)])
    assert imported.exit_code == 0, imported.output

    assert _rows(ChnSentiCorp()) == EXPECTED
    assert len(asset_server.requests("chnsenticorp.tar.gz")) == 1


@pytest.mark.parametrize(
    ("members", "links", "message"),
    [
        ({"../train.tsv": b"x"}, None, "points outside the archive; refused"),
        ({"/etc/train.tsv": b"x"}, None, "points outside the archive; refused"),
        ({}, {"chnsenticorp/train.tsv": "/etc/passwd"}, "is not a regular file"),
        ({"chnsenticorp/dev.tsv": b"x"}, None, "has no train.tsv"),
    ],
    ids=["dotdot", "absolute", "symlink", "missing"],
)
def test_chnsenticorp_unsafe_or_incomplete_archive_is_refused(
    standin: tuple[bytes, Asset],
    asset_server: Any,
    hub_home: Path,
    members: dict[str, bytes],
    links: dict[str, str] | None,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = _archive(members, links=links)
    url = asset_server.serve("bad.tar.gz", bad)
    monkeypatch.setattr(chnsenticorp, "ARCHIVE", Asset("chnsenticorp.tar.gz", "", 0, (url,), md5=_md5(bad)))

    with pytest.raises(HubcoreError, match=message):
        ChnSentiCorp()

    assert not (hub_home / "datasets" / "chnsenticorp").exists()
    assert [p.name for p in (hub_home / "datasets").iterdir()] == []
    assert not (hub_home.parent / "train.tsv").exists()


def test_chnsenticorp_from_a_local_archive_or_folder(
    tmp_path: Path, hub_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "chnsenticorp.tar.gz"
    archive.write_bytes(_standin())
    with pytest.raises(DatasetFormatError, match="differs from ChnSentiCorp's published"):
        ChnSentiCorp(archive)  # our stand-in is not the real archive
    assert not (hub_home / "datasets" / "chnsenticorp").exists()
    assert list((hub_home / "datasets").iterdir()) == []  # nothing half-made
    monkeypatch.setattr(chnsenticorp, "FILE_MD5", {s: _md5(t.encode()) for s, t in SPLITS.items()})
    standin_asset = Asset("chnsenticorp.tar.gz", "", 0, (), md5=_md5(archive.read_bytes()))
    monkeypatch.setattr(chnsenticorp, "ARCHIVE", standin_asset)  # the archive's own MD5 is checked first
    assert _rows(ChnSentiCorp(archive)) == EXPECTED
    # unpacked into the hub's home, so the next call needs neither the archive nor the network
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    assert ChnSentiCorp().get_dev_examples()[0].text_a == "不错"
    # a folder is read and checked; an edited copy needs verify=False
    edited = tmp_path / "edited"
    edited.mkdir()
    for split in SPLITS:
        (edited / f"{split}.tsv").write_text("label\ttext_a\n1\t改过的\n", encoding="utf-8")
    with pytest.raises(DatasetFormatError, match="verify=False"):
        ChnSentiCorp(edited)
    assert ChnSentiCorp(edited, verify=False).get_test_examples()[0].text_a == "改过的"
    with pytest.raises(HubcoreError, match="neither the ChnSentiCorp archive nor a folder"):
        ChnSentiCorp(tmp_path / "nowhere")


def test_a_local_archive_is_checked_against_the_published_md5_before_unpacking(
    tmp_path: Path, hub_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "chnsenticorp.tar.gz"
    archive.write_bytes(_standin())
    # Even with split files that would pass their own check, an archive that is not the
    # published one is refused before a single member is read.
    monkeypatch.setattr(chnsenticorp, "FILE_MD5", {s: _md5(t.encode()) for s, t in SPLITS.items()})
    opened: list[str] = []
    real_open = tarfile.open

    def watching_open(*args: Any, **kwargs: Any) -> Any:
        opened.append(str(args[0]) if args else "")
        return real_open(*args, **kwargs)

    monkeypatch.setattr(tarfile, "open", watching_open)
    with pytest.raises(HubcoreError) as raised:
        ChnSentiCorp(archive)
    message = str(raised.value)
    assert (
        f"{archive}: md5 {_md5(archive.read_bytes())} differs from ChnSentiCorp's published {PUBLIC_MD5}"
        in (message)
    )
    assert opened == [] and "\n" not in message
    assert not (hub_home / "datasets" / "chnsenticorp").exists()


def _bomb(tmp_path: Path, *, size: int = 0, members: int = 0) -> Path:
    """A small tar.gz: a train.tsv of ``size`` zero bytes, or ``members`` empty files before it."""
    path = tmp_path / "bomb.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for index in range(members):
            tar.addfile(tarfile.TarInfo(f"chnsenticorp/filler-{index}.txt"), io.BytesIO(b""))
        info = tarfile.TarInfo("chnsenticorp/train.tsv")
        info.size = size

        class Zeros:  # streamed into the archive: never 300 MiB in memory
            left = size

            def read(self, count: int = -1) -> bytes:
                count = self.left if count < 0 else min(count, self.left)
                self.left -= count
                return bytes(count)

        tar.addfile(info, Zeros())  # type: ignore[arg-type]
        for split in ("dev", "test"):
            tar.addfile(tarfile.TarInfo(f"chnsenticorp/{split}.tsv"), io.BytesIO(b""))
    return path


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ({"size": 300 * 1024 * 1024}, "declare more than 268435456 bytes unpacked; refused"),
        ({"members": 1_500}, "holds more than 1000 members; refused"),
    ],
    ids=["300-MiB-member", "1500-members"],
)
def test_an_archive_bomb_is_stopped_while_streaming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: dict[str, int], message: str
) -> None:
    bomb = _bomb(tmp_path, **shape)
    assert bomb.stat().st_size < 1024 * 1024  # under 1 MB packed
    monkeypatch.setattr(
        chnsenticorp, "ARCHIVE", Asset("chnsenticorp.tar.gz", "", 0, (), md5=_md5(bomb.read_bytes()))
    )
    staging = tmp_path / "staging"
    staging.mkdir()
    with pytest.raises(HubcoreError, match=message):
        chnsenticorp._unpack_splits(bomb, staging)
    written = sum(p.stat().st_size for p in staging.iterdir())
    assert written == 0  # refused from the headers, before any of it was written
