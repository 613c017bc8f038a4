"""Running vbsign's async core from synchronous code, also inside a running event loop.

pyHanko's sync wrappers call :func:`asyncio.run`, which fails inside a running loop (FastAPI,
aiohttp hosts). :func:`run_sync` runs the coroutine in the current thread when no loop is
running, and otherwise in a short-lived worker thread with its own loop — never nested.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="vbsign-sync") as ex:
        return ex.submit(asyncio.run, coro).result()
