"""PaddleHub Serving's answer shape and the failures a request can meet, with their codes.

Every answer is ``{"status": "000", "msg": "", "results": ...}``; a failure keeps that shape
with a non-"000" status, a one-line ``msg`` and ``results: ""``, and the HTTP code below.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

OK = "000"


class ServingError(Exception):
    """A request that cannot be answered; carries its HTTP code, envelope status and headers."""

    http_status = 500
    status = "199"
    headers: ClassVar[Mapping[str, str]] = {}

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInputError(ServingError):
    """The request's JSON or one of its inputs cannot be used."""

    http_status = 400
    status = "101"


class UnknownModuleError(ServingError):
    """No served module answers to the name in the path."""

    http_status = 404
    status = "102"


class TooLargeError(ServingError):
    """The body or its number of inputs is over the server's limit."""

    http_status = 413
    status = "103"


class OverloadedError(ServingError):
    """The module's queue is full; the client should retry later."""

    http_status = 503
    status = "104"
    headers: ClassVar[Mapping[str, str]] = {"Retry-After": "1"}


class TimedOutError(ServingError):
    """The request's deadline passed before its batch ran or finished."""

    http_status = 504
    status = "105"


class NotReadyError(ServingError):
    """Modules are still loading, or the server is shutting down."""

    http_status = 503
    status = "106"
    headers: ClassVar[Mapping[str, str]] = {"Retry-After": "1"}


class MethodFailedError(ServingError):
    """The module's method raised something that is not the client's fault."""

    http_status = 500
    status = "199"


# The statuses as the README's table lists them: status -> (HTTP code, meaning).
STATUSES: dict[str, tuple[int, str]] = {
    OK: (200, "ok"),
    **{
        cls.status: (cls.http_status, (cls.__doc__ or "").strip())
        for cls in (
            BadInputError,
            UnknownModuleError,
            TooLargeError,
            OverloadedError,
            TimedOutError,
            NotReadyError,
            MethodFailedError,
        )
    },
}


def envelope(results: Any, status: str = OK, msg: str = "") -> dict[str, Any]:
    """The body every route answers with."""
    return {"status": status, "msg": msg, "results": results}


def error_envelope(error: ServingError) -> dict[str, Any]:
    """The body of a failed request."""
    return envelope("", error.status, error.message)
