"""Our GATT server's database for the Bumble client to use (our att.gatt model)."""

from __future__ import annotations

from dataclasses import dataclass

from aioble_hci.att.database import AttPermissions
from aioble_hci.att.gatt import Characteristic, Service, user_description
from aioble_hci.att.gatt import CharacteristicProperties as P
from aioble_hci.host.gatt import Gatt
from aioble_hci.uuid import UUID

SERVICE = UUID("6e400001-b5a3-f393-e0a9-e50e24dcca9e")
PLAIN = UUID(0xAA01)
LONG = UUID(0xAA02)
SENSOR = UUID(0x2A37)
ENCRYPTED = UUID(0xAA04)
LONG_VALUE = bytes((7 * i) % 256 for i in range(300))
DEVICE_NAME = "aioble-interop"


@dataclass
class OurDb:
    plain: Characteristic
    long: Characteristic
    sensor: Characteristic
    encrypted: Characteristic


def register_our_server(gatt: Gatt) -> OurDb:
    """Register the service on our GATT server (handles are written back into the Characteristics)."""
    plain = Characteristic(PLAIN, P.READ | P.WRITE | P.WRITE_WITHOUT_RESPONSE, value=b"hello",
                           descriptors=[user_description("plain")])
    long = Characteristic(LONG, P.READ | P.WRITE, value=LONG_VALUE)
    sensor = Characteristic(SENSOR, P.READ | P.NOTIFY | P.INDICATE, value=b"\x00\x48")
    encrypted = Characteristic(ENCRYPTED, P.READ, AttPermissions.READ_ENCRYPTED, value=b"secret")
    gatt.server.register_services([Service(SERVICE, [plain, long, sensor, encrypted])], device_name=DEVICE_NAME)
    return OurDb(plain, long, sensor, encrypted)
