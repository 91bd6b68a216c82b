"""A third-party plugin that serves through its spec alone, and an in-process client for it."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hubcore.serving._app import create_app
from hubcore.serving._config import Batching, ModuleConfig, ServingConfig

ECHO_PLUGIN = """
from hubcore import ModuleSpec, ServingSpec, hookimpl

@hookimpl
def hubcore_register_modules(register):
    register(ModuleSpec(name="echo", version="1.0", entry="echo_impl:Echo", aliases=("echo-alias",),
                        serving=ServingSpec(method="predict", inputs={"text": "texts"}, options=("tag",),
                                            batch_size_arg="batch_size", max_batch_size=16, max_wait_ms=20)))
    register(ModuleSpec(name="pixels", version="1.0", entry="echo_impl:Pixels",
                        serving=ServingSpec(method="measure", inputs={"images": "images", "names": "names"},
                                            images=("images",), fixed={"scale": 2})))
    register(ModuleSpec(name="mute", version="1.0", entry="echo_impl:Echo"))
"""

ECHO_IMPL = '''
import threading
import time

class Echo:
    """Echoes each text with the size of the batch it was computed in; 'bad' inputs are refused."""

    def __init__(self, delay=0.0, gate=None):
        self.delay = delay
        self.batches = []
        self.seen = []
        self.lock = threading.Lock()

    def predict(self, texts, tag="", batch_size=1):
        if len(texts) != batch_size:
            raise AssertionError("batch_size must be the merged batch's size")
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"texts: {text!r} is not a str")
            if text.startswith("bad"):
                raise ValueError(f"{text!r} is refused")
            if text == "crash":
                raise RuntimeError("the model fell over")
        with self.lock:
            self.seen.extend(texts)
        time.sleep(self.delay)
        with self.lock:
            self.batches.append(len(texts))
        return [{"echo": text, "tag": tag, "batch": len(texts)} for text in texts]

class Pixels:
    def measure(self, images, names, scale):
        return [
            {"name": n, "shape": list(a.shape), "mean": float(a.mean()) * scale}
            for a, n in zip(images, names)
        ]
'''


@pytest.fixture
def echo_plugin(make_plugin: Callable[..., Path]) -> Path:
    """Plugin ``hub-echo``: modules ``echo`` and ``pixels`` that serve, ``mute`` that does not."""
    path = make_plugin("hub-echo", ECHO_PLUGIN)
    (path.parent / "echo_impl.py").write_text(ECHO_IMPL, encoding="utf-8")
    sys.modules.pop("echo_impl", None)
    return path


def echo_config(**settings: Any) -> ServingConfig:
    """A config serving ``echo`` (and ``pixels``), with batching and limits as given."""
    init_args = settings.pop("init_args", {})
    batching = Batching(**settings.pop("batching", {}))
    modules = (ModuleConfig("echo", init_args=init_args, batching=batching), ModuleConfig("pixels"))
    return ServingConfig(modules=modules, **settings)


@contextmanager
def serving_client(config: ServingConfig) -> Iterator[TestClient]:
    """The app in this process, its modules loaded (lifespan) until the block ends."""
    with TestClient(create_app(config)) as client:
        yield client


def served_module(client: TestClient, name: str) -> Any:
    """The module instance a test client's app built for ``name``."""
    served = client.app.state.hubcore.by_name[name]  # type: ignore[attr-defined]
    return served.runner.method.__self__
