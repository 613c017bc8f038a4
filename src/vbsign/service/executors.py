"""Where jobs run: in this process (:class:`LocalExecutor`, threads) or on Celery workers
(:class:`CeleryExecutor`, when a broker is configured) — the routes cannot tell.

Both bound the work a service takes on (:class:`Slots`: running jobs, waiting requests,
how long a request waits) and keep each result for ``result_ttl`` seconds under the job's
key (document hash + options): the same document asked again — the portal's HTML and PDF
reports after its verdict, a client's retry — is answered from the stored result, and two
identical requests at once share one verification.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from vbsign.service.jobs import Job, Settings, execute, to_payload

logger = logging.getLogger(__name__)


class Busy(Exception):
    """No slot for the job: too many waiting, or waited too long (HTTP 503)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("busy")
        self.retry_after = retry_after


class Slots:
    """At most ``limit`` jobs at once; at most ``max_waiting`` requests waiting, each for
    ``timeout`` seconds at most."""

    def __init__(self, limit: int, max_waiting: int, timeout: float) -> None:
        self.limit, self.max_waiting, self.timeout = limit, max_waiting, timeout
        self._sem = asyncio.Semaphore(limit)
        self.running = 0
        self.waiting = 0

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        if self._sem.locked() and self.waiting >= self.max_waiting:
            raise Busy(retry_after=max(1, int(self.timeout / 4)))
        self.waiting += 1
        try:
            await asyncio.wait_for(self._sem.acquire(), self.timeout)
        except TimeoutError:
            raise Busy(retry_after=max(1, int(self.timeout / 4))) from None
        finally:
            self.waiting -= 1
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self._sem.release()

    def stats(self) -> dict[str, int]:
        return {"running": self.running, "waiting": self.waiting, "max_jobs": self.limit, "max_waiting": self.max_waiting}


class ResultCache:
    """Results by job key for ``ttl`` seconds, at most ``max_entries`` (oldest dropped)."""

    def __init__(self, ttl: float, max_entries: int = 512) -> None:
        self.ttl, self.max_entries = ttl, max_entries
        self._items: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    def get(self, key: str) -> dict[str, Any] | None:
        item = self._items.get(key)
        if item is None or item[0] < time.monotonic():
            self._items.pop(key, None)
            return None
        return item[1]

    def put(self, key: str, value: dict[str, Any]) -> None:
        if self.ttl <= 0:
            return
        self._items[key] = (time.monotonic() + self.ttl, value)
        self._items.move_to_end(key)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)


class Executor(Protocol):
    mode: str
    settings: Settings
    slots: Slots

    async def submit(self, job: Job) -> dict[str, Any]: ...

    async def health(self) -> dict[str, Any]: ...

    async def close(self) -> None: ...


class _Shared:
    """Results of jobs in flight, shared by identical requests."""

    def __init__(self) -> None:
        self._inflight: dict[str, asyncio.Future[dict[str, Any]]] = {}

    async def once(self, key: str, work: Any) -> dict[str, Any]:
        fut = self._inflight.get(key)
        if fut is not None:
            return await asyncio.shield(fut)
        fut = asyncio.get_running_loop().create_future()
        self._inflight[key] = fut
        try:
            result: dict[str, Any] = await work()
        except BaseException as e:
            fut.set_exception(e)
            fut.exception()  # retrieved: no "never retrieved" warning when nobody shares it
            raise
        finally:
            self._inflight.pop(key, None)
        fut.set_result(result)
        return result


