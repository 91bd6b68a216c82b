"""Fixtures for the module-management tests: a real HTTP server on 127.0.0.1 and a clean hub home."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def make_blob() -> Any:
    """Deterministic pseudo-random bytes of a given size, with their sha256."""

    def make(size: int, seed: int = 0) -> tuple[bytes, str]:
        out = bytearray()
        counter = 0
        while len(out) < size:
            out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
            counter += 1
        data = bytes(out[:size])
        return data, hashlib.sha256(data).hexdigest()

    return make


_FETCH_SCRIPT = """
import json, sys
from hubcore import Asset
from hubcore import HubcoreError
from hubcore.hub import fetch_asset
spec = json.loads(sys.argv[1])
try:
    path = fetch_asset(Asset(spec["name"], spec["sha256"], spec["size"], tuple(spec["urls"])), owner="test")
except HubcoreError as exc:
    print("ERROR", exc)
    sys.exit(3)
print("PATH", path)
"""


@pytest.fixture
def fetch_in_process() -> Any:
    """Start ``fetch_asset`` in a new Python process; returns the Popen (stdout piped)."""

    def start(asset: dict[str, Any]) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", _FETCH_SCRIPT, json.dumps(asset)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )

    return start


# --- plugin wheels and a throwaway virtual environment, shared by the whole session ---

REPO = Path(__file__).resolve().parents[2]


def _build_wheel(project: Path, out_dir: Path) -> Path:
    """Build a pure-Python wheel of a small hatchling project, without a build backend.

    It reads name, static version, dependencies, entry points and the package folders
    from pyproject.toml, which is all a hubcore plugin like hub-example declares, and
    writes a wheel pip accepts (METADATA, WHEEL, entry_points.txt, RECORD with hashes).
    """
    import base64
    import zipfile

    import tomllib

    config = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    meta = config["project"]
    name, version = meta["name"], meta["version"]
    packages = config["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    stem = f"{name.replace('-', '_')}-{version}"
    info = f"{stem}.dist-info"
    files: dict[str, bytes] = {}
    for package in packages:
        root = project / package
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                files[f"{root.name}/{path.relative_to(root).as_posix()}"] = path.read_bytes()
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {dep}" for dep in meta.get("dependencies", [])]
    files[f"{info}/METADATA"] = ("\n".join(lines) + "\n").encode()
    files[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: hubcore-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    groups = meta.get("entry-points", {})
    entry_text = "".join(
        f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in points.items()) + "\n"
        for group, points in groups.items()
    )
    files[f"{info}/entry_points.txt"] = entry_text.encode()
    record = []
    for arcname, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arcname},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    out_dir.mkdir(parents=True, exist_ok=True)
    wheel = out_dir / f"{stem}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for arcname, data in files.items():
            archive.writestr(arcname, data)
    return wheel


_FUTURE_PLUGIN = """
from hubcore import ModuleSpec, hookimpl


@hookimpl
def hubcore_register_modules(register):
    register(ModuleSpec(name="future-module", version="9.0.0", entry="hub_future.plugin:missing"))
"""


@dataclass
class PluginVenv:
    """A virtual environment that sees hubcore and its dependencies, plus plugin wheels to install."""

    root: Path
    python: Path
    wheels: Path
    example_wheel: Path
    future_wheel: Path

    def hubcore(self, *args: str, env: dict[str, str] | None = None, timeout: float = 180) -> Any:
        """Run the ``hubcore`` CLI with this environment's interpreter."""
        merged = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", **(env or {})}
        merged.pop("HUBCORE_LOAD_PLUGINS", None)
        return subprocess.run(
            [str(self.python), "-c", "from hubcore.cli import main; main()", *args],
            capture_output=True,
            text=True,
            env=merged,
            timeout=timeout,
        )

    def installed(self, dist: str) -> bool:
        probe = (
            "import importlib.metadata as m, sys\n"
            f"try: m.distribution({dist!r})\n"
            "except m.PackageNotFoundError: sys.exit(1)"
        )
        return subprocess.run([str(self.python), "-c", probe], check=False).returncode == 0


def _link_distributions(roots: tuple[str, ...], target: Path) -> None:
    """Symlink ``roots`` and their dependencies (not extras) from this environment into ``target``.

    Only these become visible to the throwaway venv: other plugins installed beside the
    tests (hub-example among them) must not be, or pip would find them already there.
    """
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    target.mkdir(parents=True)
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
        base = Path(str(dist.locate_file("")))
        tops = {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}
        for top in sorted(tops):
            if (base / top).exists() and not (target / top).exists():
                (target / top).symlink_to(base / top)


@pytest.fixture(scope="session")
def plugin_venv(tmp_path_factory: pytest.TempPathFactory) -> PluginVenv:
    """A fresh venv that sees hubcore, its dependencies and pip from this environment, nothing else.

    Created without pip, with those distributions linked in through a ``.pth`` line, it is
    ready in a fraction of a second without network, while pip still installs into, and
    uninstalls from, the new environment only.
    """
    import importlib.util

    root = tmp_path_factory.mktemp("plugin-venv")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    _link_distributions(("hubcore", "pip"), root / "core-site")
    (Path(purelib) / "_core_site.pth").write_text(
        f"import site; site.addsitedir({str(root / 'core-site')!r})\n", encoding="utf-8"
    )
    if importlib.util.find_spec("pip") is None:  # e.g. a uv-made test environment
        subprocess.run([str(python), "-m", "ensurepip", "--default-pip"], check=True, capture_output=True)

    wheels = root / "wheels"
    example = _build_wheel(REPO / "plugins" / "hub-example", wheels)
    future_src = root / "hub-future"
    (future_src / "src" / "hub_future").mkdir(parents=True)
    (future_src / "src" / "hub_future" / "__init__.py").write_text("", encoding="utf-8")
    (future_src / "src" / "hub_future" / "plugin.py").write_text(_FUTURE_PLUGIN, encoding="utf-8")
    (future_src / "pyproject.toml").write_text(
        '[project]\nname = "hub-future"\nversion = "9.0.0"\ndependencies = ["hubcore>=99"]\n'
        '[project.entry-points.hubcore]\nfuture = "hub_future.plugin"\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["src/hub_future"]\n',
        encoding="utf-8",
    )
    future = _build_wheel(future_src, root / "future-wheels")
    return PluginVenv(root, python, wheels, example, future)
