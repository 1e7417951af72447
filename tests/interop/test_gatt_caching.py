"""GATT caching between Bumble's client and our server (Vol 3 Part G 2.5.2, 7.1, 7.3): the
Database Hash bytes Bumble reads, and the Service Changed indication Bumble gets when our
database changes."""

from __future__ import annotations

import asyncio

from bumble.core import UUID as BumbleUUID
from bumble.device import Peer
from bumble.gatt import GATT_GENERIC_ATTRIBUTE_SERVICE

from aioble_hci.att.gatt import Characteristic, Service
from aioble_hci.att.gatt import CharacteristicProperties as P
from aioble_hci.uuid import UUID
from tests.att.test_database_hash_vector import SPEC_HASH_ON_AIR, spec_example_services
from tests.interop.bumble_link import BumblePeer
from tests.interop.helpers import bumble_connects_to_us, run
from tests.interop.stack import OurStack

DATABASE_HASH = BumbleUUID("2B2A")
SERVICE_CHANGED = BumbleUUID("2A05")


async def test_bumble_reads_the_spec_example_database_hash_least_significant_octet_first(
    ours: OurStack, peer: BumblePeer
) -> None:
    """Vol 3 Part F 3.3.1 and Part G 7.3: Bumble's client reads 90 A9 FB B9 ... 2D CA F1 for the
    specification's example database (Appendix B), the value Bumble's own server would send."""
    gap, gatt, *services = spec_example_services()
    ours.gatt.server.register_services(services, gap=gap, gatt=gatt)
    _, bumble_conn = await bumble_connects_to_us(ours, peer)
    peer_client = Peer(bumble_conn)

    values = await run(peer_client.read_characteristics_by_uuid(DATABASE_HASH))

    assert values == [SPEC_HASH_ON_AIR]


async def test_bumble_gets_our_service_changed_indication_when_our_database_changes(
    ours: OurStack, peer: BumblePeer
) -> None:
    """Vol 3 Part G 7.1: a client that enabled Service Changed indications gets the affected
    handle range when the server's database changes; Bumble confirms it."""
    first = Service(UUID(0xEE00), [Characteristic(UUID(0xEE01), P.READ)])
    ours.gatt.server.register_services([first])
    _, bumble_conn = await bumble_connects_to_us(ours, peer)
    peer_client = Peer(bumble_conn)
    await run(peer_client.discover_services([GATT_GENERIC_ATTRIBUTE_SERVICE]))
    (gatt_service,) = peer_client.get_services_by_uuid(GATT_GENERIC_ATTRIBUTE_SERVICE)
    (service_changed,) = await run(gatt_service.discover_characteristics([SERVICE_CHANGED]))
    received: asyncio.Queue[bytes] = asyncio.Queue()
    await run(service_changed.subscribe(received.put_nowait, prefer_notify=False))

    added = Service(UUID(0xEF00), [Characteristic(UUID(0xEF01), P.READ | P.NOTIFY)])
    ours.gatt.server.register_services([first, added])

    value = await run(received.get())
    start, end = int.from_bytes(value[:2], "little"), int.from_bytes(value[2:], "little")
    assert start <= added.handle and end >= added.end_handle
    assert start > first.end_handle  # the unchanged service is outside the range
