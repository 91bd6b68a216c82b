"""The module-management commands, registered as a plugin would."""

from __future__ import annotations

from typing import Any

from hubcore.hookspecs import hookimpl
