"""The references bench_serving.py measures hubcore's server against, serving the same module.

    python benchmarks/_serving_baselines.py fastapi|litserve lac|yolov3_tiny PORT WORKERS [INIT_ARGS_JSON]

``fastapi``: one plain endpoint, one request = one call of the module, no batching (what one writes
without a serving framework: a ``def`` route, which FastAPI runs in its thread pool); a lock keeps
each worker's model instance to one call at a time; WORKERS uvicorn processes, a model in each.
``litserve``: LitServe's LitAPI with its own dynamic batching (max_batch_size 64 for LAC, 8 for
YOLO, 5 ms / 10 ms waits: the same settings hubcore's specs declare) and ``fast_queue`` (ZeroMQ
between its HTTP and inference processes, which its documentation advises above ~100 req/s).
Both answer the same request body and envelope as hubcore (``POST /predict/<module>``).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any

import hubcore
from hubcore.serving._images import decode_images

BATCHING = {"lac": (64, 0.005), "yolov3_tiny": (8, 0.010)}


def build(module: str, init_args: dict[str, Any]) -> Any:
    return hubcore.Module(module, **init_args)


def predict(model: Any, module: str, bodies: list[dict[str, Any]]) -> list[list[Any]]:
    """One call for all the bodies' inputs, split back per body."""
    if module == "lac":
        texts = [t for body in bodies for t in body["text"]]
        results = model.lexical_analysis(texts=texts, batch_size=len(texts))
    else:
        images = [a for body in bodies for a in decode_images(body["images"], "images", 40_000_000)]
        results = model.object_detection(images=images, batch_size=len(images), visualization=False)
    out, start = [], 0
    for body in bodies:
        n = len(body["text" if module == "lac" else "images"])
        out.append(results[start : start + n])
        start += n
    return out


def fastapi_app() -> Any:
    """The plain endpoint, built in each uvicorn worker from BENCH_MODULE and BENCH_INIT."""
    from contextlib import asynccontextmanager

    from fastapi import FastAPI

    module, init_args = os.environ["BENCH_MODULE"], json.loads(os.environ["BENCH_INIT"])
    state: dict[str, Any] = {}
    lock = threading.Lock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        state["model"] = build(module, init_args)
        yield

    app = FastAPI(lifespan=lifespan)

    @app.post(f"/predict/{module}")
    def endpoint(body: dict[str, Any]) -> dict[str, Any]:
        with lock:
            results = predict(state["model"], module, [body])[0]
        return {"status": "000", "msg": "", "results": results}

    return app


def run_fastapi(module: str, port: int, workers: int, init_args: dict[str, Any]) -> None:
    import uvicorn

    os.environ["BENCH_MODULE"], os.environ["BENCH_INIT"] = module, json.dumps(init_args)
    uvicorn.run(
        "_serving_baselines:fastapi_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        log_level="warning",
    )


def run_litserve(module: str, port: int, workers: int, init_args: dict[str, Any]) -> None:
    import litserve as ls
    from _litserve_api import HubAPI  # a module of its own: LitServe's workers import it by name

    size, wait = BATCHING[module]
    os.environ["BENCH_MODULE"], os.environ["BENCH_INIT"] = module, json.dumps(init_args)
    server = ls.LitServer(
        HubAPI(max_batch_size=size, batch_timeout=wait, api_path=f"/predict/{module}"),
        accelerator="cpu",
        workers_per_device=workers,
        fast_queue=True,  # ZeroMQ between its processes: its docs' advice above ~100 req/s
    )
    server.run(
        host="127.0.0.1", port=port, generate_client_file=False, log_level="warning", num_api_servers=1
    )


if __name__ == "__main__":
    kind, module, port, workers = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    init = json.loads(sys.argv[5]) if len(sys.argv) > 5 else {}
    {"fastapi": run_fastapi, "litserve": run_litserve}[kind](module, port, workers, init)
