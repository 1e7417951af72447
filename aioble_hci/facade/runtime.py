"""The process-wide runtime behind ``bluetooth.BLE``: which controller, and the host thread that drives it.

`use(spec)` chooses the transport before the first activation; otherwise
``AIOBLE_HCI_TRANSPORT`` is used, else the shared virtual air (spec ``air``).
A `Runtime` owns one `HostThread`; the `Host` on it is opened lazily by the
first ``active(True)`` and kept open (so the controller's address stays the same
across ``active(False)``/``active(True)``) until the process exits.

Threading contract (the heart of the low-level API):

- All stack state lives on the host loop. `Runtime.invoke(fn, *args)` runs a
  plain function there: directly when already on the host thread (an IRQ
  handler calling back into BLE), else marshalled with ``call_soon_threadsafe``
  while the calling thread waits for the result.
- `fn` never blocks. Work needing HCI round trips is queued on `Runtime.ops`
  (one FIFO worker, so operations keep their order whoever issued them) and `fn`
  returns a `Pending`; an application thread then waits for it (its failure is
  raised as OSError), an IRQ handler does not (its failure is logged).
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from aioble_hci.host.api import resolve_spec, start_host
from aioble_hci.host.host import Host, HostConfig
from aioble_hci.host.thread import HostThread
from aioble_hci.transport.base import Transport

log = logging.getLogger(__name__)

ENV_TRANSPORT = "AIOBLE_HCI_TRANSPORT"
DEFAULT_SPEC = "air"

TransportFactory = Callable[[], Transport]

_chosen_spec: str | None = None
_default: Runtime | None = None
_default_lock = threading.Lock()


def use(spec: str) -> None:
    """Choose the controller (a transport spec such as ``serial:/dev/ttyACM0``) before the first activation."""
    global _chosen_spec
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError("aioble_hci.use() takes a transport spec such as 'serial:/dev/ttyACM0', 'usb' or 'air'")
    if _default is not None and _default.opened and _default.spec != spec:
        raise RuntimeError(f"the host is already running on {_default.spec!r}; call aioble_hci.use() before "
                           "the first BLE activation")
    _chosen_spec = spec


def selected_spec() -> str:
    """The transport spec the default runtime uses: `use()`, else $AIOBLE_HCI_TRANSPORT, else ``air``
    (saying so on a terminal, with how to choose a dongle)."""
    return _chosen_spec or resolve_spec(None)


def default_runtime() -> Runtime:
    """The process's runtime (made on first use; nothing is opened until activation)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Runtime()
            atexit.register(_default.close)
        return _default


@dataclass
class Pending:
    """An operation started on the host loop; `value` is the result once `future` is done."""

    future: asyncio.Future[Any]
    value: Any = None


class OperationQueue:
    """Runs queued coroutines one after another on the host loop (keeps HCI operations in call order)."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[tuple[Callable[[], Awaitable[Any]], asyncio.Future[Any]]] | None = None
        self._worker: asyncio.Task[None] | None = None

    def submit(self, make: Callable[[], Awaitable[Any]]) -> asyncio.Future[Any]:
        """Queue `make()` to run after everything queued before it; returns its future (host loop only)."""
        loop = asyncio.get_running_loop()
        if self._queue is None:
            self._queue = asyncio.Queue()
        future: asyncio.Future[Any] = loop.create_future()
        future.add_done_callback(_retrieve)
        self._queue.put_nowait((make, future))
        if self._worker is None or self._worker.done():
            self._worker = loop.create_task(self._run(), name="ble operations")
        return future

    async def _run(self) -> None:
        assert self._queue is not None
        while not self._queue.empty():
            make, future = self._queue.get_nowait()
            if future.done():
                continue
            try:
                result = await make()
            except asyncio.CancelledError:
                future.cancel()
                raise
            except BaseException as exc:  # noqa: BLE001  handed to whoever waits
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(result)


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.debug("BLE operation failed: %s", future.exception())


class Runtime:
    """One host thread plus the Host it runs; injectable (tests run two on a private air)."""

    def __init__(self, transport: str | TransportFactory | None = None, command_timeout: float = 5.0) -> None:
        self._transport = transport
        self.thread = HostThread("aioble-hci BLE host")
        self.host: Host | None = None
        self.ops = OperationQueue()
        self.command_timeout = command_timeout
        self._lock = threading.Lock()
        self.stack: Any = None  # the LowLevelStack using this runtime (set by it)

    @property
    def spec(self) -> str:
        if callable(self._transport):
            return getattr(self._transport, "__name__", "custom transport")
        return self._transport or selected_spec()

    @property
    def opened(self) -> bool:
        return self.host is not None

    def in_host_thread(self) -> bool:
        return self.thread.in_host_thread()

    # --- life cycle ----------------------------------------------------------

    def open(self, timeout: float = 30.0) -> Host:
        """Start the thread and the host (blocking, application thread only). Idempotent."""
        with self._lock:
            if self.host is not None:
                return self.host
            self.thread.start()
            self.host = self.thread.run_sync(self._start(), timeout)
            return self.host

    async def _start(self) -> Host:
        transport = self._transport() if callable(self._transport) else self.spec
        return await start_host(transport, HostConfig(command_timeout=self.command_timeout))

    def close(self) -> None:
        """Close the host and stop the thread (at exit, or when a test is done)."""
        host, self.host = self.host, None
        if self.thread.running:
            if host is not None:
                try:
                    self.thread.run_sync(host.close(), timeout=5.0)
                except Exception:  # noqa: BLE001  closing must always finish
                    log.debug("closing the host failed", exc_info=True)
            self.thread.stop()

    # --- calls ---------------------------------------------------------------

    def invoke(self, fn: Callable[..., Any], *args: Any, timeout: float | None = 30.0) -> Any:
        """Run `fn(*args)` on the host loop; wait for a `Pending` it returns unless on the host thread."""
        if self.in_host_thread():
            result = fn(*args)
            return result.value if isinstance(result, Pending) else result
        return self.thread.run_sync(self._invoke(fn, args), timeout)

    async def _invoke(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        result = fn(*args)
        if isinstance(result, Pending):
            await result.future
            return result.value
        return result

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float | None = 30.0) -> Any:
        """Run a coroutine on the host loop from an application thread and wait for it."""
        return self.thread.run_sync(coro, timeout)
