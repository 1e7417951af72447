"""MicroPython's `uos` spelling of `os`: importing it gives the `os` module itself."""

import os
import sys

sys.modules[__name__] = os
