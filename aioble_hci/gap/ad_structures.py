"""Typed AD structures: one small frozen dataclass per data type (CSS Part A, section 1).

Each structure knows its AD type (``ad_type``), encodes its value (``value()``, without the
length and type octets) and parses one back (``from_value(ad_type, data)``, raising ValueError
when the value does not have the format the type requires). :func:`parse_structure` turns any
(type, value) pair into a structure, falling back to :class:`RawStructure` for unknown types and
malformed values so nothing is ever lost.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import field
from typing import Protocol

from aioble_hci.address import Address, AddressType
from aioble_hci.gap.ad_types import (
    MAX_VALUE_LENGTH,
    SERVICE_DATA_TYPES,
    SERVICE_UUID_LIST_TYPES,
    SOLICITATION_TYPES,
    URI_SCHEMES,
    AdFlags,
    AdType,
    LeRole,
    ad_type_name,
)
from aioble_hci.records import dataclass
from aioble_hci.uuid import UUID

_UUID_SIZES = (16, 32, 128)


class AdStructure(Protocol):
    """What every AD structure offers."""

    @property
    def ad_type(self) -> int: ...

    def value(self) -> bytes: ...


def uuid_bytes(uuid: UUID, size: int) -> bytes:
    """A UUID in the little-endian form of the given size (16, 32 or 128 bits).

    A 16-bit UUID widens to 32 or 128 bits and a base-UUID alias narrows (Core Vol 3 Part B,
    2.5.1); a UUID that has no form of that size is a ValueError.
    """
    if size == 128:
        return uuid.to_128_le_bytes()
    short = uuid.shortest().to_le_bytes()
    if size == 16 and len(short) == 2:
        return short
    if size == 32 and len(short) <= 4:
        return short.ljust(4, b"\x00")
    raise ValueError(f"UUID {uuid} has no {size}-bit form")


def split_uuids(data: bytes, width: int) -> tuple[UUID, ...]:
    """Split a UUID list value into UUIDs of ``width`` octets; a ragged length is a ValueError."""
    if len(data) % width:
        raise ValueError(f"UUID list of {len(data)} octets is not a multiple of {width}")
    return tuple(UUID(data[i : i + width]) for i in range(0, len(data), width))


def _size_of(ad_type: int, table: dict[int, AdType]) -> int:
    for size, t in table.items():
        if t == ad_type:
            return size
    raise ValueError(f"{ad_type_name(ad_type)} is not a type of this structure")


@dataclass(frozen=True, slots=True)
class Flags:
    """Flags (CSS Part A, 1.3): discoverable mode and BR/EDR support bits, one octet."""

    flags: AdFlags = AdFlags.LE_GENERAL_DISCOVERABLE_MODE | AdFlags.BR_EDR_NOT_SUPPORTED

    def __post_init__(self) -> None:
        if not 0 <= int(self.flags) <= 0xFF:
            raise ValueError(f"Flags must fit one octet, got {int(self.flags):#x}")
        object.__setattr__(self, "flags", AdFlags(self.flags))

    @property
    def ad_type(self) -> int:
        return AdType.FLAGS

    def value(self) -> bytes:
        return bytes((self.flags,))

    @classmethod
    def from_value(cls, ad_type: int, data: bytes) -> Flags:
        if len(data) != 1:
            raise ValueError(f"Flags value has {len(data)} octets, expected 1")
        return cls(AdFlags(data[0]))


@dataclass(frozen=True, slots=True)
class LocalName:
    """Shortened (0x08) or Complete (0x09) Local Name (CSS Part A, 1.2), UTF-8."""

    name: str
    complete: bool = True

    @property
    def ad_type(self) -> int:
        return AdType.COMPLETE_LOCAL_NAME if self.complete else AdType.SHORTENED_LOCAL_NAME

    def value(self) -> bytes:
        return self.name.encode()

    @classmethod
    def from_value(cls, ad_type: int, data: bytes) -> LocalName:
        return cls(data.decode(), complete=ad_type == AdType.COMPLETE_LOCAL_NAME)


@dataclass(frozen=True, slots=True)
class ServiceUuids:
    """Complete or incomplete list of 16-, 32- or 128-bit Service UUIDs (CSS Part A, 1.1).

    ``size`` is inferred from the first UUID when not given; an empty list needs it.
    """

    uuids: tuple[UUID, ...]
    complete: bool = True
    size: int = 0

    def __post_init__(self) -> None:
        uuids = tuple(UUID(u) for u in self.uuids)
        size = self.size or (uuids[0].size if uuids else 16)
        if size not in _UUID_SIZES:
            raise ValueError(f"service UUID size must be 16, 32 or 128 bits, got {size}")
        for u in uuids:
            uuid_bytes(u, size)  # raises for a UUID with no form of this size
        object.__setattr__(self, "uuids", uuids)
        object.__setattr__(self, "size", size)

    @property
    def ad_type(self) -> int:
        return SERVICE_UUID_LIST_TYPES[(self.size, self.complete)]

    def value(self) -> bytes:
        return b"".join(uuid_bytes(u, self.size) for u in self.uuids)

    @classmethod
    def from_value(cls, ad_type: int, data: bytes) -> ServiceUuids:
        for (size, complete), t in SERVICE_UUID_LIST_TYPES.items():
            if t == ad_type:
                return cls(split_uuids(data, size // 8), complete=complete, size=size)
        raise ValueError(f"{ad_type_name(ad_type)} is not a service UUID list")


@dataclass(frozen=True, slots=True)
class ServiceSolicitation:
    """List of 16-, 32- or 128-bit Service Solicitation UUIDs (CSS Part A, 1.10)."""

    uuids: tuple[UUID, ...]
    size: int = 0

    def __post_init__(self) -> None:
        uuids = tuple(UUID(u) for u in self.uuids)
        size = self.size or (uuids[0].size if uuids else 16)
        if size not in _UUID_SIZES:
            raise ValueError(f"solicitation UUID size must be 16, 32 or 128 bits, got {size}")
        for u in uuids:
            uuid_bytes(u, size)
        object.__setattr__(self, "uuids", uuids)
        object.__setattr__(self, "size", size)

    @property
    def ad_type(self) -> int:
        return SOLICITATION_TYPES[self.size]

    def value(self) -> bytes:
        return b"".join(uuid_bytes(u, self.size) for u in self.uuids)

    @classmethod
    def from_value(cls, ad_type: int, data: bytes) -> ServiceSolicitation:
        size = _size_of(ad_type, SOLICITATION_TYPES)
        return cls(split_uuids(data, size // 8), size=size)


@dataclass(frozen=True, slots=True)
class ServiceData:
    """Service Data for a 16-, 32- or 128-bit UUID (CSS Part A, 1.11): UUID then data.

    ``size`` defaults to the size the UUID is kept in.
    """

    uuid: UUID
    data: bytes = b""
    size: int = 0

    def __post_init__(self) -> None:
        uuid = UUID(self.uuid)
        size = self.size or uuid.size
        if size not in _UUID_SIZES:
            raise ValueError(f"service data UUID size must be 16, 32 or 128 bits, got {size}")
        uuid_bytes(uuid, size)
        object.__setattr__(self, "uuid", uuid)
        object.__setattr__(self, "data", bytes(self.data))
        object.__setattr__(self, "size", size)

    @property
    def ad_type(self) -> int:
        return SERVICE_DATA_TYPES[self.size]

    def value(self) -> bytes:
        return uuid_bytes(self.uuid, self.size) + self.data

    @classmethod
    def from_value(cls, ad_type: int, data: bytes) -> ServiceData:
        size = _size_of(ad_type, SERVICE_DATA_TYPES)
        width = size // 8
        if len(data) < width:
            raise ValueError(
                f"service data of {len(data)} octets is shorter than its {size}-bit UUID"
            )
        return cls(UUID(data[:width]), data[width:], size=size)


@dataclass(frozen=True, slots=True)
class ManufacturerData:
    """Manufacturer Specific Data (CSS Part A, 1.4): a 16-bit company identifier, then data."""

    company_id: int
    data: bytes = b""

    def __post_init__(self) -> None:
        if not 0 <= self.company_id <= 0xFFFF:
            raise ValueError(f"company identifier must fit 16 bits, got {self.company_id:#x}")
        object.__setattr__(self, "data", bytes(self.data))

    @property
    def ad_type(self) -> int:
        return AdType.MANUFACTURER_SPECIFIC_DATA

    def value(self) -> bytes:
        return self.company_id.to_bytes(2, "little") + self.data

    @classmethod
    def from_value(cls, ad_type: int, data: bytes) -> ManufacturerData:
        if len(data) < 2:
            raise ValueError(f"manufacturer data of {len(data)} octets has no company identifier")
        return cls(data[0] | data[1] << 8, data[2:])


@dataclass(frozen=True, slots=True)
class Appearance:
    """Appearance (CSS Part A, 1.12): 16 bits, category in the upper 10 and subcategory in the lower 6."""

    appearance: int

    def __post_init__(self) -> None:
        if not 0 <= self.appearance <= 0xFFFF:
            raise ValueError(f"appearance must fit 16 bits, got {self.appearance:#x}")

    @property
    def category(self) -> int:
        return self.appearance >> 6

    @property
    def subcategory(self) -> int:
        return self.appearance & 0x3F

    @property
    def ad_type(self) -> int:
        return AdType.APPEARANCE

    def value(self) -> bytes:
        return self.appearance.to_bytes(2, "little")

    @classmethod
    def from_value(cls, ad_type: int, data: bytes) -> Appearance:
        if len(data) != 2:
            raise ValueError(f"appearance value has {len(data)} octets, expected 2")
        return cls(data[0] | data[1] << 8)


@dataclass(frozen=True, slots=True)
class TxPowerLevel:
    """TX Power Level (CSS Part A, 1.5): signed octet, dBm, -127 to +127."""

    dbm: int

    def __post_init__(self) -> None:
        if not -128 <= self.dbm <= 127:
            raise ValueError(f"TX power level must fit a signed octet, got {self.dbm}")

    @property
    def ad_type(self) -> int:
        return AdType.TX_POWER_LEVEL

    def value(self) -> bytes:
        return struct.pack("<b", self.dbm)

    @classmethod
    def from_value(cls, ad_type: int, data: bytes) -> TxPowerLevel:
        if len(data) != 1:
            raise ValueError(f"TX power level has {len(data)} octets, expected 1")
        return cls(struct.unpack("<b", data)[0])


@dataclass(frozen=True, slots=True)
class PeripheralConnectionIntervalRange:
    """Peripheral Connection Interval Range (CSS Part A, 1.9): min and max in 1.25 ms units.

    0xFFFF in either means "no specific value".
    """

    min_interval: int
    max_interval: int

    def __post_init__(self) -> None:
        for name in ("min_interval", "max_interval"):
            if not 0 <= getattr(self, name) <= 0xFFFF:
                raise ValueError(f"{name} must fit 16 bits, got {getattr(self, name)}")

    @property
    def ad_type(self) -> int:
        return AdType.PERIPHERAL_CONNECTION_INTERVAL_RANGE

    def value(self) -> bytes:
        return struct.pack("<HH", self.min_interval, self.max_interval)

    @classmethod
    def from_value(cls, ad_type: int, data: bytes) -> PeripheralConnectionIntervalRange:
        if len(data) != 4:
            raise ValueError(f"connection interval range has {len(data)} octets, expected 4")
        low, high = struct.unpack("<HH", data)
        return cls(low, high)


@dataclass(frozen=True, slots=True)
class Uri:
    """URI (CSS Part A, 1.18): a scheme code point (Assigned Numbers 2.7) then the rest, UTF-8.

    Build one from text with :meth:`from_uri`; ``uri`` gives the text back when the scheme
    code point is one this host knows.
    """

    scheme: int
    body: str

    def __post_init__(self) -> None:
        if not 0 <= self.scheme <= 0x10FFFF:
            raise ValueError(f"URI scheme code point out of range: {self.scheme:#x}")

    @classmethod
    def from_uri(cls, uri: str) -> Uri:
        for code, prefix in URI_SCHEMES.items():
            if prefix and uri.startswith(prefix):
                return cls(code, uri[len(prefix) :])
        return cls(0x01, uri)

    @property
    def uri(self) -> str | None:
        prefix = URI_SCHEMES.get(self.scheme)
        return None if prefix is None else prefix + self.body

    @property
    def ad_type(self) -> int:
        return AdType.URI

    def value(self) -> bytes:
        return (chr(self.scheme) + self.body).encode()

    @classmethod
    def from_value(cls, ad_type: int, data: bytes) -> Uri:
        text = data.decode()
        if not text:
            raise ValueError("URI value is empty: it must start with a scheme code point")
        return cls(ord(text[0]), text[1:])


@dataclass(frozen=True, slots=True)
class LeRoleStructure:
    """LE Role (CSS Part A, 1.17): which GAP roles the device supports and prefers."""

    role: LeRole

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", LeRole(self.role))

    @property
    def ad_type(self) -> int:
        return AdType.LE_ROLE

    def value(self) -> bytes:
        return bytes((self.role,))

    @classmethod
    def from_value(cls, ad_type: int, data: bytes) -> LeRoleStructure:
        if len(data) != 1:
            raise ValueError(f"LE Role has {len(data)} octets, expected 1")
        return cls(LeRole(data[0]))


@dataclass(frozen=True, slots=True)
class TargetAddresses:
    """Public (0x17) or Random (0x18) Target Address (CSS Part A, 1.13): 6-octet addresses."""

    addresses: tuple[Address, ...]
    random: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "addresses", tuple(self.addresses))

    @property
    def ad_type(self) -> int:
        return AdType.RANDOM_TARGET_ADDRESS if self.random else AdType.PUBLIC_TARGET_ADDRESS

    def value(self) -> bytes:
        return b"".join(a.value for a in self.addresses)

    @classmethod
    def from_value(cls, ad_type: int, data: bytes) -> TargetAddresses:
        if len(data) % 6:
            raise ValueError(f"target address list of {len(data)} octets is not a multiple of 6")
        random = ad_type == AdType.RANDOM_TARGET_ADDRESS
        kind = AddressType.RANDOM if random else AddressType.PUBLIC
        return cls(tuple(Address(data[i : i + 6], kind) for i in range(0, len(data), 6)), random)


@dataclass(frozen=True, slots=True)
class AdvertisingInterval:
    """Advertising Interval (CSS Part A, 1.15): 16 bits in 0.625 ms units."""

    interval: int

    def __post_init__(self) -> None:
        if not 0 <= self.interval <= 0xFFFF:
            raise ValueError(f"advertising interval must fit 16 bits, got {self.interval}")

    @property
    def interval_ms(self) -> float:
        return self.interval * 0.625

    @property
    def ad_type(self) -> int:
        return AdType.ADVERTISING_INTERVAL

    def value(self) -> bytes:
        return self.interval.to_bytes(2, "little")

    @classmethod
    def from_value(cls, ad_type: int, data: bytes) -> AdvertisingInterval:
        if len(data) != 2:
            raise ValueError(f"advertising interval has {len(data)} octets, expected 2")
        return cls(data[0] | data[1] << 8)


@dataclass(frozen=True, slots=True)
class LeDeviceAddress:
    """LE Bluetooth Device Address (CSS Part A, 1.16): 6 octets then a type octet (bit 0: random)."""

    address: Address

    @property
    def ad_type(self) -> int:
        return AdType.LE_BLUETOOTH_DEVICE_ADDRESS

    def value(self) -> bytes:
        return self.address.value + bytes((1 if self.address.is_random else 0,))

    @classmethod
    def from_value(cls, ad_type: int, data: bytes) -> LeDeviceAddress:
        if len(data) != 7 or data[6] & 0xFE:
            raise ValueError(
                "LE Bluetooth Device Address must be 6 octets and a type octet of 0 or 1"
            )
        kind = AddressType.RANDOM if data[6] else AddressType.PUBLIC
        return cls(Address(data[:6], kind))


@dataclass(frozen=True, slots=True)
class RawStructure:
    """Any AD structure kept as its type and value octets: unknown types and malformed values."""

    type: int
    data: bytes = b""
    problem: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.type <= 0xFF:
            raise ValueError(f"AD type must fit one octet, got {self.type:#x}")
        object.__setattr__(self, "data", bytes(self.data))

    @property
    def ad_type(self) -> int:
        return self.type

    def value(self) -> bytes:
        return self.data


def _parsers() -> dict[int, Callable[[int, bytes], AdStructure]]:
    table: dict[int, Callable[[int, bytes], AdStructure]] = {
        AdType.FLAGS: Flags.from_value,
        AdType.SHORTENED_LOCAL_NAME: LocalName.from_value,
        AdType.COMPLETE_LOCAL_NAME: LocalName.from_value,
        AdType.MANUFACTURER_SPECIFIC_DATA: ManufacturerData.from_value,
        AdType.APPEARANCE: Appearance.from_value,
        AdType.TX_POWER_LEVEL: TxPowerLevel.from_value,
        AdType.PERIPHERAL_CONNECTION_INTERVAL_RANGE: PeripheralConnectionIntervalRange.from_value,
        AdType.URI: Uri.from_value,
        AdType.LE_ROLE: LeRoleStructure.from_value,
        AdType.PUBLIC_TARGET_ADDRESS: TargetAddresses.from_value,
        AdType.RANDOM_TARGET_ADDRESS: TargetAddresses.from_value,
        AdType.ADVERTISING_INTERVAL: AdvertisingInterval.from_value,
        AdType.LE_BLUETOOTH_DEVICE_ADDRESS: LeDeviceAddress.from_value,
    }
    for t in SERVICE_UUID_LIST_TYPES.values():
        table[t] = ServiceUuids.from_value
    for t in SOLICITATION_TYPES.values():
        table[t] = ServiceSolicitation.from_value
    for t in SERVICE_DATA_TYPES.values():
        table[t] = ServiceData.from_value
    return table


_PARSERS = _parsers()


def parse_structure(ad_type: int, data: bytes) -> AdStructure:
    """The typed structure for one (type, value) pair; never raises.

    Unknown types give a :class:`RawStructure`; a value that breaks its type's format gives a
    :class:`RawStructure` whose ``problem`` says why.
    """
    parser = _PARSERS.get(ad_type)
    if parser is None:
        return RawStructure(ad_type, data)
    try:
        return parser(ad_type, data)
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        return RawStructure(ad_type, data, problem=f"{ad_type_name(ad_type)}: {exc}")


def check_value_length(structure: AdStructure, value: bytes) -> None:
    """Raise a ValueError naming the structure when its value cannot fit one AD structure."""
    if len(value) > MAX_VALUE_LENGTH:
        raise ValueError(
            f"{ad_type_name(structure.ad_type)} value of {len(value)} octets exceeds the "
            f"{MAX_VALUE_LENGTH} one AD structure can hold"
        )


__all__ = [
    "AdStructure",
    "Appearance",
    "AdvertisingInterval",
    "Flags",
    "LeDeviceAddress",
    "LeRoleStructure",
    "LocalName",
    "ManufacturerData",
    "PeripheralConnectionIntervalRange",
    "RawStructure",
    "ServiceData",
    "ServiceSolicitation",
    "ServiceUuids",
    "TargetAddresses",
    "TxPowerLevel",
    "Uri",
    "parse_structure",
    "uuid_bytes",
]
