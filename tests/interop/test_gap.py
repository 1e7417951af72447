"""GAP against Bumble: scanning each other's advertising, connecting and disconnecting in both roles."""

from __future__ import annotations

import asyncio

from bumble.core import AdvertisingData as BumbleAd
from bumble.device import Advertisement, Device
from bumble.hci import HCI_REMOTE_USER_TERMINATED_CONNECTION_ERROR
from bumble.hci import Role as BumbleRole

from aioble_hci.gap.ad import AdvertisingData, build_advertising_data
from aioble_hci.gap.scan_results import AdvertisingReport
from aioble_hci.hci.constants import StatusCode
from aioble_hci.host.connection import Role
from aioble_hci.uuid import UUID
from tests.interop.bumble_link import BumblePeer, our_address
from tests.interop.helpers import (
    BUMBLE_ADVERTISING_MS,
    FAST_ADVERTISING,
    WAIT,
    bumble_connects_to_us,
    connect_to_bumble,
    next_event,
    run,
)
from tests.interop.stack import OurStack

BUMBLE_AD = bytes(BumbleAd([
    (BumbleAd.FLAGS, bytes([0x06])),
    (BumbleAd.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS, bytes.fromhex("0d18")),
    (BumbleAd.COMPLETE_LOCAL_NAME, b"bumble-hr"),
    (BumbleAd.MANUFACTURER_SPECIFIC_DATA, bytes.fromhex("ffff") + b"\x01\x02"),
]))


async def _first_report(ours: OurStack, peer: BumblePeer) -> AdvertisingReport:
    found: asyncio.Future[AdvertisingReport] = asyncio.get_running_loop().create_future()

    def check(report: AdvertisingReport) -> None:
        if report.address == peer.address and not report.scan_response and not found.done():
            found.set_result(report)

    unsubscribe = ours.gap.on_scan_report(check)
    await ours.gap.start_scan()
    try:
        return await run(found)
    finally:
        unsubscribe()
        await ours.gap.stop_scan()


async def test_our_scanner_finds_the_bumble_advertiser_and_parses_its_data(ours: OurStack, peer: BumblePeer):
    await peer.device.start_advertising(advertising_data=BUMBLE_AD, advertising_interval_min=BUMBLE_ADVERTISING_MS)
    report = await _first_report(ours, peer)
    ad = AdvertisingData.decode(report.data)
    assert report.connectable
    assert ad.name == "bumble-hr"
    assert ad.services == [UUID(0x180D)]
    assert ad.manufacturer_data == {0xFFFF: b"\x01\x02"}
    assert ad.flags is not None and int(ad.flags) == 0x06


async def test_our_scanner_takes_bumbles_extended_reports_for_a_legacy_advertiser(ours_on_bumble: OurStack,
                                                                                  peer_on_bumble: BumblePeer):
    # Bumble's controller sets the LE Extended Advertising feature bit, so it answers a legacy scan
    # with LE Extended Advertising Reports, and without the Legacy bit for an ADV_IND (Vol 4 Part E,
    # 7.7.65.13 wants event type 0b0010011): our GAP takes them all the same.
    ours, peer = ours_on_bumble, peer_on_bumble
    await peer.device.start_advertising(advertising_data=BUMBLE_AD, advertising_interval_min=BUMBLE_ADVERTISING_MS)
    assert not ours.gap.caps.extended_scanning
    report = await _first_report(ours, peer)
    assert report.address == peer.address and report.data == BUMBLE_AD
    assert not report.legacy


async def test_bumble_scanner_finds_our_advertiser_and_parses_our_data(ours: OurStack, peer: BumblePeer):
    data = build_advertising_data(name="aioble-hci", services=[UUID(0x181A)], manufacturer=[(0xFFFF, b"hi")])
    await ours.gap.advertise(data.encode(), params=FAST_ADVERTISING)
    found: asyncio.Future[Advertisement] = asyncio.get_running_loop().create_future()
    address = ours.gap.address
    assert address is not None

    def check(advertisement: Advertisement) -> None:
        if our_address(advertisement.address) == address and not found.done():
            found.set_result(advertisement)

    peer.device.on(Device.EVENT_ADVERTISEMENT, check)
    await peer.device.start_scanning(active=False)
    advertisement = await run(found)
    ad = advertisement.data
    assert ad.get(BumbleAd.COMPLETE_LOCAL_NAME) == "aioble-hci"
    uuids = ad.get(BumbleAd.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS)
    assert uuids is not None and [bytes(u) for u in uuids] == [UUID(0x181A).to_le_bytes()]
    assert ad.get(BumbleAd.MANUFACTURER_SPECIFIC_DATA) == (0xFFFF, b"hi")
    assert advertisement.is_connectable


async def test_we_connect_as_central_to_a_bumble_peripheral(ours: OurStack, peer: BumblePeer):
    conn, bumble_conn = await connect_to_bumble(ours, peer)
    assert conn.role is Role.CENTRAL and conn.peer_address == peer.address
    assert bumble_conn.role == BumbleRole.PERIPHERAL
    assert our_address(bumble_conn.peer_address) == ours.gap.address


async def test_bumble_connects_as_central_to_our_peripheral(ours: OurStack, peer: BumblePeer):
    conn, bumble_conn = await bumble_connects_to_us(ours, peer)
    assert conn.role is Role.PERIPHERAL and conn.peer_address == peer.address
    assert bumble_conn.role == BumbleRole.CENTRAL
    assert our_address(bumble_conn.peer_address) == ours.gap.address


async def test_we_disconnect_a_bumble_peripheral_and_both_sides_see_the_reason(ours: OurStack, peer: BumblePeer):
    conn, bumble_conn = await connect_to_bumble(ours, peer)
    seen_by_bumble = next_event(bumble_conn, "disconnection")
    reason = await ours.gap.disconnect(conn, timeout=WAIT)
    assert await run(seen_by_bumble) == HCI_REMOTE_USER_TERMINATED_CONNECTION_ERROR
    # Controllers report Connection Terminated By Local Host (Vol 1 Part F, 2.22) to the side that
    # asked; Bumble echoes the reason we sent instead. Either way our GAP hands over what it got.
    assert reason in (StatusCode.CONNECTION_TERMINATED_BY_LOCAL_HOST, StatusCode.REMOTE_USER_TERMINATED_CONNECTION)
    assert not ours.host.connections


async def test_bumble_disconnects_our_peripheral_and_we_see_remote_user_terminated(ours: OurStack, peer: BumblePeer):
    conn, bumble_conn = await bumble_connects_to_us(ours, peer)
    await bumble_conn.disconnect()
    assert await ours.gap.wait_for_disconnection(conn, WAIT) == StatusCode.REMOTE_USER_TERMINATED_CONNECTION
    assert not ours.host.connections


async def test_bumble_disconnects_while_we_are_central_and_we_forget_the_link(ours: OurStack, peer: BumblePeer):
    conn, bumble_conn = await connect_to_bumble(ours, peer)
    await bumble_conn.disconnect()
    assert await ours.gap.wait_for_disconnection(conn, WAIT) == StatusCode.REMOTE_USER_TERMINATED_CONNECTION
    assert not conn.connected


async def test_we_reconnect_after_a_disconnection(ours: OurStack, peer: BumblePeer):
    conn, _ = await connect_to_bumble(ours, peer)
    await ours.gap.disconnect(conn, timeout=WAIT)
    again, _ = await connect_to_bumble(ours, peer)
    assert again.connected and again.peer_address == peer.address
