"""MicroPython's `machine` module on CPython, for programs that run without hardware.

What has a meaning on a PC works (`idle`, `unique_id`, `reset`, `soft_reset`, `reset_cause`,
`lightsleep(ms)`, `disable_irq`/`enable_irq`). Hardware classes (`Pin`, `UART`, `I2C`, ...) raise
NotImplementedError when constructed: a program never silently talks to fake hardware.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from typing import Any, NoReturn

PWRON_RESET = 1
HARD_RESET = 2
WDT_RESET = 3
DEEPSLEEP_RESET = 4
SOFT_RESET = 5

_RESET_CAUSE_ENV = "AIOBLE_HCI_MPY_RESET_CAUSE"
_irq_lock = threading.RLock()


def idle() -> None:
    """Yield the CPU briefly (a board waits for the next interrupt, about a millisecond)."""
    time.sleep(0.001)


def unique_id() -> bytes:
    """A stable identifier of this machine: its 48-bit node id (usually a MAC address)."""
    return uuid.getnode().to_bytes(6, "big")


def reset_cause() -> int:
    """PWRON_RESET for a fresh process, HARD_RESET/SOFT_RESET after reset()/soft_reset()."""
    return int(os.environ.get(_RESET_CAUSE_ENV, PWRON_RESET))


def _restart(cause: int) -> NoReturn:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError):
            pass
    os.environ[_RESET_CAUSE_ENV] = str(cause)
    argv = list(getattr(sys, "orig_argv", []))[1:] or sys.argv
    os.execv(sys.executable, [sys.executable, *argv])


def reset() -> NoReturn:
    """Restart the program from scratch: this process re-executes itself with the same arguments."""
    _restart(HARD_RESET)


def soft_reset() -> NoReturn:
    """Restart the interpreter; on CPython the same as reset()."""
    _restart(SOFT_RESET)


def disable_irq() -> int:
    """Enter a critical section; returns the state to give back to enable_irq().

    On CPython this takes `machine._irq_lock`, which BLE IRQ dispatch may honour; it does not stop
    other threads.
    """
    _irq_lock.acquire()
    return 1


def enable_irq(state: int = 1) -> None:
    """Leave the critical section entered by disable_irq()."""
    if state:
        _irq_lock.release()


def lightsleep(time_ms: int | None = None) -> None:
    """Sleep for `time_ms` milliseconds; sleeping until an interrupt has no meaning here."""
    if time_ms is None:
        raise NotImplementedError("machine.lightsleep() without a duration needs a wake-up source (hardware)")
    time.sleep(max(time_ms, 0) / 1000)


def deepsleep(time_ms: int | None = None) -> NoReturn:
    """Deep sleep powers the board down and reboots it; there is nothing like it on CPython."""
    raise NotImplementedError("machine.deepsleep() needs hardware (use reset() to restart the program)")


def freq(*args: Any) -> NoReturn:
    """CPU frequency control needs hardware."""
    raise NotImplementedError("machine.freq() needs hardware")


def time_pulse_us(*args: Any, **kwargs: Any) -> NoReturn:
    raise NotImplementedError("machine.time_pulse_us() needs a hardware pin")


def bootloader(*args: Any) -> NoReturn:
    raise NotImplementedError("machine.bootloader() needs hardware")


class _Hardware:
    """Base of the hardware classes: constructing one says clearly that there is no hardware."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            f"machine.{type(self).__name__} needs hardware: aioble-hci runs MicroPython programs on "
            "CPython, where there are no pins or buses"
        )


class _Memory:
    def __getitem__(self, address: int) -> NoReturn:
        raise NotImplementedError("machine.mem8/mem16/mem32 need hardware memory")

    def __setitem__(self, address: int, value: int) -> NoReturn:
        raise NotImplementedError("machine.mem8/mem16/mem32 need hardware memory")


mem8 = mem16 = mem32 = _Memory()


class Pin(_Hardware):
    IN = 0
    OUT = 1
    OPEN_DRAIN = 2
    ALT = 3
    ALT_OPEN_DRAIN = 4
    ANALOG = 5
    PULL_UP = 1
    PULL_DOWN = 2
    IRQ_FALLING = 1
    IRQ_RISING = 2


class Signal(_Hardware):
    pass


class ADC(_Hardware):
    pass


class ADCBlock(_Hardware):
    pass


class PWM(_Hardware):
    pass


class UART(_Hardware):
    pass


class SPI(_Hardware):
    pass


class SoftSPI(_Hardware):
    pass


class I2C(_Hardware):
    pass


class SoftI2C(_Hardware):
    pass


class I2S(_Hardware):
    pass


class RTC(_Hardware):
    pass


class Timer(_Hardware):
    pass


class WDT(_Hardware):
    pass


class SD(_Hardware):
    pass


class SDCard(_Hardware):
    pass


class USBDevice(_Hardware):
    pass
