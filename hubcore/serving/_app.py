"""The FastAPI application: PaddleHub Serving's routes over per-module dynamic batchers."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from hubcore._specs import ServingSpec
from hubcore.serving._batcher import Batcher, BatchStats
from hubcore.serving._config import ServingConfig
from hubcore.serving._envelope import (
    BadInputError,
    NotReadyError,
    ServingError,
    UnknownModuleError,
    envelope,
    error_envelope,
)
from hubcore.serving._metrics import CONTENT_TYPE, Metrics
from hubcore.serving._predict import PREFIX, PredictRoute, Receive, Scope, Send, dumps
from hubcore.serving._requests import Parsed
from hubcore.serving._runner import ModuleRunner, classify

CONFIG_ENV = "HUBCORE_SERVING_CONFIG"


class EnvelopeResponse(JSONResponse):
    """JSON that keeps Chinese text readable, as PaddleHub's server answered."""

    def render(self, content: Any) -> bytes:
        return dumps(content)


class Endpoint(Protocol):
    """A served module as the routes see it: in this process (batcher) or on Ray Serve (handle)."""

    @property
    def name(self) -> str: ...

    @property
    def serving(self) -> ServingSpec: ...

    def describe(self) -> dict[str, Any]: ...

    async def submit(self, parsed: Parsed, timeout_s: float) -> Any: ...


@dataclass
class Served:
    """A module loaded in this worker and its batcher."""

    runner: ModuleRunner
    batcher: Batcher[Parsed]

    @property
    def name(self) -> str:
        return self.runner.spec.name

    @property
    def serving(self) -> ServingSpec:
        return self.runner.serving

    def describe(self) -> dict[str, Any]:
        return {
            **self.runner.describe(),
            "queued": self.batcher.queued,
            "max_batch_size": self.batcher.max_batch_size,
        }

    async def submit(self, parsed: Parsed, timeout_s: float) -> Any:
        return await self.batcher.submit(parsed, parsed.count, parsed.key, timeout_s)


@dataclass
class ServerState:
    """What the routes share: the config, the modules by every name they answer to, the metrics."""

    config: ServingConfig
    metrics: Metrics = field(default_factory=Metrics)
    by_name: dict[str, Endpoint] = field(default_factory=dict)
    ready: bool = False
    closing: bool = False

    def unique(self) -> list[Endpoint]:
        """Each module once, in config order."""
        return list({id(e): e for e in self.by_name.values()}.values())


