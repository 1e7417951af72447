"""`asyncio.ThreadSafeFlag` as MicroPython has it, for CPython.

A flag that any thread (or a signal handler) may `set()`; one task `await`s `wait()`, which
returns once the flag is set and clears it. The loop is bound lazily, at the first `wait()`, so the
flag may be created before any loop exists (aioble creates them at import time).
"""

from __future__ import annotations

import asyncio
import threading


class ThreadSafeFlag:
    """An event flag that is safe to set from another thread; one waiter at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flag = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiter: asyncio.Future[None] | None = None

    def set(self) -> None:
        """Set the flag and wake the waiting task, if any; callable from any thread."""
        with self._lock:
            self._flag = True
            waiter, loop = self._waiter, self._loop
        if waiter is None or loop is None:
            return
        try:
            loop.call_soon_threadsafe(_wake, waiter)
        except RuntimeError:  # the waiter's loop has been closed: nobody is left to wake
            pass

    def clear(self) -> None:
        """Clear the flag without waking anyone."""
        with self._lock:
            self._flag = False

    def is_set(self) -> bool:
        """Whether the flag is set (not part of MicroPython's API; handy in tests and debugging)."""
        with self._lock:
            return self._flag

    async def wait(self) -> None:
        """Wait until the flag is set, then clear it. Returns at once if it is already set.

        A second task waiting on the same loop is an AssertionError, as in MicroPython; a waiter
        left behind by a loop that has gone (asyncio.run returned) is replaced.
        """
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._flag:
                self._flag = False
                return
            old = self._waiter
            if old is not None and not old.done() and self._loop is loop:
                raise AssertionError("ThreadSafeFlag already has a waiting task")
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiter, self._loop = waiter, loop
        try:
            await waiter
        finally:
            with self._lock:
                if self._waiter is waiter:
                    self._waiter = None
        with self._lock:
            self._flag = False


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
