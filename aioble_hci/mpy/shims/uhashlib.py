"""MicroPython's `uhashlib` spelling of `hashlib`: importing it gives the `hashlib` module itself."""

import hashlib
import sys

sys.modules[__name__] = hashlib