def create_app(config: ServingConfig) -> FastAPI:
    """An app that loads the config's modules when it starts and drains them when it stops."""
    state = ServerState(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await _load(state)
        try:
            yield
        finally:
            state.closing = True
            state.ready = False
            await asyncio.gather(*(e.batcher.stop() for e in state.unique() if isinstance(e, Served)))

    app = bare_app(lifespan)
    app.state.hubcore = state
    add_routes(app, lambda: state)
    return app


class ServingApp(FastAPI):
    """FastAPI, except that ``POST /predict/...`` goes straight to its handler.

    Starlette's middleware stack and router cost a few hundred microseconds per request; the
    prediction route does not need them (it answers its own errors), so it skips them.  Every
    other route, and other methods on /predict/ (405), take FastAPI's usual path.
    """

    predict: PredictRoute | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.predict is not None
            and scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"].startswith(PREFIX)
        ):
            await self.predict(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def bare_app(lifespan: Any = None) -> ServingApp:
    """A FastAPI app with hubcore's title, answer class and no routes yet."""
    return ServingApp(
        title="hubcore serving",
        summary="PaddleHub Serving's API: POST /predict/<module> with the module's inputs as JSON.",
        version=_version(),
        lifespan=lifespan,
        default_response_class=EnvelopeResponse,
    )


def app_from_environment() -> FastAPI:
    """The factory uvicorn's worker processes call: the config travels in an environment variable."""
    text = os.environ.get(CONFIG_ENV)
    if not text:
        raise RuntimeError(f"{CONFIG_ENV} is not set; start servers with `hubcore serving start`")
    return create_app(ServingConfig.from_json(text))


async def _load(state: ServerState) -> None:
    for module in state.config.modules:
        # Building a module reads its weights: in a thread, so /health answers meanwhile.
        runner = await asyncio.to_thread(ModuleRunner.build, module)
        name = runner.spec.name
        gauge = state.metrics.queue_depth.labels(name)
        sizes = state.metrics.batch_size.labels(name)
        batcher: Batcher[Parsed] = Batcher(
            run=runner.run,
            max_batch_size=module.batching.max_batch_size or runner.serving.max_batch_size,
            max_wait_ms=(
                runner.serving.max_wait_ms
                if module.batching.max_wait_ms is None
                else module.batching.max_wait_ms
            ),
            max_queue=module.batching.max_queue,
            classify=classify,
            stats=BatchStats(on_batch=sizes.observe, on_queue=gauge.set),
        )
        batcher.start()
        served = Served(runner, batcher)
        for alias in {module.name, *runner.spec.names}:
            state.by_name[alias] = served
    state.ready = True


def add_routes(app: FastAPI, current: Callable[[], ServerState]) -> None:
    """PaddleHub Serving's routes; ``current()`` gives the state of the process answering."""

    @app.exception_handler(ServingError)
    async def serving_error(request: Request, exc: ServingError) -> Response:
        return EnvelopeResponse(error_envelope(exc), status_code=exc.http_status, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        error: ServingError
        if exc.status_code == 404:
            error = UnknownModuleError(f"no route {request.url.path}")
        else:
            error = BadInputError(str(exc.detail))
            error.http_status = exc.status_code
        return EnvelopeResponse(error_envelope(error), status_code=error.http_status)

    # A plain ASGI app, not a FastAPI route: per request, FastAPI's and Starlette's machinery
    # costs more than a LAC sentence does.  Its OpenAPI entry is written by hand below.  The
    # route stays for servers that call the router (Ray Serve's ingress); ServingApp skips it.
    predict = PredictRoute(current)
    app.router.routes.append(Route("/predict/{module}", predict, methods=["POST"], include_in_schema=False))
    if isinstance(app, ServingApp):
        app.predict = predict
    _document_predict(app)

    @app.get("/health", summary="The process is up")
    async def health() -> Response:
        return EnvelopeResponse(envelope({"alive": True}))

    @app.get("/ready", summary="Every module is loaded and the server takes requests")
    async def ready() -> Response:
        state = current()
        if not state.ready:
            raise NotReadyError("modules are loading or the server is stopping")
        return EnvelopeResponse(envelope({"ready": True, "modules": [e.name for e in state.unique()]}))

    @app.get("/modules", summary="The served modules and the fields their requests take")
    async def modules() -> Response:
        return EnvelopeResponse(envelope([e.describe() for e in current().unique()]))

    @app.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(current().metrics.render(), media_type=CONTENT_TYPE)


def _document_predict(app: FastAPI) -> None:
    """Add ``POST /predict/{module}`` to the generated OpenAPI document."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schema["paths"]["/predict/{module}"] = {"post": _PREDICT_DOC}
        return app.openapi_schema or {}

    replaceable: Any = app  # FastAPI's documented way to extend the schema: replace app.openapi
    replaceable.openapi = openapi


_ENVELOPE_SCHEMA = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "description": '"000" on success; see the README for the others'},
        "msg": {"type": "string"},
        "results": {"description": 'one result per input, in order ("" on failure)'},
    },
}
_PREDICT_DOC: dict[str, Any] = {
    "summary": "Run a module on the inputs in the JSON body",
    "description": (
        "The body holds the module's input fields (GET /modules lists them), each a list with one "
        'entry per input, e.g. {"text": ["今天是个好日子"]}; images are base64 strings. '
        "Concurrent requests are batched together."
    ),
    "parameters": [{"name": "module", "in": "path", "required": True, "schema": {"type": "string"}}],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
    "responses": {
        str(code): {"description": meaning, "content": {"application/json": {"schema": _ENVELOPE_SCHEMA}}}
        for code, meaning in [
            (200, "ok"),
            (400, "bad input"),
            (404, "unknown module"),
            (413, "too large"),
            (503, "overloaded or not ready; see Retry-After"),
            (504, "deadline passed"),
        ]
    },
}


def _version() -> str:
    from hubcore._version import __version__

    return __version__
