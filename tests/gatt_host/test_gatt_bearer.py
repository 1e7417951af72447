"""GATT server and client on two Hosts, every procedure through real HCI bytes."""

from __future__ import annotations

import asyncio

import pytest

from aioble_hci.att.errors import AttError, BearerClosedError
from aioble_hci.att.events import IndicationConfirmed, MtuChanged, SubscriptionChanged, Written
from aioble_hci.att.gatt import (
    CLIENT_CHARACTERISTIC_CONFIGURATION,
    DEVICE_NAME,
    GAP_SERVICE,
    GATT_SERVICE,
    Characteristic,
    Service,
)
from aioble_hci.att.gatt import CharacteristicProperties as P
from aioble_hci.att.pdus import ErrorCode
from aioble_hci.hci import commands as cmd
from aioble_hci.host.gatt.server import BondedClient
from aioble_hci.uuid import UUID
from tests.gatt_host.gattdb import INCLUDED, LONG_VALUE, SERVICE, SampleDb, make_db
from tests.gatt_host.pair import WAIT, Stack, connected_stacks


@pytest.fixture
async def linked(hosts) -> tuple[Stack, Stack, SampleDb]:
    central, peripheral = await connected_stacks(*hosts)
    db = make_db()
    peripheral.gatt.server.register_services(db.services, device_name="periph", appearance=0x0340)
    return central, peripheral, db


def run(coro):
    return asyncio.wait_for(coro, WAIT)


async def _characteristic(central: Stack, uuid: UUID):
    client = central.gatt.client(central.connection)
    (service,) = await run(client.discover_services(SERVICE))
    (char,) = await run(client.discover_characteristics(service, uuid))
    return client, char


async def test_discovery_finds_gap_gatt_and_application_services_in_handle_order(linked):
    central, _, db = linked
    client = central.gatt.client(central.connection)
    services = await run(client.discover_services())
    assert [s.uuid for s in services] == [GAP_SERVICE, GATT_SERVICE, SERVICE]
    main = services[2]
    assert (main.start_handle, main.end_handle) == (db.services[1].handle, db.services[1].end_handle)


async def test_discover_services_by_uuid_returns_only_that_service(linked):
    central, _, _ = linked
    client = central.gatt.client(central.connection)
    (service,) = await run(client.discover_services(GAP_SERVICE))
    assert service.uuid == GAP_SERVICE and service.start_handle == 1


async def test_included_service_is_found_with_its_range(linked):
    central, _, db = linked
    client = central.gatt.client(central.connection)
    (service,) = await run(client.discover_services(SERVICE))
    (inc,) = await run(client.find_included_services(service))
    assert (inc.uuid, inc.start_handle, inc.end_handle) == (INCLUDED, db.included.handle, db.included.end_handle)


async def test_characteristics_all_and_by_uuid_carry_properties_and_value_handles(linked):
    central, _, db = linked
    client = central.gatt.client(central.connection)
    (service,) = await run(client.discover_services(SERVICE))
    chars = await run(client.discover_characteristics(service))
    assert [c.uuid for c in chars] == [UUID(0xAA01), UUID(0xAA02), UUID(0xAA03), UUID(0xAA04), UUID(0x2A37)]
    (sensor,) = await run(client.discover_characteristics(service, UUID(0x2A37)))
    assert sensor.value_handle == db.sensor.value_handle
    assert sensor.properties == P.READ | P.NOTIFY | P.INDICATE


async def test_descriptors_of_a_characteristic_include_its_cccd_and_user_description(linked):
    central, _, db = linked
    client, plain = await _characteristic(central, UUID(0xAA01))
    descriptors = await run(client.discover_descriptors(plain))
    assert [d.uuid for d in descriptors] == [UUID(0x2901)]
    client, sensor = await _characteristic(central, UUID(0x2A37))
    (cccd,) = await run(client.discover_descriptors(sensor))
    assert (cccd.uuid, cccd.handle) == (CLIENT_CHARACTERISTIC_CONFIGURATION, db.sensor.cccd_handle)


async def test_read_returns_the_value_and_the_gap_device_name(linked):
    central, _, db = linked
    client = central.gatt.client(central.connection)
    assert await run(client.read(db.plain.value_handle)) == b"hello"
    ((_, name),) = await run(client.read_by_uuid(DEVICE_NAME))
    assert name == b"periph"


async def test_long_read_reassembles_a_value_longer_than_the_mtu(linked):
    central, _, db = linked
    client = central.gatt.client(central.connection)
    assert await run(client.read(db.long.value_handle)) == LONG_VALUE[:22]
    assert await run(client.read(db.long.value_handle, long=True)) == LONG_VALUE


async def test_read_multiple_fixed_and_variable(linked):
    central, _, db = linked
    client = central.gatt.client(central.connection)
    handles = [db.plain.value_handle, db.sensor.value_handle]
    assert await run(client.read_multiple(handles)) == b"hello\x00\x48"
    assert await run(client.read_multiple(handles, variable=True)) == [b"hello", b"\x00\x48"]


