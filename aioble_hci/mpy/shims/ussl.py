"""MicroPython's `ussl` spelling of `ssl`: importing it gives the `ssl` module itself."""

import ssl
import sys

sys.modules[__name__] = ssl
