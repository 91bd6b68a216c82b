"""Dynamic batching: concurrent requests merged into one call, run off the event loop.

Requests wait in a bounded queue (counted in inputs, not requests); the loop takes the oldest
request and hands up to ``max_batch_size`` inputs with the same options to ``run`` in a worker
thread.  Under load (the previous batch merged several requests) it first waits, at most
``max_wait_ms`` after the oldest request arrived, until as many inputs are queued as the
previous batch had: with a steady number of clients the batch starts as soon as they are all
back, rather than after the full wait for a batch size they can never reach; as load grows
batches grow with it, since requests also pile up while a batch runs.  A lone client is
answered at once.  ``run`` returns one result per request, in order.  If a merged call fails,
each of its requests is run on its own, so one bad request fails alone and never hands its
error (or its results) to another.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from hubcore.serving._envelope import NotReadyError, OverloadedError, ServingError, TimedOutError

P = TypeVar("P")

Runner = Callable[[list[P]], list[Any]]

_IDLE: Hashable = object()  # no batch is being filled


@dataclass
class _Job(Generic[P]):
    payload: P
    count: int
    key: Hashable
    future: asyncio.Future[Any]
    enqueued: float


@dataclass
class BatchStats:
    """Hooks for metrics: called with each batch's input count and the queue depth."""

    on_batch: Callable[[int], None] = lambda size: None
    on_queue: Callable[[int], None] = lambda depth: None


@dataclass
class Batcher(Generic[P]):
    """The queue and batching loop of one module in one worker process."""

    run: Runner[P]
    max_batch_size: int
    max_wait_ms: float
    max_queue: int
    classify: Callable[[BaseException], ServingError]
    stats: BatchStats = field(default_factory=BatchStats)
    _pending: collections.deque[_Job[P]] = field(default_factory=collections.deque)
    _queued: int = 0
    _by_key: dict[Hashable, int] = field(default_factory=dict)  # queued inputs per options key
    _filling: Hashable = _IDLE  # the key whose batch the loop is waiting to fill, if any
    _target: int = 0  # the inputs that batch waits for
    _last_batch_requests: int = 0
    _last_batch_inputs: int = 0
    _closing: bool = False
    _wake: asyncio.Event | None = None
    _task: asyncio.Task[None] | None = None
    _executor: concurrent.futures.ThreadPoolExecutor | None = None

    def start(self) -> None:
        """Start the loop on the running event loop; one thread runs the module's calls."""
        self._wake = asyncio.Event()
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="hubcore-batch"
        )
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        """Refuse new requests, finish every queued one, then stop the thread."""
        self._closing = True
        if self._wake is not None:
            self._wake.set()
        if self._task is not None:
            await self._task
        if self._executor is not None:
            self._executor.shutdown(wait=True)

    @property
    def queued(self) -> int:
        """Inputs waiting for a batch."""
        return self._queued

    async def submit(self, payload: P, count: int, key: Hashable, timeout_s: float) -> Any:
        """Queue one request of ``count`` inputs and wait for its result, at most ``timeout_s``."""
        if self._closing or self._wake is None:
            raise NotReadyError("the server is shutting down")
        if self._queued + count > self.max_queue:
            raise OverloadedError(
                f"the queue is full ({self._queued} of {self.max_queue} inputs waiting); retry shortly"
            )
        loop = asyncio.get_running_loop()
        job = _Job(payload, count, key, loop.create_future(), loop.time())
        self._pending.append(job)
        self._queued += count
        ready = self._by_key[key] = self._by_key.get(key, 0) + count
        self.stats.on_queue(self._queued)
        # Wake the loop only when it has something to do: it sleeps (no work) or the batch it
        # fills has the inputs it waits for.  Waking it for every arrival costs a turn each.
        if self._filling is _IDLE or (key == self._filling and ready >= self._target):
            self._wake.set()
        # A timer rather than asyncio.wait_for, which costs a task per request.
        deadline = loop.call_later(timeout_s, _expire, job.future, timeout_s)
        try:
            return await job.future
        finally:
            deadline.cancel()

    async def _loop(self) -> None:
        assert self._wake is not None
        loop = asyncio.get_running_loop()
        while True:
            while not self._pending:
                if self._closing:
                    return
                self._wake.clear()
                await self._wake.wait()
            first = self._pending[0]
            under_load = self._last_batch_requests > 1 or len(self._pending) > 1
            fill_by = first.enqueued + (self.max_wait_ms / 1000 if under_load else 0.0)
            self._target = min(self.max_batch_size, max(self._last_batch_inputs, 2))
            if not self._closing and fill_by > loop.time() and self._by_key.get(first.key, 0) < self._target:
                # One timer per batch; submit() sets the event early once the target is queued.
                self._filling = first.key
                self._wake.clear()
                timer = loop.call_at(fill_by, self._wake.set)
                await self._wake.wait()
                timer.cancel()
                self._filling = _IDLE
            batch = self._take(first.key)
            self.stats.on_queue(self._queued)
            self._last_batch_requests = len(batch)
            self._last_batch_inputs = sum(job.count for job in batch)
            if batch:
                self.stats.on_batch(self._last_batch_inputs)
                await self._run(batch)

    def _take(self, key: Hashable) -> list[_Job[P]]:
        """The oldest requests sharing ``key``, up to the batch size; abandoned ones dropped."""
        taken: list[_Job[P]] = []
        kept: collections.deque[_Job[P]] = collections.deque()
        inputs = 0
        while self._pending:
            job = self._pending.popleft()
            if job.future.done():  # its client gave up (deadline): nothing to compute
                self._forget(job)
            elif job.key == key and (not taken or inputs + job.count <= self.max_batch_size):
                taken.append(job)
                inputs += job.count
                self._forget(job)
            else:
                kept.append(job)
        self._pending = kept
        return taken

    def _forget(self, job: _Job[P]) -> None:
        self._queued -= job.count
        left = self._by_key[job.key] - job.count
        if left:
            self._by_key[job.key] = left
        else:
            del self._by_key[job.key]

    async def _run(self, batch: list[_Job[P]]) -> None:
        loop = asyncio.get_running_loop()
        try:
            results = await loop.run_in_executor(self._executor, self.run, [job.payload for job in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"the batch gave {len(results)} results for {len(batch)} requests")
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0], error=self.classify(exc))
                return
            for job in batch:  # find the culprit: every request on its own
                await self._run([job])
            return
        for job, result in zip(batch, results, strict=True):
            _settle(job, result=result)


def _expire(future: asyncio.Future[Any], timeout_s: float) -> None:
    if not future.done():
        future.set_exception(TimedOutError(f"no answer within the deadline of {timeout_s:g} s"))


def _settle(job: _Job[Any], *, result: Any = None, error: BaseException | None = None) -> None:
    if job.future.done():
        return
    if error is not None:
        job.future.set_exception(error)
    else:
        job.future.set_result(result)