async def test_write_request_reaches_the_server_as_written_callback_and_awaitable(linked):
    central, peripheral, db = linked
    client = central.gatt.client(central.connection)
    seen: list[Written] = []
    peripheral.gatt.events.on(Written, seen.append)
    waiter = asyncio.ensure_future(peripheral.gatt.events.wait_for(Written))
    await run(client.write(db.plain.value_handle, b"new value"))
    event = await run(waiter)
    assert seen == [event]
    assert (event.connection, event.handle, event.value) == (peripheral.connection, db.plain.value_handle, b"new value")
    assert peripheral.gatt.server.read(db.plain.value_handle) == b"new value"


async def test_write_without_response_is_delivered(linked):
    central, peripheral, db = linked
    client = central.gatt.client(central.connection)
    waiter = asyncio.ensure_future(peripheral.gatt.events.wait_for(Written))
    await run(client.write(db.plain.value_handle, b"cmd", response=False))
    assert (await run(waiter)).value == b"cmd"


async def test_long_write_stores_a_value_longer_than_the_mtu(linked):
    central, peripheral, db = linked
    client = central.gatt.client(central.connection)
    value = bytes(reversed(LONG_VALUE))
    await run(client.write_long(db.long.value_handle, value))
    assert peripheral.gatt.server.read(db.long.value_handle) == value


async def test_reliable_write_updates_two_characteristics(linked):
    central, peripheral, db = linked
    client = central.gatt.client(central.connection)
    await run(client.reliable_write([(db.plain.value_handle, b"one"), (db.long.value_handle, b"two")]))
    assert peripheral.gatt.server.read(db.plain.value_handle) == b"one"
    assert peripheral.gatt.server.read(db.long.value_handle) == b"two"


async def test_reading_a_write_only_characteristic_raises_read_not_permitted(linked):
    central, _, db = linked
    client = central.gatt.client(central.connection)
    with pytest.raises(AttError) as info:
        await run(client.read(db.write_only.value_handle))
    assert info.value.code == ErrorCode.READ_NOT_PERMITTED


async def test_reading_an_unknown_handle_raises_invalid_handle(linked):
    central, _, _ = linked
    client = central.gatt.client(central.connection)
    with pytest.raises(AttError) as info:
        await run(client.read(0x0FFF))
    assert info.value.code == ErrorCode.INVALID_HANDLE and info.value.handle == 0x0FFF


async def test_encrypted_value_on_an_open_link_raises_insufficient_authentication(linked):
    central, _, db = linked
    client = central.gatt.client(central.connection)
    with pytest.raises(AttError) as info:
        await run(client.read(db.encrypted.value_handle))
    assert info.value.code == ErrorCode.INSUFFICIENT_AUTHENTICATION


async def test_encrypted_value_is_readable_once_the_smp_bearer_reports_encryption(linked):
    central, peripheral, db = linked
    peripheral.gatt.set_link_security(peripheral.connection, encrypted=True, key_size=16)
    client = central.gatt.client(central.connection)
    assert await run(client.read(db.encrypted.value_handle)) == b"secret"


async def test_requests_queue_one_at_a_time_and_all_complete_in_order(linked):
    central, _, db = linked
    client = central.gatt.client(central.connection)
    reads = [client.read(db.plain.value_handle), client.read(db.sensor.value_handle), client.read(1 + db.plain.value_handle)]
    assert await run(asyncio.gather(*reads)) == [b"hello", b"\x00\x48", b"plain"]


async def test_mtu_exchange_is_learnt_by_both_sides_with_events(linked):
    central, peripheral, _ = linked
    client = central.gatt.client(central.connection)
    assert client.mtu == 23 and peripheral.gatt.mtu(peripheral.connection) == 23
    server_side = asyncio.ensure_future(peripheral.gatt.events.wait_for(MtuChanged))
    client_side = asyncio.ensure_future(central.gatt.events.wait_for(MtuChanged))
    assert await run(client.exchange_mtu()) == 256
    assert (await run(server_side)).mtu == 256 and (await run(client_side)).mtu == 256
    assert peripheral.gatt.mtu(peripheral.connection) == 256
    assert central.gatt.bearer(central.connection).server.mtu == 256


async def test_exchange_mtu_request_is_sent_once_per_connection(linked):
    """Vol 3 Part F 3.4.2.1: a second exchange_mtu() returns the negotiated ATT_MTU and sends no
    second Exchange MTU Request (counted where the peer's bearer receives ATT PDUs)."""
    central, peripheral, _ = linked
    bearer = peripheral.gatt.bearer(peripheral.connection)
    received: list[bytes] = []
    deliver = bearer.receive
    bearer.receive = lambda pdu: (received.append(pdu), deliver(pdu))[1]  # type: ignore[method-assign]
    client = central.gatt.client(central.connection)

    first, second = await run(asyncio.gather(client.exchange_mtu(), client.exchange_mtu()))
    third = await run(client.exchange_mtu())
    await run(client.read(1))  # a round trip after the exchanges: nothing else is in flight

    assert first == second == third == 256
    assert [pdu[0] for pdu in received].count(0x02) == 1  # ATT_EXCHANGE_MTU_REQ


