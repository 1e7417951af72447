"""MicroPython compatibility for CPython: what MicroPython programs use and CPython lacks.

`install()` makes it available to the current process only: the shim directory (`micropython`,
`machine`, the `u`-prefixed module names) goes at the front of `sys.path`, and `time`, `asyncio` and
`sys` gain MicroPython's extra functions (`time.ticks_ms`, `asyncio.sleep_ms`,
`asyncio.ThreadSafeFlag`, `sys.print_exception`, ...). Nothing is installed into site-packages.
"""

from __future__ import annotations

from aioble_hci.mpy.install import SHIMS_DIR, install, installed, uninstall

__all__ = ["SHIMS_DIR", "install", "installed", "uninstall"]
