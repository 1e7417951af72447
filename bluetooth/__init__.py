"""MicroPython's low-level ``bluetooth`` module on CPython (MicroPython docs/library/bluetooth.rst).

Importing it is cheap: it defines :class:`UUID` and the ``FLAG_*`` constants and starts nothing.
"""

from bluetooth._uuid import UUID

__aioble_hci__ = True  # tells this package from PyBluez's `bluetooth` (aioble_hci.bluetooth_guard)

# Characteristic and descriptor flags for gatts_register_services, with MicroPython's values.
FLAG_BROADCAST = 0x0001
FLAG_READ = 0x0002
FLAG_WRITE_NO_RESPONSE = 0x0004
FLAG_WRITE = 0x0008
FLAG_NOTIFY = 0x0010
FLAG_INDICATE = 0x0020
FLAG_AUTHENTICATED_SIGNED_WRITE = 0x0040
FLAG_AUX_WRITE = 0x0100
FLAG_READ_ENCRYPTED = 0x0200
FLAG_READ_AUTHENTICATED = 0x0400
FLAG_READ_AUTHORIZED = 0x0800
FLAG_WRITE_ENCRYPTED = 0x1000
FLAG_WRITE_AUTHENTICATED = 0x2000
FLAG_WRITE_AUTHORIZED = 0x4000

__all__ = [
    "UUID",
    "FLAG_BROADCAST",
    "FLAG_READ",
    "FLAG_WRITE_NO_RESPONSE",
    "FLAG_WRITE",
    "FLAG_NOTIFY",
    "FLAG_INDICATE",
    "FLAG_AUTHENTICATED_SIGNED_WRITE",
    "FLAG_AUX_WRITE",
    "FLAG_READ_ENCRYPTED",
    "FLAG_READ_AUTHENTICATED",
    "FLAG_READ_AUTHORIZED",
    "FLAG_WRITE_ENCRYPTED",
    "FLAG_WRITE_AUTHENTICATED",
    "FLAG_WRITE_AUTHORIZED",
]


def __getattr__(name: str) -> object:
    """``bluetooth.BLE`` is imported on first use, so ``import bluetooth`` starts and loads nothing heavy."""
    if name == "BLE":
        from bluetooth.ble import BLE

        return BLE
    raise AttributeError(f"module 'bluetooth' has no attribute {name!r}")
