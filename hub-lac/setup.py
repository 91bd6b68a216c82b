"""Builds the optional C kernel; hub-lac still installs (and runs on NumPy) if it cannot.

Nothing is written into the source tree: the build folder and the egg-info go to a
temporary folder of this build alone (removed when it ends), so two installs of the
same checkout at once never share, or trip over, a ``build/`` folder.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """Try the fastest flags first, then plain -O3, then give up with a warning.

    -march=native tunes the kernel to the installing CPU; set HUB_LAC_PORTABLE=1 when
    building a wheel for other machines.
    """

    def build_extension(self, ext: Extension) -> None:
        base = list(ext.extra_compile_args)
        native = [] if os.environ.get("HUB_LAC_PORTABLE") else [["-O3", "-march=native"]]
        for flags in [*native, ["-O3"]]:
            ext.extra_compile_args = base + flags
            try:
                super().build_extension(ext)
                return
            except Exception as exc:
                last = exc
        sys.stderr.write(f"hub-lac: C kernel not built ({last}); the NumPy engine will be used\n")


def _scratch() -> str:
    """A folder of this build's own, outside the source tree, removed at exit."""
    folder = tempfile.mkdtemp(prefix="hub-lac-build-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


_SCRATCH = _scratch()

setup(
    # Defaults only: an explicit --build-base or --egg-base still wins.
    options={
        "build": {"build_base": os.path.join(_SCRATCH, "build")},
        "egg_info": {"egg_base": _SCRATCH},
    },
    ext_modules=[
        Extension(
            "hub_lac._ckernel",
            sources=["src/hub_lac/_ckernel.c"],
            extra_compile_args=["-std=c99", "-ffp-contract=fast"],
        )
    ],
    cmdclass={"build_ext": OptionalBuildExt},
)
