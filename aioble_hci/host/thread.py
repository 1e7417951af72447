"""The host's own thread and event loop.

The stack must keep answering the controller and peers while the application
blocks its own loop or thread (as NimBLE does on a board), so the host runs on a
daemon thread with a private event loop. Any thread submits work with `run`;
any event loop awaits it with `call`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class HostThread:
    """A daemon thread running one asyncio event loop until `stop`."""

    def __init__(self, name: str = "aioble-hci host") -> None:
        self.name = name
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._started = threading.Event()
        self._stopped = False

    def start(self) -> HostThread:
        """Start the thread; returns once its loop is running."""
        if not self._thread.is_alive() and not self._stopped:
            self._thread.start()
            self._started.wait()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stopped

    def in_host_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def run(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule `coro` on the host loop from any thread; returns a concurrent Future."""
        if not self.running:
            coro.close()
            raise RuntimeError(f"{self.name} is not running")
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run_sync(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coro` on the host loop and block the calling thread for its result."""
        if self.in_host_thread():
            coro.close()
            raise RuntimeError("run_sync called from the host thread would deadlock; await the coroutine instead")
        return self.run(coro).result(timeout)

    async def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await `coro` on the host loop from any event loop (directly when already on it)."""
        if self.in_host_thread():
            return await coro
        return await asyncio.wrap_future(self.run(coro))

    def call_soon(self, callback: Any, *args: Any) -> None:
        """Run a plain callback on the host loop, from any thread."""
        self.loop.call_soon_threadsafe(callback, *args)

    def stop(self, timeout: float = 5.0) -> None:
        """Cancel what is left on the loop, stop it and join the thread. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if not self._thread.is_alive():
            if not self.loop.is_closed():
                self.loop.close()
            return
        self.loop.call_soon_threadsafe(self._shutdown)
        if not self.in_host_thread():
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("%s did not stop within %.1f s", self.name, timeout)

    def _shutdown(self) -> None:
        tasks = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
        for task in tasks:
            task.cancel()
        if not tasks:
            self.loop.stop()
            return
        gathered = asyncio.gather(*tasks, return_exceptions=True)
        gathered.add_done_callback(lambda _: self.loop.stop())

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._started.set)
        try:
            self.loop.run_forever()
        finally:
            try:
                self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            finally:
                self.loop.close()
                self._started.set()

    def __enter__(self) -> HostThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
