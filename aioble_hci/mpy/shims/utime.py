"""MicroPython's `utime` spelling of `time`: importing it gives the `time` module itself."""

import sys
import time

sys.modules[__name__] = time
