"""The failures of module management, each a HubcoreError so the CLI prints one line."""

from __future__ import annotations

from hubcore._errors import HubcoreError


class DownloadError(HubcoreError):
    """An asset could not be downloaded and verified from any of its URLs."""


class OfflineError(HubcoreError):
    """An asset is missing and ``HUBCORE_OFFLINE`` forbids fetching it."""


class IndexEntryError(HubcoreError):
    """An index entry is malformed or asks for something other than a plain package."""
