"""MicroPython's `uerrno` spelling of `errno`: importing it gives the `errno` module itself."""

import errno
import sys

sys.modules[__name__] = errno