async def test_mtu_exchange_from_the_peripheral_updates_the_central_too(linked):
    central, peripheral, _ = linked
    await run(peripheral.gatt.client(peripheral.connection).exchange_mtu())
    assert central.gatt.mtu(central.connection) == 256
    assert peripheral.gatt.bearer(peripheral.connection).server.mtu == 256


async def test_mtu_is_the_smaller_preferred_value(hosts):
    central, peripheral = await connected_stacks(hosts[0], hosts[1], preferred_mtu=100)
    assert await run(central.gatt.client(central.connection).exchange_mtu()) == 100


async def test_subscribed_client_gets_notifications_of_updates_and_unsubscribed_does_not(linked):
    central, peripheral, db = linked
    client, sensor = await _characteristic(central, UUID(0x2A37))
    values = client.values(sensor.value_handle)
    subscribed = asyncio.ensure_future(peripheral.gatt.events.wait_for(SubscriptionChanged))
    await run(client.subscribe(sensor, notify=True))
    event = await run(subscribed)
    assert event.notify and not event.indicate and event.value_handle == db.sensor.value_handle
    peripheral.gatt.server.write(db.sensor.value_handle, b"\x00\x50", send_update=True)
    assert await run(values.get()) == (b"\x00\x50", False)
    await run(client.unsubscribe(sensor))
    peripheral.gatt.server.write(db.sensor.value_handle, b"\x00\x51", send_update=True)
    peripheral.gatt.server.notify(peripheral.connection, db.plain.value_handle, b"marker")
    marker = client.values(db.plain.value_handle)
    await run(marker.get())
    assert values.empty()


async def test_explicit_notification_arrives_without_subscription(linked):
    central, peripheral, db = linked
    client = central.gatt.client(central.connection)
    got: list[tuple[bytes, bool]] = []
    client.on_value(db.sensor.value_handle, lambda v, ind: got.append((v, ind)))
    values = client.values(db.sensor.value_handle)
    peripheral.gatt.server.notify(peripheral.connection, db.sensor.value_handle)
    assert await run(values.get()) == (b"\x00\x48", False)
    assert got == [(b"\x00\x48", False)]


async def test_indication_completes_when_the_client_confirms(linked):
    central, peripheral, db = linked
    client, sensor = await _characteristic(central, UUID(0x2A37))
    values = client.values(sensor.value_handle)
    await run(client.subscribe(sensor, notify=False, indicate=True))
    confirmed: list[IndicationConfirmed] = []
    peripheral.gatt.events.on(IndicationConfirmed, confirmed.append)
    await run(peripheral.gatt.server.indicate(peripheral.connection, db.sensor.value_handle, b"\x01\x02"))
    assert [e.handle for e in confirmed] == [db.sensor.value_handle]
    assert await run(values.get()) == (b"\x01\x02", True)


async def test_indications_to_one_peer_go_one_after_another(linked):
    central, peripheral, db = linked
    client = central.gatt.client(central.connection)
    values = client.values(db.sensor.value_handle)
    server = peripheral.gatt.server
    await run(asyncio.gather(*(server.indicate(peripheral.connection, db.sensor.value_handle, bytes([i])) for i in range(3))))
    assert [await run(values.get()) for _ in range(3)] == [(b"\x00", True), (b"\x01", True), (b"\x02", True)]


async def test_cccd_changes_reach_the_persistence_hook(linked):
    central, peripheral, db = linked
    saved: list[dict[int, int]] = []
    peripheral.gatt.server.bond_loader = lambda conn: BondedClient()  # as for a bonded peer
    peripheral.gatt.server.bond_saver = lambda conn, client: saved.append(client.cccd)
    client, sensor = await _characteristic(central, UUID(0x2A37))
    await run(client.subscribe(sensor, notify=True, indicate=True))
    await run(client.read(db.plain.value_handle))  # the write has been handled by now
    assert saved == [{db.sensor.cccd_handle: 3}]


async def test_reregistering_services_replaces_the_database(linked):
    central, peripheral, _ = linked
    extra = Service(UUID(0xBEEF), [Characteristic(UUID(0xBEE1), P.READ, value=b"v2")])
    peripheral.gatt.server.register_services([extra])
    client = central.gatt.client(central.connection)
    services = await run(client.discover_services())
    assert [s.uuid for s in services] == [GAP_SERVICE, GATT_SERVICE, UUID(0xBEEF)]
    assert await run(client.read(extra.characteristics[0].value_handle)) == b"v2"


async def test_disconnection_fails_a_queued_procedure_with_bearer_closed(linked):
    central, _, db = linked
    client = central.gatt.client(central.connection)
    pending = asyncio.ensure_future(client.read(db.long.value_handle, long=True))
    await asyncio.sleep(0)
    await central.host.send_command(cmd.Disconnect(central.connection.handle))
    with pytest.raises(BearerClosedError):
        await run(pending)
