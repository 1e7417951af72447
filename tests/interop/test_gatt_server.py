"""Bumble's GATT client against our GATT server, with us as peripheral and as central."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from bumble.att import ATT_INSUFFICIENT_AUTHENTICATION_ERROR, ATT_Error
from bumble.core import UUID as BumbleUUID
from bumble.device import Connection as BumbleConnection
from bumble.device import Peer
from bumble.gatt import (
    GATT_DEVICE_NAME_CHARACTERISTIC,
    GATT_GENERIC_ACCESS_SERVICE,
    GATT_GENERIC_ATTRIBUTE_SERVICE,
)

from aioble_hci.att.events import IndicationConfirmed, MtuChanged, SubscriptionChanged, Written
from aioble_hci.host.connection import Connection
from aioble_hci.uuid import UUID
from tests.interop.bumble_link import BumblePeer
from tests.interop.helpers import bumble_connects_to_us, connect_to_bumble, run
from tests.interop.our_gatt import (
    DEVICE_NAME,
    ENCRYPTED,
    LONG,
    LONG_VALUE,
    PLAIN,
    SENSOR,
    SERVICE,
    OurDb,
    register_our_server,
)
from tests.interop.stack import OurStack


def bumble_uuid(uuid: UUID) -> BumbleUUID:
    return BumbleUUID.from_bytes(uuid.to_le_bytes())


@dataclass
class Linked:
    ours: OurStack
    db: OurDb
    conn: Connection
    bumble_conn: BumbleConnection
    peer: Peer

    async def characteristic(self, uuid: UUID) -> Any:
        await run(self.peer.discover_services([bumble_uuid(SERVICE)]))
        (service,) = self.peer.get_services_by_uuid(bumble_uuid(SERVICE))
        (char,) = await run(service.discover_characteristics([bumble_uuid(uuid)]))
        return char


@pytest.fixture(params=["we_are_peripheral", "we_are_central"])
async def linked(request, ours: OurStack, peer: BumblePeer) -> AsyncIterator[Linked]:
    db = register_our_server(ours.gatt)
    connect = bumble_connects_to_us if request.param == "we_are_peripheral" else connect_to_bumble
    conn, bumble_conn = await connect(ours, peer)
    yield Linked(ours, db, conn, bumble_conn, Peer(bumble_conn))


async def test_bumble_discovers_our_gap_gatt_and_application_services_in_order(linked: Linked):
    services = await run(linked.peer.discover_services())
    assert [s.uuid for s in services] == [GATT_GENERIC_ACCESS_SERVICE, GATT_GENERIC_ATTRIBUTE_SERVICE,
                                          bumble_uuid(SERVICE)]
    app = services[2]
    chars = await run(app.discover_characteristics())
    assert [c.uuid for c in chars] == [bumble_uuid(u) for u in (PLAIN, LONG, SENSOR, ENCRYPTED)]
    assert [c.handle for c in chars] == [linked.db.plain.value_handle, linked.db.long.value_handle,
                                         linked.db.sensor.value_handle, linked.db.encrypted.value_handle]


async def test_bumble_discovers_our_descriptors(linked: Linked):
    plain = await linked.characteristic(PLAIN)
    assert [d.type for d in await run(plain.discover_descriptors())] == [BumbleUUID("2901")]
    sensor = await linked.characteristic(SENSOR)
    (cccd,) = await run(sensor.discover_descriptors())
    assert cccd.type == BumbleUUID("2902") and cccd.handle == linked.db.sensor.cccd_handle


async def test_bumble_reads_our_device_name_and_a_value(linked: Linked):
    (name,) = await run(linked.peer.read_characteristics_by_uuid(GATT_DEVICE_NAME_CHARACTERISTIC))
    assert name == DEVICE_NAME.encode()
    plain = await linked.characteristic(PLAIN)
    assert await run(plain.read_value()) == b"hello"


async def test_bumble_long_reads_our_300_octet_value(linked: Linked):
    # Bumble's read_value goes on with Read Blob Requests while a response fills the MTU
    long = await linked.characteristic(LONG)
    assert await run(long.read_value()) == LONG_VALUE
    assert await run(long.read_value(no_long_read=True)) == LONG_VALUE[:22]


async def test_bumbles_write_request_reaches_our_server(linked: Linked):
    plain = await linked.characteristic(PLAIN)
    written = asyncio.ensure_future(linked.ours.gatt.events.wait_for(Written))
    await run(plain.write_value(b"from bumble", with_response=True))
    event = await run(written)
    assert (event.connection, event.handle, event.value) == (linked.conn, linked.db.plain.value_handle, b"from bumble")
    assert linked.ours.gatt.server.read(linked.db.plain.value_handle) == b"from bumble"


async def test_bumbles_write_command_reaches_our_server(linked: Linked):
    plain = await linked.characteristic(PLAIN)
    written = asyncio.ensure_future(linked.ours.gatt.events.wait_for(Written))
    await run(plain.write_value(b"cmd", with_response=False))
    assert (await run(written)).value == b"cmd"


async def test_bumbles_long_write_stores_a_value_longer_than_the_mtu(linked: Linked):
    long = await linked.characteristic(LONG)
    value = bytes(reversed(LONG_VALUE))
    await run(long.write_value(value, with_response=True))  # Prepare Write x N + Execute Write
    assert linked.ours.gatt.server.read(linked.db.long.value_handle) == value


async def test_bumbles_mtu_exchange_with_our_server(linked: Linked):
    changed = asyncio.ensure_future(linked.ours.gatt.events.wait_for(MtuChanged))
    assert await run(linked.peer.request_mtu(517)) == 256  # our preferred MTU
    assert (await run(changed)).mtu == 256 and linked.ours.gatt.mtu(linked.conn) == 256
    long = await linked.characteristic(LONG)
    assert await run(long.read_value(no_long_read=True)) == LONG_VALUE[:255]


async def test_bumble_subscribes_and_gets_our_notifications(linked: Linked):
    sensor = await linked.characteristic(SENSOR)
    received: asyncio.Queue[bytes] = asyncio.Queue()
    subscribed = asyncio.ensure_future(linked.ours.gatt.events.wait_for(SubscriptionChanged))
    await run(sensor.subscribe(received.put_nowait, prefer_notify=True))
    event = await run(subscribed)
    assert (event.value_handle, event.notify, event.indicate) == (linked.db.sensor.value_handle, True, False)
    linked.ours.gatt.server.write(linked.db.sensor.value_handle, b"\x00\x50", send_update=True)
    assert await run(received.get()) == b"\x00\x50"


async def test_bumble_subscribes_to_indications_and_confirms_ours(linked: Linked):
    sensor = await linked.characteristic(SENSOR)
    received: asyncio.Queue[bytes] = asyncio.Queue()
    await run(sensor.subscribe(received.put_nowait, prefer_notify=False))
    assert linked.ours.gatt.server.subscription(linked.conn, linked.db.sensor.value_handle) == 0x02
    confirmed = asyncio.ensure_future(linked.ours.gatt.events.wait_for(IndicationConfirmed))
    await run(linked.ours.gatt.server.indicate(linked.conn, linked.db.sensor.value_handle, b"\x00\x51"))
    assert await run(received.get()) == b"\x00\x51"
    assert (await run(confirmed)).handle == linked.db.sensor.value_handle


async def test_without_a_subscription_our_send_update_sends_nothing(linked: Linked):
    sensor = await linked.characteristic(SENSOR)
    received: asyncio.Queue[bytes] = asyncio.Queue()
    linked.ours.gatt.server.write(linked.db.sensor.value_handle, b"\x00\x01", send_update=True)
    await run(sensor.subscribe(received.put_nowait, prefer_notify=True))
    linked.ours.gatt.server.write(linked.db.sensor.value_handle, b"\x00\x02", send_update=True)
    assert await run(received.get()) == b"\x00\x02"
    assert received.empty()


async def test_our_unsolicited_notification_and_indication_reach_bumble_without_subscription(linked: Linked):
    sensor = await linked.characteristic(SENSOR)
    handle = linked.db.sensor.value_handle
    received: asyncio.Queue[bytes] = asyncio.Queue()
    # Listen in Bumble's client tables without writing the CCCD: our server sees no subscription.
    client = linked.bumble_conn.gatt_client
    client.notification_subscribers.setdefault(sensor.handle, set()).add(received.put_nowait)
    assert linked.ours.gatt.server.subscription(linked.conn, handle) == 0
    linked.ours.gatt.server.notify(linked.conn, handle, b"\x00\x03")
    assert await run(received.get()) == b"\x00\x03"
    # Bumble confirms an indication nobody asked for, as Vol 3 Part F 3.4.7.2 requires: indicate() returns
    await run(linked.ours.gatt.server.indicate(linked.conn, handle, b"\x00\x04"))
    assert client.cached_values[handle][1] == b"\x00\x04"


async def test_our_encrypted_value_refuses_bumble_on_an_open_link(linked: Linked):
    encrypted = await linked.characteristic(ENCRYPTED)
    with pytest.raises(ATT_Error) as info:
        await run(encrypted.read_value())
    assert info.value.error_code == ATT_INSUFFICIENT_AUTHENTICATION_ERROR
