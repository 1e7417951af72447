"""Bluetooth device addresses with their type (Core Vol 6 Part B, 1.3).

Kept as 6 bytes little-endian, as HCI and the air carry them; printed and
parsed most significant byte first, as people write them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum


class AddressType(IntEnum):
    """Address types as HCI LE commands and events number them."""

    PUBLIC = 0x00
    RANDOM = 0x01
    PUBLIC_IDENTITY = 0x02  # resolved from an RPA by the controller
    RANDOM_IDENTITY = 0x03


_TEXT = re.compile(r"^([0-9A-Fa-f]{2})(?:[:-]?([0-9A-Fa-f]{2})){5}$")
_TYPE_NAMES = {
    "public": AddressType.PUBLIC,
    "random": AddressType.RANDOM,
    "public-identity": AddressType.PUBLIC_IDENTITY,
    "random-identity": AddressType.RANDOM_IDENTITY,
}


@dataclass(frozen=True, slots=True)
class Address:
    """A device address: 6 bytes little-endian and a type."""

    value: bytes
    type: AddressType = AddressType.RANDOM

    def __post_init__(self) -> None:
        if len(self.value) != 6:
            raise ValueError(f"a Bluetooth address has 6 bytes, got {len(self.value)}")
        object.__setattr__(self, "type", AddressType(self.type))

    @classmethod
    def parse(cls, text: str, type: AddressType | None = None) -> Address:
        """Parse 'aa:bb:cc:dd:ee:ff', optionally followed by '/public' or '/random'."""
        body, _, suffix = text.strip().partition("/")
        compact = body.replace(":", "").replace("-", "")
        if not _TEXT.match(body) or len(compact) != 12:
            raise ValueError(
                f"invalid Bluetooth address {text!r}: expected 'AA:BB:CC:DD:EE:FF' "
                "optionally followed by '/public' or '/random'"
            )
        if suffix:
            try:
                type = _TYPE_NAMES[suffix.lower()]
            except KeyError:
                raise ValueError(f"unknown address type {suffix!r}: use one of {', '.join(_TYPE_NAMES)}") from None
        return cls(bytes.fromhex(compact)[::-1], AddressType.RANDOM if type is None else type)

    @property
    def is_public(self) -> bool:
        return self.type in (AddressType.PUBLIC, AddressType.PUBLIC_IDENTITY)

    @property
    def is_random(self) -> bool:
        return not self.is_public

    @property
    def is_static(self) -> bool:
        """Random static: the two most significant bits are 0b11 (Vol 6 Part B, 1.3.2.1)."""
        return self.is_random and self.value[5] >> 6 == 0b11

    @property
    def is_resolvable(self) -> bool:
        """Resolvable private: top bits 0b01 (Vol 6 Part B, 1.3.2.2)."""
        return self.is_random and self.value[5] >> 6 == 0b01

    @property
    def is_non_resolvable(self) -> bool:
        """Non-resolvable private: top bits 0b00 (Vol 6 Part B, 1.3.2.2)."""
        return self.is_random and self.value[5] >> 6 == 0b00

    @property
    def type_name(self) -> str:
        return self.type.name.lower().replace("_", "-")

    def __str__(self) -> str:
        return ":".join(f"{b:02x}" for b in reversed(self.value))

    def __repr__(self) -> str:
        return f"Address('{self}/{self.type_name}')"


ANY_ADDRESS = Address(bytes(6), AddressType.PUBLIC)
