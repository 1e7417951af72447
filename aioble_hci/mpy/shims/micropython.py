"""MicroPython's `micropython` module on CPython.

Compiler hints (`const`, `native`, `viper`) are identities; memory-introspection calls report what
CPython can honestly tell; `schedule` runs callbacks one at a time on a scheduler thread, as
MicroPython runs them one at a time "soon" on the main thread.
"""

from __future__ import annotations

import queue
import resource
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

SCHEDULER_DEPTH = 8  # MicroPython's MICROPY_SCHEDULER_DEPTH is 4 by default, 8 on some ports

_opt_level = 0
_heap_lock_depth = 0
_kbd_intr_char = 3


def const(value: T) -> T:
    """Declare a constant; on CPython simply the value itself."""
    return value


def native(func: F) -> F:
    """Emit native code on MicroPython; a no-op decorator here."""
    return func


def viper(func: F) -> F:
    """Viper code emitter on MicroPython; a no-op decorator here (viper-only types won't exist)."""
    return func


def _assembler(name: str) -> Callable[[Any], Any]:
    def decorator(func: Any) -> Any:
        raise NotImplementedError(f"micropython.{name}: inline assembler does not exist on CPython")

    return decorator


asm_thumb = _assembler("asm_thumb")
asm_xtensa = _assembler("asm_xtensa")
asm_rv32 = _assembler("asm_rv32")


def opt_level(level: int | None = None) -> int | None:
    """Get or set the optimisation level (recorded only: CPython's -O is fixed at start-up)."""
    global _opt_level
    if level is None:
        return _opt_level
    _opt_level = int(level)
    return None


def mem_info(verbose: object = None) -> None:
    """Print what CPython knows about memory use (peak resident set size), MicroPython-style."""
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"mem: peak RSS={peak_kib} KiB (CPython: no MicroPython GC heap to report)")
    if verbose:
        import gc

        print(f"GC: {len(gc.get_objects())} tracked objects, counts={gc.get_count()}")


def qstr_info(verbose: object = None) -> None:
    """MicroPython interns strings as qstrs; CPython has no such pool to report."""
    print("qstr pool: not applicable on CPython")


def stack_use() -> int:
    """The depth of the Python call stack in frames (MicroPython returns bytes of C stack)."""
    depth = 0
    frame = sys._getframe(1)
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    return depth


def alloc_emergency_exception_buf(size: int) -> None:
    """Needed on MicroPython to build exceptions inside IRQs; CPython can always allocate: no-op."""


def heap_lock() -> None:
    """Count a heap lock. CPython cannot forbid allocation, so this is bookkeeping only."""
    global _heap_lock_depth
    _heap_lock_depth += 1


def heap_unlock() -> int:
    """Undo one heap_lock(); returns the remaining lock depth, as MicroPython does."""
    global _heap_lock_depth
    if _heap_lock_depth > 0:
        _heap_lock_depth -= 1
    return _heap_lock_depth


def heap_locked() -> int:
    """The current heap lock depth."""
    return _heap_lock_depth


def kbd_intr(chr: int) -> None:
    """Record the keyboard-interrupt character (CPython's SIGINT handling is left unchanged)."""
    global _kbd_intr_char
    _kbd_intr_char = chr


class _Scheduler:
    """Runs scheduled callbacks one at a time, in order, on a daemon thread."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Callable[[Any], Any], Any]] = queue.Queue(SCHEDULER_DEPTH)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def schedule(self, func: Callable[[Any], Any], arg: Any) -> None:
        try:
            self._queue.put_nowait((func, arg))
        except queue.Full:
            raise RuntimeError("schedule queue full") from None
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="micropython.schedule", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            func, arg = self._queue.get()
            try:
                func(arg)
            except BaseException:  # an uncaught exception in a callback is printed, as on a board
                print("Uncaught exception in scheduled callback", file=sys.stderr)
                traceback.print_exc()


_scheduler = _Scheduler()


def schedule(func: Callable[[Any], Any], arg: Any) -> None:
    """Run `func(arg)` soon, outside the caller (MicroPython: from the main thread's scheduler).

    Callbacks run one at a time and in order; RuntimeError("schedule queue full") when too many
    are pending, as on MicroPython.
    """
    _scheduler.schedule(func, arg)
