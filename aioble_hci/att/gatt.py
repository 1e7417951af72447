"""GATT server model: services, characteristics, descriptors, and their attribute layout (Vol 3 Part G 3).

`build_database(services)` assigns handles in construction order: service declaration, include
declarations, then per characteristic its declaration, value, CCCD (when it can notify or indicate)
and its descriptors in order. Handles are written back onto the model objects.
`gap_service()` and `gatt_service()` build the two mandatory services (Vol 3 Part C 12, Part G 7).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntFlag

from aioble_hci.att.database import (
    AttPermissions,
    Attribute,
    AttributeDatabase,
    ReadCallback,
    ValueBuffer,
    WriteCallback,
)
from aioble_hci.att.hash import database_hash
from aioble_hci.att.pdus import ATT_MAX_VALUE_LEN, uuid_att_bytes
from aioble_hci.uuid import UUID

PRIMARY_SERVICE = UUID(0x2800)
SECONDARY_SERVICE = UUID(0x2801)
INCLUDE = UUID(0x2802)
CHARACTERISTIC = UUID(0x2803)
CHARACTERISTIC_EXTENDED_PROPERTIES = UUID(0x2900)
CHARACTERISTIC_USER_DESCRIPTION = UUID(0x2901)
CLIENT_CHARACTERISTIC_CONFIGURATION = UUID(0x2902)
CHARACTERISTIC_PRESENTATION_FORMAT = UUID(0x2904)

GAP_SERVICE = UUID(0x1800)
GATT_SERVICE = UUID(0x1801)
DEVICE_NAME = UUID(0x2A00)
APPEARANCE = UUID(0x2A01)
PERIPHERAL_PREFERRED_CONNECTION_PARAMETERS = UUID(0x2A04)
SERVICE_CHANGED = UUID(0x2A05)
CENTRAL_ADDRESS_RESOLUTION = UUID(0x2AA6)
CLIENT_SUPPORTED_FEATURES = UUID(0x2B29)
DATABASE_HASH = UUID(0x2B2A)

CCCD_NOTIFY = 0x0001
CCCD_INDICATE = 0x0002


class CharacteristicProperties(IntFlag):
    """Characteristic Properties bit field (Vol 3 Part G 3.3.1.1)."""

    NONE = 0
    BROADCAST = 0x01
    READ = 0x02
    WRITE_WITHOUT_RESPONSE = 0x04
    WRITE = 0x08
    NOTIFY = 0x10
    INDICATE = 0x20
    AUTHENTICATED_SIGNED_WRITES = 0x40
    EXTENDED_PROPERTIES = 0x80


@dataclass(eq=False)
class Descriptor:
    """A characteristic descriptor (Vol 3 Part G 3.3.3) with a stored value or callbacks."""

    uuid: UUID
    permissions: AttPermissions = AttPermissions.READABLE
    value: bytes = b""
    max_len: int = ATT_MAX_VALUE_LEN
    read_callback: ReadCallback | None = None
    write_callback: WriteCallback | None = None
    min_key_size: int = 0
    handle: int = 0


def user_description(text: str, writable: bool = False) -> Descriptor:
    """Characteristic User Description descriptor, 0x2901 (Vol 3 Part G 3.3.3.2)."""
    perms = AttPermissions.READABLE | (AttPermissions.WRITEABLE if writable else AttPermissions.NONE)
    return Descriptor(CHARACTERISTIC_USER_DESCRIPTION, perms, text.encode())


def presentation_format(
    fmt: int, exponent: int = 0, unit: int = 0x2700, namespace: int = 0x01, description: int = 0
) -> Descriptor:
    """Characteristic Presentation Format descriptor, 0x2904 (Vol 3 Part G 3.3.3.5)."""
    value = (
        bytes((fmt, exponent & 0xFF))
        + unit.to_bytes(2, "little")
        + bytes((namespace,))
        + description.to_bytes(2, "little")
    )
    return Descriptor(CHARACTERISTIC_PRESENTATION_FORMAT, AttPermissions.READABLE, value)


@dataclass(eq=False)
class Characteristic:
    """A characteristic (Vol 3 Part G 3.3): properties on the wire, permissions enforced by ATT.

    `permissions` defaults from `properties` (READ -> readable; WRITE / WRITE_WITHOUT_RESPONSE /
    signed writes -> writeable). Security bits (READ_ENCRYPTED, ...) are added to it.
    """

    uuid: UUID
    properties: CharacteristicProperties
    permissions: AttPermissions | None = None
    value: bytes = b""
    max_len: int = ATT_MAX_VALUE_LEN
    append: bool = False
    truncate: bool = False
    read_callback: ReadCallback | None = None
    write_callback: WriteCallback | None = None
    min_key_size: int = 0
    descriptors: list[Descriptor] = field(default_factory=list)
    per_connection: bool = False
    declaration_handle: int = 0
    value_handle: int = 0
    cccd_handle: int = 0

    def effective_permissions(self) -> AttPermissions:
        perms = self.permissions if self.permissions is not None else AttPermissions.NONE
        props = self.properties
        if props & CharacteristicProperties.READ:
            perms |= AttPermissions.READABLE
        if props & (
            CharacteristicProperties.WRITE
            | CharacteristicProperties.WRITE_WITHOUT_RESPONSE
            | CharacteristicProperties.AUTHENTICATED_SIGNED_WRITES
        ):
            perms |= AttPermissions.WRITEABLE
        return perms

    @property
    def has_cccd(self) -> bool:
        return bool(self.properties & (CharacteristicProperties.NOTIFY | CharacteristicProperties.INDICATE))

    @property
    def end_handle(self) -> int:
        """Last handle of this characteristic definition."""
        handles = [self.value_handle, self.cccd_handle] + [d.handle for d in self.descriptors]
        return max(handles)


@dataclass(eq=False)
class Service:
    """A primary or secondary service (Vol 3 Part G 3.1) with included services (3.2)."""

    uuid: UUID
    characteristics: list[Characteristic] = field(default_factory=list)
    primary: bool = True
    includes: list[Service] = field(default_factory=list)
    handle: int = 0
    end_handle: int = 0


def _buffer(value: bytes, max_len: int, append: bool = False, truncate: bool = False) -> ValueBuffer:
    return ValueBuffer(bytes(value), max(max_len, len(value)), append, truncate)


def _static(handle: int, uuid: UUID, value: bytes) -> Attribute:
    return Attribute(handle, uuid, AttPermissions.READABLE, _buffer(value, len(value)), fixed_length=True)


def build_database(
    services: list[Service], db: AttributeDatabase | None = None, start_handle: int = 1
) -> AttributeDatabase:
    """Lay out `services` from `start_handle` on, writing the handles back onto the model."""
    db = db if db is not None else AttributeDatabase()
    handle = start_handle
    for service in services:
        service.handle = handle
        handle = _count_service(service, handle)
        service.end_handle = handle - 1
    if handle - 1 > 0xFFFF:
        raise ValueError("services do not fit in the 0xFFFF handles of an ATT server")
    for service in services:
        _add_service(db, service)
    return db


def _count_service(service: Service, handle: int) -> int:
    handle += 1 + len(service.includes)
    for ch in service.characteristics:
        ch.declaration_handle = handle
        ch.value_handle = handle + 1
        handle += 2
        ch.cccd_handle = handle if ch.has_cccd else 0
        handle += 1 if ch.has_cccd else 0
        for d in ch.descriptors:
            d.handle = handle
            handle += 1
    return handle


def _add_service(db: AttributeDatabase, service: Service) -> None:
    decl_type = PRIMARY_SERVICE if service.primary else SECONDARY_SERVICE
    decl = _static(service.handle, decl_type, uuid_att_bytes(service.uuid))
    decl.end_group_handle = service.end_handle
    db.add(decl)
    for i, inc in enumerate(service.includes):
        if not inc.handle:
            raise ValueError(f"included service {inc.uuid} must be laid out before {service.uuid}")
        uuid = inc.uuid.shortest()
        value = inc.handle.to_bytes(2, "little") + inc.end_handle.to_bytes(2, "little")
        value += uuid.to_le_bytes() if uuid.size == 16 else b""  # 3.2: 128-bit UUIDs omitted
        db.add(_static(service.handle + 1 + i, INCLUDE, value))
    for ch in service.characteristics:
        _add_characteristic(db, ch)


def _add_characteristic(db: AttributeDatabase, ch: Characteristic) -> None:
    decl = (
        bytes((int(ch.properties) & 0xFF,))
        + ch.value_handle.to_bytes(2, "little")
        + uuid_att_bytes(ch.uuid)
    )
    db.add(_static(ch.declaration_handle, CHARACTERISTIC, decl))
    db.add(
        Attribute(
            ch.value_handle,
            ch.uuid,
            ch.effective_permissions(),
            _buffer(ch.value, ch.max_len, ch.append, ch.truncate),
            ch.read_callback,
            ch.write_callback,
            ch.min_key_size,
            per_connection=ch.per_connection,
        )
    )
    if ch.uuid == DATABASE_HASH and ch.read_callback is None:
        value_attr = db.get(ch.value_handle)
        assert value_attr is not None
        value_attr.read_callback = lambda _conn: database_hash(db)
        value_attr.fixed_length = True
    if ch.has_cccd:
        allowed = (CCCD_NOTIFY if ch.properties & CharacteristicProperties.NOTIFY else 0) | (
            CCCD_INDICATE if ch.properties & CharacteristicProperties.INDICATE else 0
        )
        db.add(
            Attribute(
                ch.cccd_handle,
                CLIENT_CHARACTERISTIC_CONFIGURATION,
                AttPermissions.READABLE | AttPermissions.WRITEABLE,
                _buffer(b"\x00\x00", 2),
                fixed_length=True,
                is_cccd=True,
                characteristic_value_handle=ch.value_handle,
                cccd_allowed=allowed,
            )
        )
    for d in ch.descriptors:
        db.add(
            Attribute(
                d.handle,
                d.uuid,
                d.permissions,
                _buffer(d.value, d.max_len),
                d.read_callback,
                d.write_callback,
                d.min_key_size,
            )
        )


def gap_service(
    device_name: str | bytes = "aioble-hci",
    appearance: int = 0,
    *,
    device_name_writable: bool = False,
    peripheral_preferred_connection_parameters: tuple[int, int, int, int] | None = None,
    central_address_resolution: bool | None = None,
) -> Service:
    """The GAP service 0x1800 (Vol 3 Part C 12): Device Name, Appearance, optional PPCP and CAR.

    PPCP is (min interval, max interval, peripheral latency, supervision timeout) in spec units.
    """
    name = device_name.encode() if isinstance(device_name, str) else bytes(device_name)
    props = CharacteristicProperties.READ
    if device_name_writable:
        props |= CharacteristicProperties.WRITE
    chars = [
        Characteristic(DEVICE_NAME, props, value=name, max_len=248),
        Characteristic(APPEARANCE, CharacteristicProperties.READ, value=appearance.to_bytes(2, "little")),
    ]
    if peripheral_preferred_connection_parameters is not None:
        value = b"".join(v.to_bytes(2, "little") for v in peripheral_preferred_connection_parameters)
        chars.append(
            Characteristic(
                PERIPHERAL_PREFERRED_CONNECTION_PARAMETERS, CharacteristicProperties.READ, value=value
            )
        )
    if central_address_resolution is not None:
        chars.append(
            Characteristic(
                CENTRAL_ADDRESS_RESOLUTION,
                CharacteristicProperties.READ,
                value=bytes((int(central_address_resolution),)),
            )
        )
    return Service(GAP_SERVICE, chars)


def gatt_service(
    *, service_changed: bool = True, database_hash: bool = False,
    client_supported_features: bool = False,
) -> Service:
    """The GATT service 0x1801 (Vol 3 Part G 7): Service Changed (indicate) and, optionally,
    Database Hash (computed from the database it is built into) and Client Supported Features
    (kept per connection by the server). Robust caching needs both.
    """
    chars = []
    if service_changed:
        chars.append(
            Characteristic(SERVICE_CHANGED, CharacteristicProperties.INDICATE, value=bytes(4))
        )
    if client_supported_features:
        chars.append(
            Characteristic(
                CLIENT_SUPPORTED_FEATURES,
                CharacteristicProperties.READ | CharacteristicProperties.WRITE,
                value=b"\x00",
                max_len=1,
                per_connection=True,
            )
        )
    if database_hash:
        chars.append(Characteristic(DATABASE_HASH, CharacteristicProperties.READ, value=bytes(16)))
    return Service(GATT_SERVICE, chars)


def service_changed_value(start_handle: int, end_handle: int) -> bytes:
    """The Service Changed value: the affected handle range (Vol 3 Part G 7.1)."""
    return start_handle.to_bytes(2, "little") + end_handle.to_bytes(2, "little")


def find_characteristic(services: list[Service], uuid: UUID) -> Characteristic | None:
    """The first characteristic with `uuid` across `services`."""
    for service in services:
        for ch in service.characteristics:
            if ch.uuid == uuid:
                return ch
    return None
