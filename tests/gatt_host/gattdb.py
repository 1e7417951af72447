"""The peripheral's test database for the GATT host tests."""

from __future__ import annotations

from dataclasses import dataclass

from aioble_hci.att.database import AttPermissions
from aioble_hci.att.gatt import Characteristic, Service, user_description
from aioble_hci.att.gatt import CharacteristicProperties as P
from aioble_hci.uuid import UUID

SERVICE = UUID("6e400001-b5a3-f393-e0a9-e50e24dcca9e")
INCLUDED = UUID(0xFEE0)
LONG_VALUE = bytes(i % 256 for i in range(300))


@dataclass
class SampleDb:
    services: list[Service]
    plain: Characteristic
    long: Characteristic
    write_only: Characteristic
    encrypted: Characteristic
    sensor: Characteristic
    included: Service


def make_db() -> SampleDb:
    plain = Characteristic(UUID(0xAA01), P.READ | P.WRITE | P.WRITE_WITHOUT_RESPONSE, value=b"hello",
                           descriptors=[user_description("plain")])
    long = Characteristic(UUID(0xAA02), P.READ | P.WRITE, value=LONG_VALUE)
    write_only = Characteristic(UUID(0xAA03), P.WRITE, value=b"")
    encrypted = Characteristic(UUID(0xAA04), P.READ, AttPermissions.READ_ENCRYPTED, value=b"secret")
    sensor = Characteristic(UUID(0x2A37), P.READ | P.NOTIFY | P.INDICATE, value=b"\x00\x48")
    included = Service(INCLUDED, [Characteristic(UUID(0xAA10), P.READ, value=b"inc")], primary=False)
    main = Service(SERVICE, [plain, long, write_only, encrypted, sensor], includes=[included])
    return SampleDb([included, main], plain, long, write_only, encrypted, sensor, included)
