"""MicroPython's `ujson` spelling of `json`: importing it gives the `json` module itself."""

import json
import sys

sys.modules[__name__] = json
