"""MicroPython's `ucollections` spelling of `collections`: importing it gives the `collections` module itself."""

import collections
import sys

sys.modules[__name__] = collections
