"""The core's own data sets, readers, tasks and strategies, registered as a plugin would."""

from __future__ import annotations

from typing import Any, Callable

from hubcore.hookspecs import hookimpl
