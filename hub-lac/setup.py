"""Builds the optional C kernel; hub-lac still installs (and runs on NumPy) if it cannot."""

from __future__ import annotations

import os
import sys

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


setup(
    ext_modules=[
        Extension(
            "hub_lac._ckernel",
            sources=["src/hub_lac/_ckernel.c"],
            extra_compile_args=["-std=c99", "-ffp-contract=fast"],
        )
    ],
    cmdclass={"build_ext": OptionalBuildExt},
)
