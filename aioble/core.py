"""aioble's core: the shared ``bluetooth.BLE`` object, IRQ dispatch, activation, logging and flags.

aioble is a thin state machine over MicroPython's low-level ``bluetooth.BLE`` API (aioble-api.md
sections 2 and 14). On CPython the IRQ handlers run on the host thread, not on the application's
thread or loop, so the only primitives the handlers use to reach the application are
:class:`ThreadSafeFlag` and :data:`lock` (held for a few Python statements, never across a BLE call).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import bluetooth
from aioble_hci.mpy.threadsafeflag import (
    ThreadSafeFlag as ThreadSafeFlag,  # re-exported for the role modules
)

try:  # MicroPython has it; on CPython the ``aioble-hci run`` shims may provide it.
    from micropython import const
except ImportError:  # pragma: no cover - depends on the environment

    def const(value: Any) -> Any:
        """MicroPython's compile-time constant marker: the identity on CPython."""
        return value


log_level = 1


def log_error(*args: Any) -> None:
    if log_level > 0:
        print("[aioble] E:", *args)


def log_warn(*args: Any) -> None:
    if log_level > 1:
        print("[aioble] W:", *args)


def log_info(*args: Any) -> None:
    if log_level > 2:
        print("[aioble] I:", *args)


class GattError(Exception):
    """A GATT procedure ended with a non-zero status (NimBLE: 0x100 + ATT error code)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self._status = status


# Guards state shared between IRQ handlers (host thread) and the application. Held only around a
# few plain Python statements: never while calling into ``ble`` and never while awaiting.
lock = threading.RLock()


def cancel_task(task: asyncio.Task[Any] | None) -> None:
    """Cancel ``task`` from any thread, also when its loop is closed or not running."""
    if task is None or task.done():
        return
    loop = task.get_loop()
    if loop.is_closed():
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        task.cancel()
    else:
        try:
            loop.call_soon_threadsafe(task.cancel)
        except RuntimeError:
            pass


def to_bytes(data: Any) -> Any:
    """MicroPython takes ``str`` wherever it takes a buffer: encode it as UTF-8."""
    if isinstance(data, str):
        return data.encode()
    return data


# The singleton low-level object. Constructing it must not power the radio (aioble-api.md §0).
ble: Any = bluetooth.BLE()  # type: ignore[attr-defined,operator,unused-ignore]

IrqHandler = Callable[[int, Any], Any]
ShutdownHandler = Callable[[], None]
_irq_handlers: list[IrqHandler] = []
_shutdown_handlers: list[ShutdownHandler] = []


def register_irq_handler(irq: IrqHandler | None, shutdown: ShutdownHandler | None) -> None:
    """Add a submodule's IRQ handler (and shutdown handler); registration order is dispatch order."""
    if irq is not None:
        _irq_handlers.append(irq)
    if shutdown is not None:
        _shutdown_handlers.append(shutdown)


def ble_irq(event: int, data: Any) -> Any:
    """The single IRQ handler installed on ``ble``: the first non-None answer goes back to the LL."""
    log_info(event, data)
    for handler in tuple(_irq_handlers):
        result = handler(event, data)
        if result is not None:
            return result
    return None


ble.irq(ble_irq)


def ensure_active() -> None:
    """Power the radio on at first use, loading the secrets file first (aioble-api.md §0)."""
    if not ble.active():
        try:
            from .security import load_secrets

            load_secrets()
        except Exception:
            pass
        ble.active(True)


def config(*args: Any, **kwargs: Any) -> Any:
    ensure_active()
    return ble.config(*args, **kwargs)


def stop() -> None:
    """Power the radio off, then let every submodule forget its state (aioble-api.md §2.4).

    Safe inside a running loop, with no loop, and after ``asyncio.run`` closed its loop.
    """
    ble.active(False)
    for handler in tuple(_shutdown_handlers):
        handler()
