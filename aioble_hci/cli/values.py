"""Decoded values of SIG-defined characteristics and descriptors, printed beside the hex.

Formats and units come from the Bluetooth SIG GATT Specification Supplement (GSS, section 3
for characteristics) and Core Vol 3 Part G, 3.3.3 for the descriptors. Only fixed formats whose
meaning is clear from the value alone are decoded; anything else (or a value of the wrong
length) returns None and is shown as hex only.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

Decoder = Callable[[bytes], str]


def _scaled(fmt: str, scale: float, unit: str, digits: int) -> Decoder:
    """A little-endian number times `scale`, in `unit`."""
    size = struct.calcsize("<" + fmt)

    def decode(value: bytes) -> str:
        if len(value) != size:
            raise ValueError("length")
        number = struct.unpack("<" + fmt, value)[0]
        return f"{number * scale:.{digits}f} {unit}".rstrip()

    return decode


def _text(value: bytes) -> str:
    return f'"{value.decode()}"'


def _ppcp(value: bytes) -> str:
    """Peripheral Preferred Connection Parameters (Core Vol 3 Part C, 12.3)."""
    lo, hi, latency, timeout = struct.unpack("<4H", value)
    return (f"interval {lo * 1.25:g}-{hi * 1.25:g} ms, latency {latency}, "
            f"supervision timeout {timeout * 10} ms")


def _service_changed(value: bytes) -> str:
    start, end = struct.unpack("<2H", value)
    return f"handles 0x{start:04X}-0x{end:04X}"


def _heart_rate(value: bytes) -> str:
    """Heart Rate Measurement (GSS 3.113): flags bit 0 selects uint8 or uint16 beats per minute."""
    if value[0] & 0x01:
        return f"{struct.unpack_from('<H', value, 1)[0]} bpm"
    return f"{value[1]} bpm"


def _pnp_id(value: bytes) -> str:
    source, vendor, product, version = struct.unpack("<BHHH", value)
    kind = {1: "Bluetooth SIG", 2: "USB-IF"}.get(source, f"source {source}")
    return f"{kind} vendor 0x{vendor:04X}, product 0x{product:04X}, version 0x{version:04X}"


def _cccd(value: bytes) -> str:
    """Client Characteristic Configuration (Core Vol 3 Part G, 3.3.3.3)."""
    bits = struct.unpack("<H", value)[0]
    on = [name for bit, name in ((1, "notifications"), (2, "indications")) if bits & bit]
    return " and ".join(on) + " on" if on else "notifications and indications off"


def _appearance(value: bytes) -> str:
    number = struct.unpack("<H", value)[0]
    return f"category {number >> 6}, subcategory {number & 0x3F}"


DECODERS: dict[int, Decoder] = {
    0x2A00: _text,  # Device Name
    0x2A01: _appearance,
    0x2A04: _ppcp,
    0x2A05: _service_changed,
    0x2A07: _scaled("b", 1, "dBm", 0),  # Tx Power Level
    0x2A19: _scaled("B", 1, "%", 0),  # Battery Level
    0x2A24: _text, 0x2A25: _text, 0x2A26: _text, 0x2A27: _text, 0x2A28: _text, 0x2A29: _text,
    0x2A37: _heart_rate,
    0x2A50: _pnp_id,
    0x2A6D: _scaled("I", 0.1, "Pa", 1),  # Pressure
    0x2A6E: _scaled("h", 0.01, "°C", 2),  # Temperature: sint16 in 0.01 degrees Celsius
    0x2A6F: _scaled("H", 0.01, "%", 2),  # Humidity
    0x2AA6: lambda v: {b"\x00": "not supported", b"\x01": "supported"}[bytes(v)],  # Central Address Resolution
    0x2901: _text,  # Characteristic User Description
    0x2902: _cccd,
}


def decode_value(uuid: object, value: bytes) -> str | None:
    """The decoded form of a SIG characteristic or descriptor value, or None when not known."""
    try:
        number = int(uuid.shortest()) if hasattr(uuid, "shortest") else int(uuid)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None  # a 128-bit vendor UUID
    decoder = DECODERS.get(number)
    if decoder is None:
        return None
    try:
        return decoder(bytes(value))
    except (ValueError, struct.error, IndexError, KeyError, UnicodeDecodeError):
        return None
