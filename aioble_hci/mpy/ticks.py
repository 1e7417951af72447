"""MicroPython's `time.ticks_*` and `time.sleep_ms/sleep_us`, for patching onto CPython's `time`.

Ticks are a free-running counter modulo `TICKS_PERIOD` (2**30, as on 32-bit MicroPython ports), so
programs meet the same wraparound on CPython as on a board; only `ticks_diff` and `ticks_add` may do
arithmetic on them (MicroPython docs, `time.ticks_diff`).
"""

from __future__ import annotations

import time

TICKS_PERIOD = 1 << 30
TICKS_MAX = TICKS_PERIOD - 1
TICKS_HALF_PERIOD = TICKS_PERIOD >> 1


def ticks_ms() -> int:
    """Milliseconds from an arbitrary origin, wrapping at TICKS_PERIOD."""
    return (time.monotonic_ns() // 1_000_000) & TICKS_MAX


def ticks_us() -> int:
    """Microseconds from an arbitrary origin, wrapping at TICKS_PERIOD."""
    return (time.monotonic_ns() // 1_000) & TICKS_MAX


def ticks_cpu() -> int:
    """The highest-resolution counter available (nanoseconds here), wrapping at TICKS_PERIOD."""
    return time.perf_counter_ns() & TICKS_MAX


def ticks_diff(ticks1: int, ticks2: int) -> int:
    """The signed distance `ticks1 - ticks2` on the ticks circle, in [-PERIOD/2, PERIOD/2)."""
    return ((ticks1 - ticks2 + TICKS_HALF_PERIOD) & TICKS_MAX) - TICKS_HALF_PERIOD


def ticks_add(ticks: int, delta: int) -> int:
    """`ticks + delta` on the ticks circle; like MicroPython, a delta of half a period or more
    (either sign) raises OverflowError, as its result could not be compared with ticks_diff."""
    if not -TICKS_HALF_PERIOD <= delta < TICKS_HALF_PERIOD:
        raise OverflowError("ticks interval overflow")
    return (ticks + delta) & TICKS_MAX


def sleep_ms(ms: float) -> None:
    """Block for `ms` milliseconds; a negative value returns at once, as on MicroPython."""
    if ms > 0:
        time.sleep(ms / 1000)


def sleep_us(us: float) -> None:
    """Block for `us` microseconds; a negative value returns at once, as on MicroPython."""
    if us > 0:
        time.sleep(us / 1_000_000)


EXTENSIONS = {
    "ticks_ms": ticks_ms,
    "ticks_us": ticks_us,
    "ticks_cpu": ticks_cpu,
    "ticks_diff": ticks_diff,
    "ticks_add": ticks_add,
    "sleep_ms": sleep_ms,
    "sleep_us": sleep_us,
}
