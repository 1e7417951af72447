"""MicroPython's aioble on CPython: the same public names, the same behaviour (aioble-api.md §1).

``client``, ``l2cap`` and ``security`` are imported lazily, on first use, as upstream does.
"""

from .core import GattError, config, const, log_error, log_info, log_warn, stop
from .device import Device, DeviceDisconnectedError

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
