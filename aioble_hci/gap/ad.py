"""Advertising data: a sequence of AD structures, encoded and decoded (Core Vol 3 Part C, 11).

An AD payload is ``length, type, value`` records; the length counts the type octet. Decoding is
on the advertising-report hot path, so :meth:`AdvertisingData.decode` only splits the payload
into ``(type, value)`` pairs; the typed view (:attr:`AdvertisingData.structures`) and the
accessors read those pairs on demand. Decoding never raises: a record running past the end stops
the walk and is reported in :attr:`AdvertisingData.error`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from aioble_hci.errors import UsageError
from aioble_hci.gap.ad_structures import (
    AdStructure,
    Appearance,
    Flags,
    LocalName,
    ManufacturerData,
    ServiceData,
    ServiceUuids,
    TxPowerLevel,
    check_value_length,
    parse_structure,
)
from aioble_hci.gap.ad_types import LEGACY_MAX_LENGTH, AdFlags, AdType, LeRole, ad_type_name
from aioble_hci.uuid import UUID

_NAME_TYPES = (AdType.COMPLETE_LOCAL_NAME, AdType.SHORTENED_LOCAL_NAME)
# Service UUID list types by UUID width in octets, in the order services are reported.
_SERVICE_LISTS = (
    (
        2,
        (
            AdType.INCOMPLETE_LIST_OF_16_BIT_SERVICE_UUIDS,
            AdType.COMPLETE_LIST_OF_16_BIT_SERVICE_UUIDS,
        ),
    ),
    (
        4,
        (
            AdType.INCOMPLETE_LIST_OF_32_BIT_SERVICE_UUIDS,
            AdType.COMPLETE_LIST_OF_32_BIT_SERVICE_UUIDS,
        ),
    ),
    (
        16,
        (
            AdType.INCOMPLETE_LIST_OF_128_BIT_SERVICE_UUIDS,
            AdType.COMPLETE_LIST_OF_128_BIT_SERVICE_UUIDS,
        ),
    ),
)
_SERVICE_DATA_WIDTHS: dict[int, int] = {
    AdType.SERVICE_DATA_16_BIT_UUID: 2,
    AdType.SERVICE_DATA_32_BIT_UUID: 4,
    AdType.SERVICE_DATA_128_BIT_UUID: 16,
}

Field = tuple[int, bytes]


class AdvertisingDataTooLong(UsageError, ValueError):
    """The structures do not fit the advertising data and scan response data together."""


class AdvertisingData:
    """An ordered list of AD structures, kept as ``(type, value)`` pairs in :attr:`fields`.

    Build one from typed structures (``AdvertisingData([Flags(), LocalName("x")])``) or decode
    received octets with :meth:`decode`. Two instances are equal when their fields are; the
    decode :attr:`error` is informational and not compared.
    """

    __slots__ = ("fields", "error")

    fields: tuple[Field, ...]
    error: str | None

    def __init__(self, structures: Iterable[AdStructure] = ()) -> None:
        fields = []
        for structure in structures:
            value = structure.value()
            check_value_length(structure, value)
            fields.append((int(structure.ad_type), value))
        self.fields = tuple(fields)
        self.error = None

    @classmethod
    def from_fields(cls, fields: Iterable[Field], error: str | None = None) -> AdvertisingData:
        """An instance over ready ``(type, value)`` pairs, taken as they are."""
        self = cls.__new__(cls)
        self.fields = tuple(fields)
        self.error = error
        return self

    @classmethod
    def decode(cls, data: bytes | bytearray | memoryview) -> AdvertisingData:
        """Split an AD payload into fields as far as it is valid; never raises.

        A zero length octet ends the significant part (Core Vol 3 Part C, 11: the rest is
        padding); non-zero octets after it, and a record whose length runs past the end, are
        reported in ``error`` and the fields before them kept.
        """
        data = bytes(data)
        n = len(data)
        fields = []
        error = None
        i = 0
        while i < n:
            length = data[i]
            if length == 0:
                if data.count(0, i) != n - i:
                    error = f"AD data continues after a zero length octet at offset {i}"
                break
            end = i + 1 + length
            if end > n:
                error = (
                    f"AD structure at offset {i} has length {length} but only "
                    f"{n - i - 1} octets remain"
                )
                break
            fields.append((data[i + 1], data[i + 2 : end]))
            i = end
        self = cls.__new__(cls)
        self.fields = tuple(fields)
        self.error = error
        return self

    def encode(self) -> bytes:
        """The AD payload: each field as length, type, value."""
        return b"".join(bytes((len(value) + 1, ad_type)) + value for ad_type, value in self.fields)

    __bytes__ = encode

    def encoded_length(self) -> int:
        """Octets :meth:`encode` produces."""
        return sum(len(value) + 2 for _, value in self.fields)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AdvertisingData):
            return self.fields == other.fields
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.fields)

    def __add__(self, other: AdvertisingData) -> AdvertisingData:
        """Both payloads' fields in order, as a device's advertising data and scan response."""
        if not isinstance(other, AdvertisingData):
            return NotImplemented
        return AdvertisingData.from_fields(self.fields + other.fields, self.error or other.error)

    def __len__(self) -> int:
        return len(self.fields)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def __repr__(self) -> str:
        parts = ", ".join(f"{ad_type_name(t)}={v.hex()}" for t, v in self.fields)
        suffix = f", error={self.error!r}" if self.error else ""
        return f"AdvertisingData({parts}{suffix})"

    # Typed view and accessors -------------------------------------------------------------

    @property
    def structures(self) -> list[AdStructure]:
        """Every field as a typed structure (RawStructure for unknown or malformed ones)."""
        return [parse_structure(t, v) for t, v in self.fields]

    def values(self, ad_type: int) -> list[bytes]:
        """The values of every field of one AD type, in order."""
        return [v for t, v in self.fields if t == ad_type]

    def first(self, ad_type: int) -> bytes | None:
        """The value of the first field of one AD type, or None."""
        for t, v in self.fields:
            if t == ad_type:
                return v
        return None

    @property
    def name(self) -> str | None:
        """The first Complete or Shortened Local Name, decoded as UTF-8 (bad octets replaced)."""
        for t, v in self.fields:
            if t in _NAME_TYPES:
                return v.decode(errors="replace")
        return None

    @property
    def services(self) -> list[UUID]:
        """Service UUIDs from the complete and incomplete lists: 16-bit, then 32, then 128.

        Within a size, payload order; a ragged trailing fragment of a list is ignored.
        """
        uuids = []
        for width, types in _SERVICE_LISTS:
            for t, v in self.fields:
                if t in types:
                    for i in range(0, len(v) - width + 1, width):
                        uuids.append(UUID(v[i : i + width]))
        return uuids

    def manufacturer(self, company_id: int | None = None) -> Iterator[tuple[int, bytes]]:
        """``(company_id, data)`` for each Manufacturer Specific Data field, optionally filtered."""
        for t, v in self.fields:
            if t == AdType.MANUFACTURER_SPECIFIC_DATA and len(v) >= 2:
                company = v[0] | v[1] << 8
                if company_id is None or company == company_id:
                    yield company, v[2:]

    @property
    def manufacturer_data(self) -> dict[int, bytes]:
        """Manufacturer data by company identifier (the first field wins for a repeated company)."""
        result: dict[int, bytes] = {}
        for company, data in self.manufacturer():
            result.setdefault(company, data)
        return result

    @property
    def service_data(self) -> dict[UUID, bytes]:
        """Service data by UUID, for every UUID size (the first field wins for a repeated UUID)."""
        result: dict[UUID, bytes] = {}
        for t, v in self.fields:
            width = _SERVICE_DATA_WIDTHS.get(t)
            if width is not None and len(v) >= width:
                result.setdefault(UUID(v[:width]), v[width:])
        return result

    @property
    def appearance(self) -> int | None:
        v = self.first(AdType.APPEARANCE)
        return v[0] | v[1] << 8 if v is not None and len(v) == 2 else None

    @property
    def tx_power(self) -> int | None:
        """TX Power Level in dBm (signed), or None."""
        v = self.first(AdType.TX_POWER_LEVEL)
        if v is None or len(v) != 1:
            return None
        return v[0] - 256 if v[0] > 127 else v[0]

    @property
    def flags(self) -> AdFlags | None:
        v = self.first(AdType.FLAGS)
        return AdFlags(v[0]) if v else None

    @property
    def le_role(self) -> LeRole | None:
        v = self.first(AdType.LE_ROLE)
        if v is None or len(v) != 1 or v[0] > 3:
            return None
        return LeRole(v[0])

    # Placement ---------------------------------------------------------------------------

    def split(
        self, max_length: int = LEGACY_MAX_LENGTH, scan_response_max_length: int | None = None
    ) -> tuple[AdvertisingData, AdvertisingData]:
        """Place the fields in advertising data, overflowing into scan response data.

        Fields keep their order; each goes into the advertising data when it still fits there,
        else into the scan response, so a later small field can still land in the advertising
        data. Raises :class:`AdvertisingDataTooLong` naming the field that fits neither.
        """
        rsp_max = max_length if scan_response_max_length is None else scan_response_max_length
        adv: list[Field] = []
        rsp: list[Field] = []
        adv_used = rsp_used = 0
        for ad_type, value in self.fields:
            size = len(value) + 2
            if adv_used + size <= max_length:
                adv.append((ad_type, value))
                adv_used += size
            elif rsp_used + size <= rsp_max:
                rsp.append((ad_type, value))
                rsp_used += size
            else:
                raise AdvertisingDataTooLong(
                    f"{ad_type_name(ad_type)} ({size} octets) fits neither the advertising data "
                    f"({adv_used} of {max_length} octets used) nor the scan response data "
                    f"({rsp_used} of {rsp_max} octets used): shorten it or use extended advertising"
                )
        return AdvertisingData.from_fields(adv), AdvertisingData.from_fields(rsp)


def build_advertising_data(
    *,
    flags: AdFlags | int | None = AdFlags.LE_GENERAL_DISCOVERABLE_MODE
    | AdFlags.BR_EDR_NOT_SUPPORTED,
    services: Iterable[UUID] = (),
    name: str | None = None,
    appearance: int | None = None,
    manufacturer: Iterable[tuple[int, bytes]] = (),
    service_data: Iterable[tuple[UUID, bytes]] = (),
    tx_power: int | None = None,
) -> AdvertisingData:
    """The usual payload, in the order phones filter on: flags, service UUIDs, name, the rest.

    Service UUIDs go in one complete list per size (16, then 32, then 128 bits, each UUID in
    the size it is kept in). Pass ``flags=None`` for a payload without Flags (non-discoverable
    or scan response data).
    """
    items: list[AdStructure] = []
    if flags is not None:
        items.append(Flags(AdFlags(flags)))
    by_size: dict[int, list[UUID]] = {16: [], 32: [], 128: []}
    for uuid in services:
        uuid = UUID(uuid)
        by_size[uuid.size].append(uuid)
    items.extend(ServiceUuids(tuple(u), size=s) for s, u in by_size.items() if u)
    if name is not None:
        items.append(LocalName(name))
    if appearance:
        items.append(Appearance(appearance))
    if tx_power is not None:
        items.append(TxPowerLevel(tx_power))
    items.extend(ServiceData(UUID(u), d) for u, d in service_data)
    items.extend(ManufacturerData(c, d) for c, d in manufacturer)
    return AdvertisingData(items)


def decode(data: bytes | bytearray | memoryview) -> AdvertisingData:
    """Shorthand for :meth:`AdvertisingData.decode`."""
    return AdvertisingData.decode(data)


def encode(structures: Iterable[AdStructure]) -> bytes:
    """The AD payload of some typed structures."""
    return AdvertisingData(structures).encode()