class LocalExecutor:
    """Jobs in this process's threads (the GIL allows one verification at a time per
    process; ``vbsign serve --workers N`` runs N processes)."""

    mode = "in-process"

    def __init__(self, settings: Settings, slots: Slots, result_ttl: float) -> None:
        self.settings, self.slots = settings, slots
        self._pool = ThreadPoolExecutor(max_workers=slots.limit, thread_name_prefix="vbsign-job")
        self._cache = ResultCache(result_ttl)
        self._shared = _Shared()

    async def submit(self, job: Job) -> dict[str, Any]:
        key = job.key(self.settings)
        cached = self._cache.get(key)
        if cached is not None:
            return cached

        async def work() -> dict[str, Any]:
            async with self.slots.hold():
                loop = asyncio.get_running_loop()
                result = await loop.run_in_executor(self._pool, execute, job, self.settings)
            self._cache.put(key, result)
            return result

        return await self._shared.once(key, work)

    async def health(self) -> dict[str, Any]:
        return {"mode": self.mode, "jobs": self.slots.stats()}

    async def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class CeleryExecutor:
    """Jobs on ``vbsign worker`` processes through a Celery broker; results are read back
    from the Redis result backend, all pending keys in one ``MGET`` per poll."""

    mode = "celery"
    #: seconds between polls of the result backend
    poll_interval = 0.02

    def __init__(self, settings: Settings, slots: Slots, app: Any, request_timeout: float) -> None:
        from vbsign.service.tasks import TASK_NAME

        self.settings, self.slots, self.app = settings, slots, app
        self._task = app.tasks[TASK_NAME]
        self._backend = app.backend
        self._timeout = request_timeout
        self._waiting: dict[str, list[asyncio.Future[dict[str, Any]]]] = {}
        self._poller: asyncio.Task[None] | None = None
        self._shared = _Shared()
        self._io = ThreadPoolExecutor(max_workers=4, thread_name_prefix="vbsign-broker")

    async def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._io, lambda: fn(*args, **kwargs))

    def _fetch(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """Stored results of ``keys`` that are final (SUCCESS or FAILURE)."""
        raws = self._backend.client.mget([self._backend.get_key_for_task(k) for k in keys])
        out: dict[str, dict[str, Any]] = {}
        for key, raw in zip(keys, raws, strict=True):
            if raw:
                meta = self._backend.decode_result(raw)
                if meta.get("status") in ("SUCCESS", "FAILURE"):
                    out[key] = meta
        return out

    async def _poll(self) -> None:
        while self._waiting:
            keys = list(self._waiting)
            try:
                found = await self._call(self._fetch, keys)
            except Exception as e:  # the backend is down: keep waiting (requests time out)
                logger.warning("result backend unreachable: %s", e)
                found = {}
                await asyncio.sleep(0.5)
            for key, meta in found.items():
                for fut in self._waiting.pop(key, []):
                    if not fut.done():
                        fut.set_result(meta)
            await asyncio.sleep(self.poll_interval)
        self._poller = None

    async def _wait(self, key: str) -> dict[str, Any]:
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(key, []).append(fut)
        if self._poller is None:
            self._poller = asyncio.create_task(self._poll())
        try:
            meta = await fut
        finally:
            futs = self._waiting.get(key)
            if futs and fut in futs:
                futs.remove(fut)
                if not futs:
                    self._waiting.pop(key, None)
        if meta.get("status") != "SUCCESS":
            raise RuntimeError(f"job {key} failed on the worker: {meta.get('result')!r}")
        result: dict[str, Any] = meta["result"]
        return result

    async def submit(self, job: Job) -> dict[str, Any]:
        key = job.key(self.settings)
        found = (await self._call(self._fetch, [key])).get(key)
        if found is not None and found.get("status") == "SUCCESS":
            result: dict[str, Any] = found["result"]
            return result

        async def work() -> dict[str, Any]:
            async with self.slots.hold():
                await self._call(self._task.apply_async, args=[to_payload(job, self.settings)], task_id=key)
                return await self._wait(key)

        return await self._shared.once(key, work)

    async def health(self) -> dict[str, Any]:
        try:
            await asyncio.wait_for(self._call(self._backend.client.ping), 2.0)
            broker = "reachable"
        except Exception:
            broker = "unreachable"
        return {"mode": self.mode, "jobs": self.slots.stats(), "broker": broker}

    async def close(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
        self._io.shutdown(wait=False, cancel_futures=True)


__all__ = ["Busy", "CeleryExecutor", "Executor", "LocalExecutor", "ResultCache", "Slots"]
