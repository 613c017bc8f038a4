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
    box: list[T] = []

    async def keep_result_out_of_the_task() -> None:
        # CPython 3.11's asyncio.run formats repr(main task) — including repr() of its
        # result — on every call (signal.getsignal on the SIGINT handler); a Report or a
        # SignResult holding a whole PDF made that cost milliseconds per document.
        box.append(await coro)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(keep_result_out_of_the_task())
        return box[0]
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="vbsign-sync") as ex:
        ex.submit(asyncio.run, keep_result_out_of_the_task()).result()
    return box[0]
