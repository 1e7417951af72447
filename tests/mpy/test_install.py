"""aioble_hci.mpy.install(): MicroPython names for this process only, and uninstall() undoes it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

from aioble_hci import mpy

CHECK = """
import aioble_hci.mpy
aioble_hci.mpy.install()
import asyncio, sys, time
import machine, micropython, uasyncio, utime
from micropython import const
assert utime is time and uasyncio is asyncio
assert const(7) == 7
assert callable(time.ticks_ms) and callable(time.sleep_ms) and callable(asyncio.sleep_ms)
assert asyncio.ThreadSafeFlag is not None and callable(sys.print_exception)
print(time.time() > 0, time.monotonic() > 0)
"""


def test_install_makes_micropython_names_importable_in_a_fresh_process() -> None:
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "True True\n"


def test_without_install_a_fresh_process_has_no_micropython_module() -> None:
    result = subprocess.run([sys.executable, "-c", "import micropython"], capture_output=True,
                            text=True, timeout=60)
    assert "ModuleNotFoundError" in result.stderr


def test_installed_block_adds_then_removes_the_extensions() -> None:
    had_ticks = hasattr(time, "ticks_ms")
    with mpy.installed():
        assert mpy.SHIMS_DIR in sys.path
        assert hasattr(time, "ticks_ms") and hasattr(asyncio, "sleep_ms")
        import machine  # noqa: F401  (the shim, from the shim directory)

        assert sys.modules["machine"].__file__.startswith(mpy.SHIMS_DIR)
    assert mpy.SHIMS_DIR not in sys.path
    assert "machine" not in sys.modules
    assert hasattr(time, "ticks_ms") == had_ticks


def test_print_exception_writes_the_traceback_to_the_given_file(capsys) -> None:
    from aioble_hci.mpy.install import print_exception

    try:
        raise KeyError("lost")
    except KeyError as exc:
        print_exception(exc)
    assert "KeyError: 'lost'" in capsys.readouterr().out
