"""Bluetooth UUIDs: 16-, 32- and 128-bit forms over the Bluetooth Base UUID (Core Vol 3 Part B, 2.5.1).

The core type of the stack. Two UUIDs are equal when their 128-bit forms are equal,
as the spec defines; the `bluetooth.UUID` facade layers MicroPython's rules on top.
"""

from __future__ import annotations

import uuid as _stduuid
from typing import Union

# 0000xxxx-0000-1000-8000-00805F9B34FB, little-endian as on the air, with the 16/32-bit slot zeroed.
BASE_UUID_LE = bytes.fromhex("fb349b5f800000800010000000000000")
_BASE_TAIL = BASE_UUID_LE[:12]

UUIDLike = Union["UUID", int, str, bytes, bytearray, memoryview]


class UUID:
    """An immutable Bluetooth UUID, kept in the shortest form it was given in."""

    __slots__ = ("_le", "_full")
    _le: bytes
    _full: bytes

    def __init__(self, value: UUIDLike) -> None:
        le: bytes
        if isinstance(value, UUID):
            le = value._le
        elif isinstance(value, int):
            if value < 0:
                raise ValueError(f"UUID must not be negative: {value}")
            if value <= 0xFFFF:
                le = value.to_bytes(2, "little")
            elif value <= 0xFFFFFFFF:
                le = value.to_bytes(4, "little")
            elif value < 1 << 128:
                le = value.to_bytes(16, "little")
            else:
                raise ValueError(f"UUID integer too large: {value:#x}")
        elif isinstance(value, str):
            le = _parse_str(value)
        elif isinstance(value, (bytes, bytearray, memoryview)):
            le = bytes(value)
            if len(le) not in (2, 4, 16):
                raise ValueError(f"UUID bytes must be 2, 4 or 16 long (little-endian), got {len(le)}")
        else:
            raise TypeError(f"cannot make a UUID from {type(value).__name__}")
        self._le = le
        self._full = le if len(le) == 16 else _BASE_TAIL + le.ljust(4, b"\x00")

    @classmethod
    def from_le_bytes(cls, data: bytes) -> UUID:
        """A UUID from its on-air little-endian form (2, 4 or 16 bytes)."""
        return cls(bytes(data))

    @property
    def size(self) -> int:
        """Size in bits of the form this UUID is kept in: 16, 32 or 128."""
        return len(self._le) * 8

    def to_le_bytes(self) -> bytes:
        """The kept form, little-endian, as ATT and AD structures carry it."""
        return self._le

    def to_128_le_bytes(self) -> bytes:
        """The full 128-bit form, little-endian."""
        return self._full

    def shortest(self) -> UUID:
        """The 16- or 32-bit alias of a 128-bit UUID built on the base UUID, else itself."""
        if len(self._le) == 16 and self._le[:12] == _BASE_TAIL:
            short = self._le[12:]
            return UUID(short[:2] if short[2:] == b"\x00\x00" else short)
        return self


    def __int__(self) -> int:
        return int.from_bytes(self._le, "little")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, UUID):
            return self._full == other._full
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._full)

    def __lt__(self, other: UUID) -> bool:
        return self._full[::-1] < other._full[::-1]

    def __str__(self) -> str:
        if len(self._le) == 2:
            return f"0x{int(self):04X}"
        if len(self._le) == 4:
            return f"0x{int(self):08X}"
        return str(_stduuid.UUID(bytes=self._le[::-1])).upper()

    def __repr__(self) -> str:
        return f"UUID({str(self)!r})" if len(self._le) == 16 else f"UUID({str(self)})"


def _parse_str(text: str) -> bytes:
    s = text.strip()
    if s.lower().startswith("0x"):
        return UUID(int(s, 16))._le
    hexdigits = s.replace("-", "")
    if len(hexdigits) in (4, 8) and "-" not in s:
        return int(hexdigits, 16).to_bytes(len(hexdigits) // 2, "little")
    try:
        return _stduuid.UUID(s).bytes[::-1]
    except ValueError:
        raise ValueError(
            f"invalid UUID string {text!r}: use 'XXXX', 'XXXXXXXX' or "
            "'XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX' (hex)"
        ) from None
