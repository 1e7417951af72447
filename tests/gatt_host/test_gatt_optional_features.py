"""Optional GATT features between two Hosts through real HCI bytes: Database Hash read by UUID
(Vol 3 Part G 7.3), Client Supported Features, Multiple Handle Value Notifications (Vol 3 Part F
3.4.7.4) and Read Multiple Variable Length (Vol 3 Part G 4.8.5)."""

from __future__ import annotations

import asyncio

import pytest

from aioble_hci.att.gatt import (
    CLIENT_SUPPORTED_FEATURES,
    DATABASE_HASH,
    Characteristic,
    Service,
    gap_service,
)
from aioble_hci.att.gatt import CharacteristicProperties as P
from aioble_hci.att.gatt import gatt_service as make_gatt_service
from aioble_hci.att.hash import database_hash
from aioble_hci.uuid import UUID
from tests.att.test_database_hash_vector import SPEC_HASH_ON_AIR, spec_example_services
from tests.gatt_host.pair import WAIT, Stack, connected_stacks

SERVICE = UUID(0xCC00)


def run(coro):
    return asyncio.wait_for(coro, WAIT)


@pytest.fixture
async def linked(hosts) -> tuple[Stack, Stack, list[Characteristic]]:
    central, peripheral = await connected_stacks(*hosts)
    chars = [Characteristic(UUID(0xCC01 + i), P.READ | P.NOTIFY, value=bytes([i]) * 3) for i in range(3)]
    peripheral.gatt.server.register_services(
        [Service(SERVICE, chars)], gatt=make_gatt_service(database_hash=True, client_supported_features=True))
    return central, peripheral, chars


async def enable_multiple_notifications(central: Stack) -> None:
    client = central.gatt.client(central.connection)
    ((handle, value),) = await run(client.read_by_uuid(CLIENT_SUPPORTED_FEATURES))
    assert value == b"\x00"
    await run(client.write(handle, b"\x04"))  # bit 2: Multiple Handle Value Notifications


async def test_spec_example_database_hash_is_read_over_the_air(hosts) -> None:
    central, peripheral = await connected_stacks(*hosts)
    gap, gatt, *services = spec_example_services()
    peripheral.gatt.server.register_services(services, gap=gap, gatt=gatt)
    client = central.gatt.client(central.connection)

    ((handle, value),) = await run(client.read_by_uuid(DATABASE_HASH))

    assert handle == 0x000D and value == SPEC_HASH_ON_AIR  # 90 A9 ... CA F1 (Vol 3 Part F 3.3.1)


async def test_database_hash_read_by_the_client_follows_a_new_registration(linked) -> None:
    central, peripheral, _ = linked
    client = central.gatt.client(central.connection)
    ((_, before),) = await run(client.read_by_uuid(DATABASE_HASH))
    assert before == database_hash(peripheral.gatt.server.database)

    peripheral.gatt.server.register_services(
        [Service(SERVICE, [Characteristic(UUID(0xCC09), P.READ)])],
        gap=gap_service("renamed"), gatt=make_gatt_service(database_hash=True, client_supported_features=True))

    ((_, after),) = await run(client.read_by_uuid(DATABASE_HASH))
    assert after == database_hash(peripheral.gatt.server.database) != before


async def test_multiple_handle_value_notification_reaches_each_characteristic(linked) -> None:
    central, peripheral, chars = linked
    await enable_multiple_notifications(central)
    client = central.gatt.client(central.connection)
    queues = [client.values(ch.value_handle) for ch in chars]

    sent = peripheral.gatt.server.notify_multiple(
        peripheral.connection, [(chars[0].value_handle, b"one"), (chars[1].value_handle, None),
                                (chars[2].value_handle, b"3")])

    assert sent == 3
    received = [await run(queue.get()) for queue in queues]
    assert received == [(b"one", False), (b"\x01\x01\x01", False), (b"3", False)]


async def test_multiple_handle_value_notification_sends_only_what_fits_the_mtu(linked) -> None:
    central, peripheral, chars = linked
    await enable_multiple_notifications(central)
    client = central.gatt.client(central.connection)
    first, second = client.values(chars[0].value_handle), client.values(chars[1].value_handle)

    sent = peripheral.gatt.server.notify_multiple(  # ATT_MTU 23: 1 + (4 + 10) fits, a second pair does not
        peripheral.connection, [(chars[0].value_handle, b"a" * 10), (chars[1].value_handle, b"b" * 10)])

    assert sent == 1
    assert await run(first.get()) == (b"a" * 10, False)
    assert second.empty()


async def test_multiple_handle_value_notification_needs_the_clients_feature_bit(linked) -> None:
    _, peripheral, chars = linked
    with pytest.raises(ValueError, match="Client Supported Features bit 2"):
        peripheral.gatt.server.notify_multiple(peripheral.connection, [(chars[0].value_handle, b"x"),
                                                                      (chars[1].value_handle, b"y")])


async def test_read_multiple_variable_returns_each_value_whole(linked) -> None:
    central, _, chars = linked
    client = central.gatt.client(central.connection)
    values = await run(client.read_multiple([ch.value_handle for ch in chars], variable=True))
    assert [bytes(v) for v in values] == [b"\x00" * 3, b"\x01" * 3, b"\x02" * 3]
