"""Prometheus metrics of one server: requests, latencies, batch sizes and queue depth.

With several worker processes, ``PROMETHEUS_MULTIPROC_DIR`` (set by ``hubcore serving start``)
makes every worker write its figures there and ``GET /metrics`` sum all of them.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


class Metrics:
    """The server's instruments, on a registry of their own (so tests can run several apps)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "hubcore_requests",
            "Prediction requests answered, by module and envelope status.",
            ("module", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "hubcore_request_seconds",
            "Time from a prediction request's arrival to its answer.",
            ("module",),
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "hubcore_batch_size",
            "Inputs per call of a module's serving method.",
            ("module",),
            buckets=_BATCH_BUCKETS,
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "hubcore_queue_depth",
            "Inputs waiting for a batch.",
            ("module",),
            registry=self.registry,
            multiprocess_mode="livesum",
        )

        self._done: dict[tuple[str, str], tuple[Any, Any]] = {}

    def done(self, module: str, status: str, seconds: float) -> None:
        """Count one answered prediction request and its latency (children cached: labels() locks)."""
        children = self._done.get((module, status))
        if children is None:
            children = (self.requests.labels(module, status), self.latency.labels(module))
            self._done[(module, status)] = children
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        """The text exposition format, summed over worker processes when there are several."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            merged = CollectorRegistry()
            collect: Any = MultiProcessCollector  # untyped in prometheus-client
            collect(merged)
            return bytes(generate_latest(merged))
        return bytes(generate_latest(self.registry))
