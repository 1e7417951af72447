"""MicroPython's `uselect` spelling of `select`: importing it gives the `select` module itself."""

import select
import sys

sys.modules[__name__] = select
