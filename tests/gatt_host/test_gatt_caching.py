"""GATT caching on a live connection between two Hosts (Vol 3 Part G 2.5.2, 2.5.2.1, 7.1): a change
of the server's database is indicated with Service Changed, subscriptions to characteristics that
still exist survive it, and a client that enabled Robust Caching is change-unaware until it
confirms the indication or reads the Database Hash."""

from __future__ import annotations

import asyncio

import pytest

from aioble_hci.att.errors import AttError
from aioble_hci.att.gatt import (
    DATABASE_HASH,
    SERVICE_CHANGED,
    Characteristic,
    Service,
    gatt_service,
)
from aioble_hci.att.gatt import CharacteristicProperties as P
from aioble_hci.att.pdus import ErrorCode
from aioble_hci.host.gatt.client import GattClient
from aioble_hci.uuid import UUID
from tests.gatt_host.pair import WAIT, Stack, connected_stacks

KEPT = UUID(0xC100)
ADDED = UUID(0xC200)


def run(coro):
    return asyncio.wait_for(coro, WAIT)


def first_service() -> Service:
    return Service(KEPT, [Characteristic(UUID(0xC101), P.READ | P.NOTIFY | P.INDICATE, value=b"k")])


def added_service() -> Service:
    return Service(ADDED, [Characteristic(UUID(0xC201), P.READ | P.NOTIFY, value=b"a")])


def caching_gatt() -> Service:
    return gatt_service(database_hash=True, client_supported_features=True)


async def service_changed_handle(client: GattClient) -> tuple[int, int]:
    """(value handle, CCCD handle) of the server's Service Changed characteristic."""
    for service in await run(client.discover_services()):
        for char in await run(client.discover_characteristics(service)):
            if char.uuid == SERVICE_CHANGED:
                return char.value_handle, await run(client.find_cccd(char))
    raise AssertionError("no Service Changed characteristic")


async def subscribe_to_service_changed(client: GattClient) -> asyncio.Queue[tuple[bytes, bool]]:
    value_handle, cccd = await service_changed_handle(client)
    values = client.values(value_handle)
    await run(client.write(cccd, b"\x02\x00"))
    return values


@pytest.fixture
async def linked(hosts) -> tuple[Stack, Stack, GattClient]:
    central, peripheral = await connected_stacks(*hosts)
    peripheral.gatt.server.register_services([first_service()], gatt=caching_gatt())
    return central, peripheral, central.gatt.client(central.connection)


async def test_service_changed_indicated_to_subscribed_client_on_database_change(linked) -> None:
    """Vol 3 Part G 7.1: the client that enabled Service Changed indications gets the range of
    handles affected by the change, here the added service (the unchanged one is outside it)."""
    _, peripheral, client = linked
    values = await subscribe_to_service_changed(client)
    kept, added = first_service(), added_service()

    peripheral.gatt.server.register_services([kept, added], gatt=caching_gatt())

    value, indication = await run(values.get())
    start, end = int.from_bytes(value[:2], "little"), int.from_bytes(value[2:], "little")
    assert indication and start == added.handle and end == added.end_handle
    assert (await run(client.discover_services(ADDED)))[0].start_handle == added.handle


async def test_service_changed_is_not_indicated_when_the_layout_is_the_same(linked) -> None:
    """Vol 3 Part G 7.1: a change of characteristic values is not a change of the service."""
    _, peripheral, client = linked
    values = await subscribe_to_service_changed(client)
    changed = first_service()
    changed.characteristics[0].value = b"another value"

    peripheral.gatt.server.register_services([changed], gatt=caching_gatt())
    await run(client.read(1))  # a round trip: an indication would have arrived first

    assert values.empty()


async def test_client_without_service_changed_subscription_gets_no_indication(linked) -> None:
    _, peripheral, client = linked
    value_handle, _ = await service_changed_handle(client)
    values = client.values(value_handle)

    peripheral.gatt.server.register_services([first_service(), added_service()], gatt=caching_gatt())
    await run(client.read(1))

    assert values.empty()


async def test_subscription_to_a_characteristic_that_still_exists_survives_a_database_change(linked) -> None:
    """Vol 3 Part G 2.5.2: the server's change keeps what the client configured where the
    characteristic is unchanged; a characteristic that went away loses its subscription."""
    _, peripheral, client = linked
    kept = first_service()
    added = added_service()
    peripheral.gatt.server.register_services([kept, added], gatt=caching_gatt())
    await run(client.write(kept.characteristics[0].cccd_handle, b"\x01\x00"))
    await run(client.write(added.characteristics[0].cccd_handle, b"\x01\x00"))
    server = peripheral.gatt.server

    kept_again = first_service()
    server.register_services([kept_again], gatt=caching_gatt())

    assert server.subscription(peripheral.connection, kept_again.characteristics[0].value_handle) == 0x01
    assert server.cccd_values(peripheral.connection) == {kept_again.characteristics[0].cccd_handle: 0x01}
    values = client.values(kept_again.characteristics[0].value_handle)
    server.write(kept_again.characteristics[0].value_handle, b"still here", send_update=True)
    assert await run(values.get()) == (b"still here", False)


async def enable_robust_caching(client: GattClient) -> None:
    ((csf, _),) = await run(client.read_by_uuid(UUID(0x2B29)))
    await run(client.write(csf, b"\x01"))


async def test_change_unaware_client_gets_database_out_of_sync_once_then_is_served(linked) -> None:
    """Vol 3 Part G 2.5.2.1: after a change, the first request of a client that enabled Robust
    Caching gets Database Out Of Sync (0x12); after that error the next request is served."""
    _, peripheral, client = linked
    await enable_robust_caching(client)
    kept = first_service()
    peripheral.gatt.server.register_services([kept, added_service()], gatt=caching_gatt())

    with pytest.raises(AttError) as error:
        await run(client.read(kept.characteristics[0].value_handle))
    assert error.value.code == ErrorCode.DATABASE_OUT_OF_SYNC

    assert await run(client.read(kept.characteristics[0].value_handle)) == b"k"


async def test_reading_the_database_hash_makes_a_change_unaware_client_change_aware(linked) -> None:
    """Vol 3 Part G 2.5.2.1: the Database Hash read is answered, and the client is change-aware."""
    _, peripheral, client = linked
    await enable_robust_caching(client)
    kept = first_service()
    peripheral.gatt.server.register_services([kept, added_service()], gatt=caching_gatt())

    ((_, value),) = await run(client.read_by_uuid(DATABASE_HASH))

    assert value == peripheral.gatt.server.database_hash
    assert await run(client.read(kept.characteristics[0].value_handle)) == b"k"


async def test_confirming_service_changed_makes_a_change_unaware_client_change_aware(linked) -> None:
    """Vol 3 Part G 2.5.2.1: the client's confirmation of the Service Changed indication makes it
    change-aware: its next request is served, with no Database Out Of Sync first."""
    _, peripheral, client = linked
    await enable_robust_caching(client)
    values = await subscribe_to_service_changed(client)
    kept = first_service()

    peripheral.gatt.server.register_services([kept, added_service()], gatt=caching_gatt())
    await run(values.get())  # our client queues the confirmation before handing on the value

    assert await run(client.read(kept.characteristics[0].value_handle)) == b"k"
