"""MicroPython's `ure` spelling of `re`: importing it gives the `re` module itself."""

import re
import sys

sys.modules[__name__] = re
