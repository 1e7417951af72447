"""A GATT database on the Bumble peer, built with Bumble's own API, for our GATT client to use."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from bumble.device import Device
from bumble.gatt import Characteristic, Descriptor, Service

SERVICE_UUID = "3a1f0000-6c1e-4d8a-9a8f-000000000001"
PLAIN_UUID = "3a1f0001-6c1e-4d8a-9a8f-000000000001"
LONG_UUID = "3a1f0002-6c1e-4d8a-9a8f-000000000001"
SENSOR_UUID = "3a1f0003-6c1e-4d8a-9a8f-000000000001"
LONG_VALUE = bytes(range(256)) + bytes(range(44))  # 300 octets: several Read Blob / Prepare Write rounds

P = Characteristic.Properties
READ_WRITE = Characteristic.Permissions.READABLE | Characteristic.Permissions.WRITEABLE


@dataclass
class BumbleServer:
    """The Bumble peer's application service: a plain, a long and a notifying characteristic."""

    plain: Characteristic[Any]
    long: Characteristic[Any]
    sensor: Characteristic[Any]
    writes: asyncio.Queue[tuple[str, bytes]] = field(default_factory=asyncio.Queue)


def add_bumble_server(device: Device) -> BumbleServer:
    """Add the service to `device`'s GATT server (before connecting); writes are queued as (uuid, value)."""
    plain = Characteristic(PLAIN_UUID, P.READ | P.WRITE | P.WRITE_WITHOUT_RESPONSE, READ_WRITE, b"hello",
                           descriptors=[Descriptor("2901", Descriptor.READABLE, b"plain")])
    long = Characteristic(LONG_UUID, P.READ | P.WRITE, READ_WRITE, LONG_VALUE)
    sensor = Characteristic(SENSOR_UUID, P.READ | P.NOTIFY | P.INDICATE, Characteristic.Permissions.READABLE,
                            b"\x00\x48")
    server = BumbleServer(plain, long, sensor)
    for characteristic, uuid in ((plain, PLAIN_UUID), (long, LONG_UUID)):
        characteristic.on("write", lambda _conn, value, uuid=uuid: server.writes.put_nowait((uuid, bytes(value))))
    device.add_service(Service(SERVICE_UUID, [plain, long, sensor]))
    return server
