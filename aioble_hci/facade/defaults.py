"""MicroPython's default arguments for the low-level API (modbluetooth.c and the NimBLE binding).

A leaf module: `bluetooth.BLE`'s signatures need these at import, before any of the stack loads.
"""

DEFAULT_SCAN_INTERVAL_US = 1_280_000
DEFAULT_SCAN_WINDOW_US = 11_250
DEFAULT_CONNECT_SCAN_MS = 2000
DEFAULT_CONN_INTERVAL_MIN_US = 30_000
DEFAULT_CONN_INTERVAL_MAX_US = 50_000
