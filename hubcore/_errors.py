"""The exceptions hubcore raises for problems a user can fix."""

from __future__ import annotations


class HubcoreError(Exception):
    """A problem the user can fix; the CLI prints it as one line and exits 2."""


class UnknownNameError(HubcoreError, LookupError):
    """No module or component answers to a name."""


class VersionMismatchError(HubcoreError):
    """The installed version does not satisfy what was asked for."""


class EntryLoadError(HubcoreError, ImportError):
    """A lazy ``package.module:attribute`` entry cannot be imported."""
