"""MicroPython's `uio` spelling of `io`: importing it gives the `io` module itself."""

import io
import sys

sys.modules[__name__] = io
