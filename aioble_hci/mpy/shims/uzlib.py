"""MicroPython's `uzlib` spelling of `zlib`: importing it gives the `zlib` module itself."""

import sys
import zlib

sys.modules[__name__] = zlib
