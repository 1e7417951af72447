"""Lay a DeviceModel out as an AttributeDatabase at exactly the recorded handles.

`AttributeDatabase.add` takes attributes with any handle, so the recorded layout is served as
is: service declarations with their end handles (Vol 3 Part G 3.1), include declarations (3.2),
characteristic declarations with the recorded raw properties, value handle and UUID (3.3.1),
value attributes and descriptors. CCCDs (0x2902) are real CCCDs, kept per connection by the ATT
server. Every other value goes through the hooks (the Responder of the connection). Handles the
client used that no discovery placed are served as bare attributes of type `UNKNOWN_TYPE`,
outside any service: reachable by handle, invisible to discovery, as they were in the capture.
"""

from __future__ import annotations

from typing import Any, Protocol

from aioble_hci.att.database import AttPermissions, Attribute, AttributeDatabase, ValueBuffer
from aioble_hci.att.pdus import ATT_MAX_VALUE_LEN, uuid_att_bytes
from aioble_hci.emulate.model import CharacteristicModel, DeviceModel, ServiceModel
from aioble_hci.uuid import UUID

PRIMARY_SERVICE = UUID(0x2800)
SECONDARY_SERVICE = UUID(0x2801)
INCLUDE = UUID(0x2802)
CHARACTERISTIC = UUID(0x2803)
CCCD = UUID(0x2902)
UNKNOWN_TYPE = UUID("a10b1e00-e3a1-4a7e-9c0d-0000000000fe")
"""The type of a served attribute whose type the capture never showed (made up for aioble-hci)."""

READ, WRITE_NO_RSP, WRITE, NOTIFY, INDICATE, SIGNED = 0x02, 0x04, 0x08, 0x10, 0x20, 0x40
OPEN = AttPermissions.READABLE | AttPermissions.WRITEABLE


class Hooks(Protocol):
    """Where reads and writes of recorded values go (per connection)."""

    def read(self, connection: Any, handle: int) -> bytes: ...
    def write(self, connection: Any, handle: int, value: bytes) -> None: ...


def build_database(model: DeviceModel, hooks: Hooks) -> AttributeDatabase:
    """The attribute database of `model`, values answered by `hooks`."""
    db = AttributeDatabase()
    for service in model.services:
        _service(db, service, model, hooks)
    for handle in model.undiscovered_handles():
        if db.get(handle) is None:
            db.add(_value(handle, model.attribute_types.get(handle, UNKNOWN_TYPE), OPEN, hooks))
    return db


def _static(handle: int, uuid: UUID, value: bytes) -> Attribute:
    return Attribute(handle, uuid, AttPermissions.READABLE, ValueBuffer(value, len(value)), fixed_length=True)


def _service(db: AttributeDatabase, service: ServiceModel, model: DeviceModel, hooks: Hooks) -> None:
    decl = _static(service.handle, PRIMARY_SERVICE if service.primary else SECONDARY_SERVICE,
                   uuid_att_bytes(service.uuid))
    decl.end_group_handle = service.end_handle
    db.add(decl)
    for handle, start, end, uuid in service.includes:
        value = start.to_bytes(2, "little") + end.to_bytes(2, "little") + (uuid.to_le_bytes() if uuid else b"")
        db.add(_static(handle, INCLUDE, value))
    for ch in service.characteristics:
        _characteristic(db, ch, model, hooks)


def _characteristic(db: AttributeDatabase, ch: CharacteristicModel, model: DeviceModel, hooks: Hooks) -> None:
    decl = bytes((ch.properties,)) + ch.value_handle.to_bytes(2, "little") + uuid_att_bytes(ch.uuid)
    db.add(_static(ch.declaration_handle, CHARACTERISTIC, decl))
    perms = AttPermissions.NONE
    if ch.properties & READ or ch.value_handle in model.reads:
        perms |= AttPermissions.READABLE
    if ch.properties & (WRITE | WRITE_NO_RSP | SIGNED) or _written(model, ch.value_handle):
        perms |= AttPermissions.WRITEABLE
    if db.get(ch.value_handle) is None:
        db.add(_value(ch.value_handle, ch.uuid, perms, hooks))
    for d in ch.descriptors:
        if db.get(d.handle) is not None:
            continue
        if d.uuid == CCCD:
            db.add(Attribute(d.handle, CCCD, OPEN, ValueBuffer(b"\x00\x00", 2), fixed_length=True, is_cccd=True,
                             characteristic_value_handle=ch.value_handle, cccd_allowed=0x0003))
        else:
            db.add(_value(d.handle, d.uuid, OPEN, hooks))


def _value(handle: int, uuid: UUID, perms: AttPermissions, hooks: Hooks) -> Attribute:
    return Attribute(
        handle, uuid, perms, ValueBuffer(b"", ATT_MAX_VALUE_LEN),
        read_callback=lambda conn: hooks.read(conn, handle),
        write_callback=lambda conn, value: hooks.write(conn, handle, value),
    )


def _written(model: DeviceModel, handle: int) -> bool:
    return any(a.kind == "write" and a.handle == handle for a in model.actions())
