"""Where the hub keeps its files and how it may use the network.

Every setting is read on each call rather than at import, so tests and long-lived
processes see changes.  An environment variable wins; else ``config.json`` in the hub's
home (``hubcore config``, see ``_settings.py``); else the default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hubcore._errors import HubcoreError

_TRUE = {"1", "true", "yes", "on"}


def cache_dir() -> Path:
    """The hub's home: ``HUBCORE_HOME``, or else the user's cache folder for hubcore."""
    home = os.environ.get("HUBCORE_HOME", "").strip()
    if home:
        return Path(home).expanduser().absolute()
    import platformdirs

    return Path(platformdirs.user_cache_dir("hubcore", appauthor=False))


def is_offline() -> bool:
    """Whether ``HUBCORE_OFFLINE`` forbids every network access."""
    return _setting("HUBCORE_OFFLINE").lower() in _TRUE


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for a connection, and for the next bytes of a response."""

    connect: float
    read: float


def timeouts() -> Timeouts:
    """``HUBCORE_CONNECT_TIMEOUT`` (default 10 s) and ``HUBCORE_READ_TIMEOUT`` (default 30 s)."""
    return Timeouts(
        connect=_seconds("HUBCORE_CONNECT_TIMEOUT", 10.0),
        read=_seconds("HUBCORE_READ_TIMEOUT", 30.0),
    )


def transfer_deadline() -> float:
    """Seconds one asset transfer may take in all (``HUBCORE_DOWNLOAD_DEADLINE``, default 300 s).

    The read timeout only catches a server that stops; this catches one that trickles.
    """
    return _seconds("HUBCORE_DOWNLOAD_DEADLINE", 300.0)


def index_deadline() -> float:
    """Seconds fetching the remote index may take in all (``HUBCORE_INDEX_DEADLINE``, default 20 s)."""
    return _seconds("HUBCORE_INDEX_DEADLINE", 20.0)


def index_ttl() -> float:
    """How long a fetched remote index is trusted before it is fetched again (``HUBCORE_INDEX_TTL``)."""
    return _seconds("HUBCORE_INDEX_TTL", 24 * 3600.0, allow_zero=True)


def index_url() -> str | None:
    """The remote index named by ``HUBCORE_INDEX_URL``, if any."""
    return _setting("HUBCORE_INDEX_URL") or None


def _setting(variable: str) -> str:
    from hubcore.hub._settings import raw_value

    return raw_value(variable)


def _seconds(variable: str, default: float, allow_zero: bool = False) -> float:
    raw = _setting(variable)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise HubcoreError(f"{variable}={raw!r} is not a number of seconds") from None
    if value < 0 or (value == 0 and not allow_zero) or value != value:
        raise HubcoreError(f"{variable}={raw!r} must be a positive number of seconds")
    return value
