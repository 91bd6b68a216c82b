"""``POST /predict/<module>`` as a plain ASGI handler: the one route that runs per prediction.

A LAC sentence costs the model less than Starlette's per-request machinery does (the Request
object, routing, the exception middleware, JSONResponse), so this route reads the body from
``receive`` itself, checks it, waits for its batch and sends JSON bytes built in one go.  The
envelope, the error codes, the size limits, the deadline and the metrics are the same as on
every other route.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from hubcore._specs import ServingSpec
from hubcore.serving._envelope import (
    BadInputError,
    MethodFailedError,
    NotReadyError,
    ServingError,
    TooLargeError,
    UnknownModuleError,
    envelope,
    error_envelope,
)
from hubcore.serving._requests import Parsed, parse_request

if TYPE_CHECKING:
    from hubcore.serving._app import ServerState

PREFIX = "/predict/"
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_JSON_HEADER = (b"content-type", b"application/json")
_log = logging.getLogger("hubcore.serving")


class ClientGoneError(Exception):
    """The client closed the connection before its body arrived: nobody to answer."""


def dumps(content: Any) -> bytes:
    """JSON that keeps Chinese text readable, as PaddleHub's server answered."""
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class PredictRoute:
    """An ASGI app answering ``POST /predict/<module>`` from the state ``current()`` returns."""

    def __init__(self, current: Callable[[], ServerState]) -> None:
        self.current = current

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        params = scope.get("path_params")
        module = params["module"] if params and "module" in params else scope["path"][len(PREFIX) :]
        state = self.current()
        try:
            results, name = await self._predict(state, module, scope, receive)
            answer = dumps(envelope(results))
        except ClientGoneError:
            return
        except ServingError as exc:
            await _send(send, exc.http_status, dumps(error_envelope(exc)), exc.headers)
            served = state.by_name.get(module)
            if served is not None:
                state.metrics.done(served.name, exc.status, time.perf_counter() - started)
            return
        except Exception as exc:  # a bug of ours: still an envelope, and a traceback in the log
            _log.exception("POST %s failed", scope["path"])
            error = MethodFailedError(f"{type(exc).__name__}: {exc}")
            await _send(send, error.http_status, dumps(error_envelope(error)), {})
            return
        await _send(send, 200, answer, {})
        state.metrics.done(name, "000", time.perf_counter() - started)

    async def _predict(
        self, state: ServerState, module: str, scope: Scope, receive: Receive
    ) -> tuple[Any, str]:
        served = state.by_name.get(module)
        if served is None:
            known = sorted({e.name for e in state.by_name.values()})
            raise UnknownModuleError(f"module {module!r} is not served here; served: {', '.join(known)}")
        if not state.ready:
            raise NotReadyError("modules are loading or the server is stopping; retry shortly")
        body = await read_json(scope, receive, state.config.max_body_bytes)
        parsed = await _decode(
            parse_request(body, served.serving, served.name, state.config.max_items), served.serving
        )
        return await served.submit(parsed, state.config.timeout_s), served.name


async def read_json(scope: Scope, receive: Receive, limit: int) -> Any:
    """The body, refused with 413 as soon as it exceeds ``limit`` bytes, parsed as JSON."""
    for key, value in scope["headers"]:
        if key == b"content-length":
            if value.isdigit() and int(value) > limit:
                raise TooLargeError(f"the body has {value.decode()} bytes; this server takes at most {limit}")
            break
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientGoneError
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLargeError(f"the body is over {limit} bytes, the most this server takes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    try:
        return json.loads(chunks[0] if len(chunks) == 1 else b"".join(chunks))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError(f"the body is not valid JSON ({exc})") from None


async def _decode(parsed: Parsed, serving: ServingSpec) -> Parsed:
    """Base64 images decoded to arrays in the module's channel order, in a thread: decoding is CPU work."""
    images = serving.images
    if not images:
        return parsed
    from hubcore.images import DEFAULT_MAX_PIXELS
    from hubcore.serving._images import decode_images

    fields = dict(parsed.fields)
    for name in images:
        fields[name] = await asyncio.to_thread(
            decode_images, fields[name], name, DEFAULT_MAX_PIXELS, serving.image_channels
        )
    return Parsed(fields, parsed.count, parsed.options)


async def _send(send: Send, status: int, body: bytes, extra: Any) -> None:
    headers = [_JSON_HEADER, (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in extra.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
