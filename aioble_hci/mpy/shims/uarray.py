"""MicroPython's `uarray` spelling of `array`: importing it gives the `array` module itself."""

import array
import sys

sys.modules[__name__] = array
