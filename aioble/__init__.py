"""MicroPython's aioble on CPython: the same public names, the same behaviour (aioble-api.md §1).

``client``, ``l2cap`` and ``security`` are imported lazily, on first use, as upstream does.
"""

from aioble_hci.bluetooth_guard import require_our_bluetooth as _require_our_bluetooth

_require_our_bluetooth()  # PyBluez's `bluetooth` first on sys.path: a clear ImportError, not an AttributeError

from .core import GattError, config, const, log_error, log_info, log_warn, stop  # noqa: E402
from .device import Device, DeviceDisconnectedError  # noqa: E402

try:
    from .peripheral import advertise
except Exception:
    log_info("Peripheral support disabled")

try:
    from .central import scan
except Exception:
    log_info("Central support disabled")

try:
    from .server import (
        BufferedCharacteristic,
        Characteristic,
        Descriptor,
        Service,
        register_services,
    )
except Exception:
    log_info("GATT server support disabled")


ADDR_PUBLIC = const(0)
ADDR_RANDOM = const(1)

__all__ = [
    "ADDR_PUBLIC",
    "ADDR_RANDOM",
    "BufferedCharacteristic",
    "Characteristic",
    "Descriptor",
    "Device",
    "DeviceDisconnectedError",
    "GattError",
    "Service",
    "advertise",
    "config",
    "const",
    "log_error",
    "log_info",
    "log_warn",
    "register_services",
    "scan",
    "stop",
]
