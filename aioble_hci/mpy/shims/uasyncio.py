"""MicroPython's `uasyncio` spelling of `asyncio`: importing it gives the `asyncio` module itself."""

import asyncio
import sys

sys.modules[__name__] = asyncio
