"""A small GATT database shared by the ATT server and client tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from aioble_hci.att.database import AttPermissions, AttributeDatabase
from aioble_hci.att.gatt import (
    Characteristic,
    Service,
    build_database,
    gap_service,
    gatt_service,
    user_description,
)
from aioble_hci.att.gatt import (
    CharacteristicProperties as P,
)
from aioble_hci.att.server import AttServer
from aioble_hci.uuid import UUID

LONG_VALUE = bytes(range(100))


@dataclass
class SampleDb:
    db: AttributeDatabase
    services: list[Service]
    plain: Characteristic  # read/write "BlueZ"
    long: Characteristic  # read/write, 100 octets
    write_only: Characteristic
    read_only: Characteristic
    encrypted: Characteristic
    authenticated_16: Characteristic
    authorized: Characteristic
    notify: Characteristic
    small: Characteristic  # max_len 4
    service_changed: Characteristic
    custom_service: Service
    long_uuid_service: Service
    secondary: Service


def make_test_db() -> SampleDb:
    plain = Characteristic(UUID(0xAA01), P.READ | P.WRITE | P.WRITE_WITHOUT_RESPONSE, value=b"BlueZ")
    long = Characteristic(UUID(0xAA02), P.READ | P.WRITE, value=LONG_VALUE)
    write_only = Characteristic(UUID(0xAA03), P.WRITE, value=b"w")
    read_only = Characteristic(UUID(0xAA04), P.READ, value=b"r")
    encrypted = Characteristic(
        UUID(0xAA05), P.READ | P.WRITE, value=b"enc",
        permissions=AttPermissions.READ_ENCRYPTED | AttPermissions.WRITE_ENCRYPTED,
    )
    authenticated_16 = Characteristic(
        UUID(0xAA06), P.READ, value=b"auth",
        permissions=AttPermissions.READ_AUTHENTICATED, min_key_size=16,
    )
    authorized = Characteristic(
        UUID(0xAA07), P.READ, value=b"authz", permissions=AttPermissions.READ_AUTHORIZED
    )
    notify = Characteristic(
        UUID(0xAA08), P.READ | P.NOTIFY | P.INDICATE, value=b"n",
        descriptors=[user_description("Notifier")],
    )
    small = Characteristic(UUID(0xAA09), P.READ | P.WRITE, value=b"", max_len=4)
    secondary = Service(UUID(0xBB00), [Characteristic(UUID(0xBB01), P.READ, value=b"s")],
                        primary=False)
    custom = Service(
        UUID(0xAA00),
        [plain, long, write_only, read_only, encrypted, authenticated_16, authorized, notify, small],
    )
    long_uuid = Service(
        UUID("12345678-1234-5678-1234-56789abcdef0"),
        [Characteristic(UUID("12345678-1234-5678-1234-56789abcdef1"), P.READ, value=b"x")],
    )
    gatt = gatt_service()
    services = [gap_service("Test"), gatt, secondary, custom, long_uuid]
    custom.includes = [secondary]
    db = build_database(services)
    return SampleDb(
        db, services, plain, long, write_only, read_only, encrypted, authenticated_16,
        authorized, notify, small, gatt.characteristics[0], custom, long_uuid, secondary,
    )


@pytest.fixture
def tdb() -> SampleDb:
    return make_test_db()


@pytest.fixture
def server(tdb: SampleDb) -> AttServer:
    return AttServer(tdb.db, connection="conn")
