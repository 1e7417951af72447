"""MicroPython's `ustruct` spelling of `struct`: importing it gives the `struct` module itself."""

import struct
import sys

sys.modules[__name__] = struct
