"""MicroPython's `ubinascii` spelling of `binascii`: importing it gives the `binascii` module itself."""

import binascii
import sys

sys.modules[__name__] = binascii
