"""``hubcore serving start|stop|deploy``: modules as a web service, PaddleHub Serving's way.

Only click is imported here; FastAPI, uvicorn and Ray are imported when a server starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from hubcore._errors import HubcoreError

if TYPE_CHECKING:
    from hubcore.serving._config import ServingConfig

_EXTRA_HINT = "pip install 'hubcore[serving]'"


@click.group()
def serving() -> None:
    """Serve modules over HTTP: POST /predict/<module>, with dynamic batching."""


def _start_options(function: click.decorators.FC) -> click.decorators.FC:
    options = [
        click.option(
            "-m",
            "--modules",
            "modules",
            multiple=True,
            help="A module to serve (NAME or NAME==VERSION); repeat.",
        ),
        click.option(
            "-c",
            "--config",
            "config_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="A PaddleHub-style serving.json (modules_info, port, workers, ...).",
        ),
        click.option(
            "-p", "--port", type=click.IntRange(1, 65535), default=None, help="Port [default: 8866]."
        ),
        click.option("--host", default=None, help="Address to listen on [default: 127.0.0.1]."),
        click.option(
            "--workers",
            type=click.IntRange(1, 512),
            default=None,
            help="Worker processes, each with its own copy of the models [default: 1].",
        ),
        click.option(
            "--ray-address",
            "ray_address",
            default=None,
            help="With --ray: a running cluster (ray://HOST:10001 or 'auto'); default: a local one.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@serving.command("start")
@_start_options
@click.option("--ray", "use_ray", is_flag=True, help="Run the modules as Ray Serve deployments instead.")
def start(
    modules: tuple[str, ...],
    config_path: Path | None,
    port: int | None,
    host: str | None,
    workers: int | None,
    ray_address: str | None,
    use_ray: bool,
) -> None:
    """Serve modules until Ctrl-C or `hubcore serving stop -p PORT`."""
    config = _config(modules, config_path, port, host, workers)
    if use_ray:
        _deploy(config, ray_address)
        return
    try:
        from hubcore.serving._process import protocols, serve
    except ImportError as exc:
        raise HubcoreError(f"serving needs its extra ({exc.name} is missing): {_EXTRA_HINT}") from None
    _check_servable(config)
    chosen = protocols()
    click.echo(
        f"serving {', '.join(m.name for m in config.modules)} on http://{config.host}:{config.port} "
        f"({config.workers} worker(s); {chosen.loop} event loop, {chosen.http} HTTP parser)",
        err=True,
    )
    serve(config)


@serving.command("deploy")
@_start_options
def deploy(
    modules: tuple[str, ...],
    config_path: Path | None,
    port: int | None,
    host: str | None,
    workers: int | None,
    ray_address: str | None,
) -> None:
    """Serve modules as Ray Serve deployments (same routes and answers); same as `start --ray`."""
    _deploy(_config(modules, config_path, port, host, workers), ray_address)


@serving.command("stop")
@click.option("-p", "--port", type=click.IntRange(1, 65535), default=8866, show_default=True)
def stop(port: int) -> None:
    """Stop the server on PORT, letting it finish the requests in flight."""
    from hubcore.serving._process import stop as stop_server

    pid = stop_server(port)
    click.echo(f"stopped the server on port {port} (pid {pid})")


def _config(
    modules: tuple[str, ...],
    config_path: Path | None,
    port: int | None,
    host: str | None,
    workers: int | None,
) -> ServingConfig:
    from hubcore.serving._config import DEFAULT_HOST, DEFAULT_PORT, config_from_options, load_config

    base = load_config(config_path) if config_path is not None else None
    return config_from_options(
        modules,
        port=port or (base.port if base else DEFAULT_PORT),
        host=host or (base.host if base else DEFAULT_HOST),
        workers=workers or (base.workers if base else 1),
        base=base,
    )


def _check_servable(config: ServingConfig) -> None:
    """Fail before any worker starts when a module is unknown or declares no serving."""
    from hubcore._module import get_module_spec
    from hubcore.serving._runner import serving_spec_of

    for module in config.modules:
        serving_spec_of(get_module_spec(module.name, module.version))


def _deploy(config: ServingConfig, address: str | None) -> None:
    _check_servable(config)
    try:
        from hubcore.serving._ray import run_blocking
    except ImportError as exc:
        raise HubcoreError(
            f"--ray needs Ray Serve ({exc.name} is missing): pip install 'hubcore[ray]'"
        ) from None
    run_blocking(config, address)
