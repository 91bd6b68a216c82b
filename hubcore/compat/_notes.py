"""One-time notes for PaddleHub options that mean nothing here (Paddle's graph and feeders).

A PaddleHub script passes them out of habit; refusing them would break the script and
ignoring them silently would hide that they have no effect, so each is named once per
process on the ``hubcore`` logger and as a ``UserWarning``.
"""

from __future__ import annotations

import logging
import warnings

_log = logging.getLogger("hubcore")
_said: set[str] = set()


def note_once(key: str, message: str) -> None:
    """Say ``message`` the first time ``key`` is seen in this process."""
    if key in _said:
        return
    _said.add(key)
    _log.info("hubcore.compat: %s", message)
    warnings.warn(f"hubcore.compat: {message}", UserWarning, stacklevel=3)


def reset_notes() -> None:
    """Forget which notes were given (tests)."""
    _said.clear()
