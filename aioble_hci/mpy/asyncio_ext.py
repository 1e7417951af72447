"""What MicroPython's `asyncio` has and CPython's lacks: `sleep_ms`, `wait_for_ms`, `ThreadSafeFlag`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from aioble_hci.mpy.threadsafeflag import ThreadSafeFlag

T = TypeVar("T")


async def sleep_ms(ms: float) -> None:
    """Sleep for `ms` milliseconds without blocking the loop (MicroPython `asyncio.sleep_ms`)."""
    await asyncio.sleep(max(ms, 0) / 1000)


async def wait_for_ms(aw: Awaitable[T], timeout: float | None) -> T:
    """`asyncio.wait_for` with the timeout in milliseconds (MicroPython `asyncio.wait_for_ms`)."""
    return await asyncio.wait_for(aw, None if timeout is None else timeout / 1000)


EXTENSIONS: dict[str, Any] = {
    "sleep_ms": sleep_ms,
    "wait_for_ms": wait_for_ms,
    "ThreadSafeFlag": ThreadSafeFlag,
}
