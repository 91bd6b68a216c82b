"""The core's own data sets, readers and strategies, registered as a plugin would."""

from __future__ import annotations

from hubcore.hookspecs import hookimpl  # noqa: F401
