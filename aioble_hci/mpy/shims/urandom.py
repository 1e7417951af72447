"""MicroPython's `urandom` spelling of `random`: importing it gives the `random` module itself."""

import random
import sys

sys.modules[__name__] = random
