"""MicroPython's `usys` spelling of `sys`: importing it gives the `sys` module itself."""

import sys

sys.modules[__name__] = sys
