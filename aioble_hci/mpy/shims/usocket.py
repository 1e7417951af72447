"""MicroPython's `usocket` spelling of `socket`: importing it gives the `socket` module itself."""

import socket
import sys

sys.modules[__name__] = socket
