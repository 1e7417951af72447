"""``bluetooth.UUID`` with MicroPython's semantics (extmod/modbluetooth.c; aioble-api.md 14a).

Deliberately not the core :class:`aioble_hci.uuid.UUID`: MicroPython keeps a UUID in the size it
was given and compares sizes before contents, so ``UUID(0x180F)`` differs from its 128-bit
base-UUID form, and a ``str`` of 2, 4 or 16 UTF-8 octets is raw little-endian bytes (MicroPython
reads a str through the buffer protocol). :meth:`UUID.to_core` and :meth:`UUID.from_core` convert.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aioble_hci.uuid import UUID as CoreUUID

_HEX = {ord(c): int(c, 16) for c in "0123456789abcdefABCDEF"}
_DASH = ord("-")


def _buffer(value: object) -> bytes:
    """The octets MicroPython's buffer protocol would expose for ``value``."""
    if isinstance(value, UUID):
        return value._data
    if isinstance(value, str):
        return value.encode()
    try:
        return bytes(memoryview(value))  # type: ignore[arg-type]
    except TypeError:
        pass
    from aioble_hci.uuid import UUID as CoreUUID

    if isinstance(value, CoreUUID):  # a convenience MicroPython has no equivalent of
        return value.to_le_bytes()
    raise TypeError("object with buffer protocol required")


def _parse_hex(text: bytes) -> bytes:
    """A 128-bit UUID from hex text: '-' skipped anywhere, exactly 32 digits, MSB first."""
    digits: list[int] = []
    for c in text:
        if c == _DASH:
            continue
        nibble = _HEX.get(c)
        if nibble is None:
            raise ValueError("invalid char in UUID")
        if len(digits) == 32:
            raise ValueError("UUID too long")
        digits.append(nibble)
    if len(digits) < 32:
        raise ValueError("UUID too short")
    return bytes(digits[i] << 4 | digits[i + 1] for i in range(30, -1, -2))


class UUID:
    """A Bluetooth UUID as MicroPython's ``bluetooth.UUID``: 16, 32 or 128 bits, kept as given.

    - ``UUID(int)``: always 16-bit; above 0xFFFF is ``ValueError("invalid UUID")`` (a negative
      int wraps to 16 bits, as MicroPython's masking does).
    - ``UUID(buffer)`` of 2, 4 or 16 octets: raw little-endian bytes; a ``str`` counts as its UTF-8
      octets, so ``UUID("AB12")`` is the 32-bit ``UUID(0x32314241)``.
    - Any other length: hex text, '-' ignored, exactly 32 digits.
    - Equal only to a UUID of the same size with the same bytes; ordered by size, then by the
      little-endian bytes; ``bytes(uuid)`` gives those 2, 4 or 16 octets.
    """

    __slots__ = ("_data",)

    _data: bytes

    def __init__(self, value: Any) -> None:
        if isinstance(value, int) and not isinstance(value, bool):
            if value > 0xFFFF:
                raise ValueError("invalid UUID")
            data = bytes((value & 0xFF, (value >> 8) & 0xFF))
        else:
            raw = _buffer(value)
            data = raw if len(raw) in (2, 4, 16) else _parse_hex(raw)
        object.__setattr__(self, "_data", data)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("bluetooth.UUID is immutable")

    @classmethod
    def from_core(cls, uuid: CoreUUID) -> UUID:
        """The facade UUID of a core UUID, in the size the core UUID is kept in."""
        return cls(uuid.to_le_bytes())

    def to_core(self) -> CoreUUID:
        """The core :class:`aioble_hci.uuid.UUID` with the same bytes."""
        from aioble_hci.uuid import UUID as CoreUUID

        return CoreUUID(self._data)

    def __bytes__(self) -> bytes:
        return self._data

    def __reduce__(self) -> tuple[type[UUID], tuple[bytes]]:
        return (UUID, (self._data,))

    def __repr__(self) -> str:
        d = self._data
        if len(d) == 2:
            return f"UUID(0x{d[1]:02x}{d[0]:02x})"
        if len(d) == 4:
            return f"UUID(0x{d[::-1].hex()})"
        h = d[::-1].hex()
        return f"UUID('{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}')"

    __str__ = __repr__

    def __hash__(self) -> int:
        return hash(self._data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UUID):
            return NotImplemented
        return self._data == other._data

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, UUID):
            return NotImplemented
        return self._data != other._data

    # Ordering: by size first (16 < 32 < 128 bits), then the little-endian bytes.

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, UUID):
            return NotImplemented
        return (len(self._data), self._data) < (len(other._data), other._data)

    def __le__(self, other: object) -> bool:
        if not isinstance(other, UUID):
            return NotImplemented
        return (len(self._data), self._data) <= (len(other._data), other._data)

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, UUID):
            return NotImplemented
        return (len(self._data), self._data) > (len(other._data), other._data)

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, UUID):
            return NotImplemented
        return (len(self._data), self._data) >= (len(other._data), other._data)
