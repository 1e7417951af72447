"""MicroPython's `uheapq` spelling of `heapq`: importing it gives the `heapq` module itself."""

import heapq
import sys

sys.modules[__name__] = heapq
