"""The module-management commands, registered as a plugin would."""

from __future__ import annotations

from hubcore.hookspecs import hookimpl  # noqa: F401
