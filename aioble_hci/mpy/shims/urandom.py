"""MicroPython's `urandom` spelling of `random`: importing it gives the `random` module in use
(MicroPython's generator once the shims are installed, see aioble_hci.mpy.mprandom)."""

import random
import sys

sys.modules[__name__] = random
