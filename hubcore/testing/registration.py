"""Registering a plugin must import nothing heavy: the check, reusable by plugin authors.

``hubcore --help`` and ``hubcore plugins list`` load every installed plugin; one that
imports torch at registration costs every user a second on every command.  The check
runs in a fresh interpreter, because the test process has usually imported torch already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY_MODULES = (
    "torch",
    "transformers",
    "numpy",
    "PIL",
    "safetensors",
    "tensorboard",
    "cv2",
    "onnxruntime",
    "fastapi",
    "starlette",
    "uvicorn",
    "prometheus_client",
    "ray",
)

_PROBE = """
import json, sys
import hubcore
registry = hubcore.get_registry()
problems = {{p.name: p.error for p in registry.plugins if p.error}}
print(json.dumps({{"heavy": sorted(m for m in {heavy!r} if m in sys.modules), "problems": problems}}))
"""


def heavy_imports_at_registration(dist: str, heavy: tuple[str, ...] = HEAVY_MODULES) -> list[str]:
    """The heavy modules loaded when installed distribution ``dist`` registers (alone), in a new process.

    Raises AssertionError when the plugin fails to load at all, with hubcore's reason.
    """
    env = {**os.environ, "HUBCORE_LOAD_PLUGINS": dist}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=heavy)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    if done.returncode != 0:
        raise AssertionError(f"loading plugin {dist!r} failed: {done.stderr.strip()[-2000:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    if found["problems"]:
        raise AssertionError(f"plugin {dist!r} did not load: {found['problems']}")
    heavy_found: list[str] = found["heavy"]
    return heavy_found


def assert_light_registration(dist: str, heavy: tuple[str, ...] = HEAVY_MODULES) -> None:
    """Fail when registering installed distribution ``dist`` imports any of ``heavy``."""
    found = heavy_imports_at_registration(dist, heavy)
    if found:
        raise AssertionError(
            f"registering {dist!r} imports {', '.join(found)}; import them inside the module's code "
            "(where a model is built), not at the top of the plugin module"
        )
