"""Our GATT client against Bumble's GATT server, with us as central and as peripheral."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from bumble.device import Connection as BumbleConnection

from aioble_hci.att.errors import AttError
from aioble_hci.att.gatt import (
    CLIENT_CHARACTERISTIC_CONFIGURATION,
    DEVICE_NAME,
    GAP_SERVICE,
    GATT_SERVICE,
)
from aioble_hci.att.gatt import CharacteristicProperties as OurP
from aioble_hci.att.pdus import ErrorCode
from aioble_hci.host.connection import Connection
from aioble_hci.host.gatt import GattClient
from aioble_hci.uuid import UUID
from tests.interop.bumble_gatt import (
    LONG_UUID,
    LONG_VALUE,
    PLAIN_UUID,
    SENSOR_UUID,
    SERVICE_UUID,
    BumbleServer,
    add_bumble_server,
)
from tests.interop.bumble_link import BumblePeer
from tests.interop.helpers import bumble_connects_to_us, connect_to_bumble, run
from tests.interop.stack import OurStack


@dataclass
class Linked:
    ours: OurStack
    peer: BumblePeer
    server: BumbleServer
    conn: Connection
    bumble_conn: BumbleConnection
    client: GattClient

    async def characteristic(self, uuid: str):  # -> CharacteristicInfo
        (service,) = await run(self.client.discover_services(UUID(SERVICE_UUID)))
        (char,) = await run(self.client.discover_characteristics(service, UUID(uuid)))
        return char


@pytest.fixture(params=["we_are_central", "we_are_peripheral"])
async def linked(request, ours: OurStack, peer: BumblePeer) -> AsyncIterator[Linked]:
    server = add_bumble_server(peer.device)
    connect = connect_to_bumble if request.param == "we_are_central" else bumble_connects_to_us
    conn, bumble_conn = await connect(ours, peer)
    yield Linked(ours, peer, server, conn, bumble_conn, ours.gatt.client(conn))


async def test_discovery_finds_bumbles_gap_gatt_and_application_services(linked: Linked):
    services = await run(linked.client.discover_services())
    assert [s.uuid for s in services] == [GAP_SERVICE, GATT_SERVICE, UUID(SERVICE_UUID)]
    app = services[2]
    chars = await run(linked.client.discover_characteristics(app))
    assert [c.uuid for c in chars] == [UUID(PLAIN_UUID), UUID(LONG_UUID), UUID(SENSOR_UUID)]
    assert chars[0].properties == OurP.READ | OurP.WRITE | OurP.WRITE_WITHOUT_RESPONSE
    assert chars[2].properties == OurP.READ | OurP.NOTIFY | OurP.INDICATE
    assert all(app.start_handle < c.value_handle <= app.end_handle for c in chars)


async def test_descriptors_of_bumbles_characteristics_are_found(linked: Linked):
    plain = await linked.characteristic(PLAIN_UUID)
    assert [d.uuid for d in await run(linked.client.discover_descriptors(plain))] == [UUID(0x2901)]
    sensor = await linked.characteristic(SENSOR_UUID)
    (cccd,) = await run(linked.client.discover_descriptors(sensor))
    assert cccd.uuid == CLIENT_CHARACTERISTIC_CONFIGURATION


async def test_read_and_read_by_uuid_of_bumbles_values(linked: Linked):
    plain = await linked.characteristic(PLAIN_UUID)
    assert await run(linked.client.read(plain.value_handle)) == b"hello"
    ((_, name),) = await run(linked.client.read_by_uuid(DEVICE_NAME))
    assert name == linked.peer.device.name.encode()


async def test_long_read_reassembles_bumbles_300_octet_value(linked: Linked):
    long = await linked.characteristic(LONG_UUID)
    assert await run(linked.client.read(long.value_handle)) == LONG_VALUE[:22]
    assert await run(linked.client.read(long.value_handle, long=True)) == LONG_VALUE


async def test_write_request_reaches_bumbles_characteristic(linked: Linked):
    plain = await linked.characteristic(PLAIN_UUID)
    await run(linked.client.write(plain.value_handle, b"new value"))
    assert await run(linked.server.writes.get()) == (PLAIN_UUID, b"new value")
    assert linked.server.plain.value == b"new value"


async def test_write_without_response_reaches_bumbles_characteristic(linked: Linked):
    plain = await linked.characteristic(PLAIN_UUID)
    await run(linked.client.write(plain.value_handle, b"cmd", response=False))
    assert await run(linked.server.writes.get()) == (PLAIN_UUID, b"cmd")


async def test_long_write_stores_a_value_longer_than_the_mtu_on_bumble(linked: Linked):
    long = await linked.characteristic(LONG_UUID)
    value = bytes(reversed(LONG_VALUE))
    await run(linked.client.write_long(long.value_handle, value))
    assert await run(linked.server.writes.get()) == (LONG_UUID, value)
    assert await run(linked.client.read(long.value_handle, long=True)) == value


async def test_reading_an_unknown_handle_gives_bumbles_invalid_handle_error(linked: Linked):
    # (Not a write to a read-only value: Bumble 0.0.236's server does not check the WRITEABLE permission.)
    with pytest.raises(AttError) as info:
        await run(linked.client.read(0x0FFF))
    assert info.value.code == ErrorCode.INVALID_HANDLE and info.value.handle == 0x0FFF


async def test_mtu_exchange_with_bumble_agrees_on_our_preferred_mtu(linked: Linked):
    assert linked.client.mtu == 23
    assert await run(linked.client.exchange_mtu()) == 256  # ours 256, Bumble's 517
    assert linked.ours.gatt.mtu(linked.conn) == 256
    long = await linked.characteristic(LONG_UUID)
    assert await run(linked.client.read(long.value_handle)) == LONG_VALUE[:255]  # ATT_MTU - 1 (Vol 3 Part F, 3.4.4.4)


async def test_notifications_arrive_after_subscribing(linked: Linked):
    sensor = await linked.characteristic(SENSOR_UUID)
    values = linked.client.values(sensor.value_handle)
    await run(linked.client.subscribe(sensor, notify=True))
    await run(linked.peer.device.notify_subscribers(linked.server.sensor, b"\x00\x50"))
    assert await run(values.get()) == (b"\x00\x50", False)


async def test_indications_arrive_after_subscribing_and_bumble_gets_our_confirmation(linked: Linked):
    sensor = await linked.characteristic(SENSOR_UUID)
    values = linked.client.values(sensor.value_handle)
    await run(linked.client.subscribe(sensor, notify=False, indicate=True))
    # indicate_subscribers returns only once our Handle Value Confirmation came back
    await run(linked.peer.device.indicate_subscribers(linked.server.sensor, b"\x00\x51"))
    assert await run(values.get()) == (b"\x00\x51", True)


async def test_bumble_sends_nothing_to_subscribers_before_we_subscribe(linked: Linked):
    sensor = await linked.characteristic(SENSOR_UUID)
    values = linked.client.values(sensor.value_handle)
    await run(linked.peer.device.notify_subscribers(linked.server.sensor, b"\x00\x01"))
    await run(linked.client.subscribe(sensor, notify=True))
    await run(linked.peer.device.notify_subscribers(linked.server.sensor, b"\x00\x02"))
    assert await run(values.get()) == (b"\x00\x02", False)


async def test_unsolicited_notification_and_indication_without_subscription_are_delivered_and_confirmed(linked: Linked):
    sensor = await linked.characteristic(SENSOR_UUID)
    values = linked.client.values(sensor.value_handle)
    await run(linked.peer.device.notify_subscriber(linked.bumble_conn, linked.server.sensor, b"\x00\x03", force=True))
    assert await run(values.get()) == (b"\x00\x03", False)
    # An indication must be confirmed whatever the CCCD says (Vol 3 Part F, 3.4.7.2)
    await run(linked.peer.device.indicate_subscriber(linked.bumble_conn, linked.server.sensor, b"\x00\x04", force=True))
    assert await run(values.get()) == (b"\x00\x04", True)


async def test_unsubscribing_stops_bumbles_notifications(linked: Linked):
    sensor = await linked.characteristic(SENSOR_UUID)
    values = linked.client.values(sensor.value_handle)
    await run(linked.client.subscribe(sensor, notify=True))
    await run(linked.client.unsubscribe(sensor))
    await run(linked.peer.device.notify_subscribers(linked.server.sensor, b"\x00\x05"))
    await run(linked.client.subscribe(sensor, notify=True))
    await run(linked.peer.device.notify_subscribers(linked.server.sensor, b"\x00\x06"))
    assert await run(values.get()) == (b"\x00\x06", False)
    assert values.empty()
    await asyncio.sleep(0)
