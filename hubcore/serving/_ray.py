"""The same modules on Ray Serve: one deployment per module, replicas and autoscaling from the config.

An ingress deployment answers the same routes with the same envelope as the local server (the
routes are shared code); each module deployment builds the module once per replica and merges
requests with Ray Serve's own ``@serve.batch``.  Point it at a cluster with ``ray_address``
(``ray://head:10001`` or ``"auto"`` on a cluster node); without one, a local Ray starts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import signal
import time
from typing import Any

from fastapi import FastAPI
from ray import serve
from ray.serve.exceptions import BackPressureError
from ray.serve.handle import DeploymentHandle

from hubcore._module import get_module_spec
from hubcore._specs import ModuleSpec, ServingSpec
from hubcore.serving._app import ServerState, add_routes, bare_app
from hubcore.serving._config import Batching, ModuleConfig, ServingConfig, ServingConfigError
from hubcore.serving._envelope import OverloadedError, ServingError, TimedOutError
from hubcore.serving._requests import Parsed
from hubcore.serving._runner import ModuleRunner, run_each_group, serving_spec_of

APP_NAME = "hubcore"
# Per-module Ray settings a config may give under modules_info.<name>.ray.
RAY_OPTIONS = frozenset(
    {"num_replicas", "autoscaling_config", "ray_actor_options", "max_ongoing_requests", "max_queued_requests"}
)


class ModuleDeployment:
    """One replica of one module: built once, its calls batched by Ray Serve."""

    def __init__(self, module_json: str) -> None:
        data = json.loads(module_json)
        config = ModuleConfig(**{**data, "batching": Batching(**data["batching"])})
        self.runner = ModuleRunner.build(config)
        batching = config.batching
        batched: Any = self.predict  # serve.batch's wrapper, whose settings can change per replica
        batched.set_max_batch_size(batching.max_batch_size or self.runner.serving.max_batch_size)
        wait_ms = self.runner.serving.max_wait_ms if batching.max_wait_ms is None else batching.max_wait_ms
        batched.set_batch_wait_timeout_s(wait_ms / 1000)

    @serve.batch(max_batch_size=32, batch_wait_timeout_s=0.005)
    async def predict(self, batch: list[Parsed]) -> list[dict[str, Any]]:
        """Ray Serve hands over concurrent requests together; the module runs off the event loop."""
        return await asyncio.to_thread(run_each_group, self.runner, batch)


@dataclasses.dataclass
class RayEndpoint:
    """A module deployment, as the shared routes see it."""

    spec: ModuleSpec
    serving: ServingSpec
    handle: DeploymentHandle[Any]
    on_batch: Any = None

    @property
    def name(self) -> str:
        return self.spec.name

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.spec.name,
            "aliases": list(self.spec.aliases),
            "version": self.spec.version,
            "summary": self.spec.summary,
            "plugin": self.spec.plugin,
            "method": self.serving.method,
            "inputs": list(self.serving.inputs),
            "images": list(self.serving.images),
            "options": list(self.serving.options),
            "backend": "ray",
        }

    async def submit(self, parsed: Parsed, timeout_s: float) -> Any:
        try:
            outcome = await asyncio.wait_for(_await(self.handle.predict.remote(parsed)), timeout_s)
        except asyncio.TimeoutError:
            raise TimedOutError(f"no answer within the deadline of {timeout_s:g} s") from None
        except BackPressureError:
            raise OverloadedError(
                f"module {self.name!r}: every replica's queue is full; retry shortly"
            ) from None
        if "error" in outcome:
            error = ServingError(outcome["error"]["msg"])
            error.status, error.http_status = outcome["error"]["status"], outcome["error"]["http"]
            raise error
        if self.on_batch is not None:
            self.on_batch(outcome["batch"])
        return outcome["results"]


async def _await(response: Any) -> Any:
    return await response


class Ingress:
    """The HTTP face: hubcore's routes, answered through the module deployments' handles."""

    def __init__(self, config_json: str, handles: dict[str, DeploymentHandle[Any]]) -> None:
        config = ServingConfig.from_json(config_json)
        self.state = ServerState(config)
        for module in config.modules:
            spec = get_module_spec(module.name, module.version)
            sizes = self.state.metrics.batch_size.labels(spec.name)
            endpoint = RayEndpoint(spec, serving_spec_of(spec), handles[module.name], sizes.observe)
            for alias in {module.name, *spec.names}:
                self.state.by_name[alias] = endpoint
        self.state.ready = True

    def __serve_build_asgi_app__(self) -> FastAPI:
        app = bare_app()
        add_routes(app, lambda: self.state)
        return app


def build_application(config: ServingConfig) -> Any:
    """The Ray Serve application: one deployment per module behind the ingress."""
    handles = {}
    for module in config.modules:
        options = _ray_options(module)
        deployment: Any = serve.deployment(ModuleDeployment, name=f"module-{module.name}")
        deployment = deployment.options(**options)
        handles[module.name] = deployment.bind(json.dumps(dataclasses.asdict(module)))
    ingress: Any = serve.deployment(
        serve.ingress()(Ingress), name="ingress", ray_actor_options={"num_cpus": 0}
    )
    return ingress.bind(config.to_json(), handles)


def _ray_options(module: ModuleConfig) -> dict[str, Any]:
    unknown = sorted(set(module.ray) - RAY_OPTIONS)
    if unknown:
        raise ServingConfigError(
            f"modules_info.{module.name}.ray: unknown keys {unknown}; known: {sorted(RAY_OPTIONS)}"
        )
    options = {"max_queued_requests": module.batching.max_queue, **module.ray}
    if "autoscaling_config" in options:
        options.pop("num_replicas", None)
    return options


def deploy(config: ServingConfig, address: str | None = None) -> DeploymentHandle[Any]:
    """Start (or join) Ray, start Serve's HTTP proxy on the config's address, run the application."""
    import ray

    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    serve.start(http_options={"host": config.host, "port": config.port})
    return serve.run(build_application(config), name=APP_NAME, route_prefix="/")


def shutdown() -> None:
    """Remove the application and stop Serve (and the local Ray this process started)."""
    import ray

    stop_serve: Any = serve.shutdown  # untyped in some Ray versions
    stop_serve()
    ray.shutdown()


def run_blocking(config: ServingConfig, address: str | None = None) -> None:
    """``hubcore serving start --ray``: deploy, then wait for Ctrl-C or ``serving stop``."""
    from hubcore.serving._process import recorded_pid

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    with recorded_pid(config.port):
        deploy(config, address)
        # ray.init installs its own SIGTERM handler, which aborts the process (no Serve shutdown,
        # exit status -6): put ours back, so `serving stop` ends the application cleanly.
        signal.signal(signal.SIGTERM, stop)
        print(f"serving on Ray: http://{config.host}:{config.port}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            shutdown()
