"""Advertising on the real Host over HCI bytes, seen by scanners on the same virtual air."""

from __future__ import annotations

import asyncio

import pytest

from aioble_hci.address import Address
from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.gap.ad import AdvertisingData
from aioble_hci.gap.ad_structures import LocalName, ManufacturerData
from aioble_hci.gap.scan_results import LegacyEventType
from aioble_hci.hci.constants import StatusCode
from aioble_hci.hci.packets import PacketType
from aioble_hci.host.gap import (
    PHY_2M,
    PHY_CODED,
    AdvertisingParameters,
    GapConfig,
    ScanParameters,
    attach_gap,
)
from aioble_hci.host.host import Host
from tests.gap_host.conftest import WAIT, MakeGap
from tests.gap_host.helpers import Reports, barrier

LEGACY = GapConfig(force_legacy=True)


def commands_sent(host: Host) -> list[int]:
    """The opcode of every command the host hands its transport from now on."""
    sent: list[int] = []
    send = host.transport.send

    def recording(packet_type: PacketType, payload: bytes) -> None:
        if packet_type == PacketType.COMMAND:
            sent.append(int.from_bytes(payload[:2], "little"))
        send(packet_type, payload)

    host.transport.send = recording  # type: ignore[method-assign]
    return sent

ADV = AdvertisingData([LocalName("adv-one")]).encode()
RSP = AdvertisingData([ManufacturerData(0x05F1, b"rsp")]).encode()


async def test_controller_with_extended_advertising_gets_extended_commands_unless_forced_legacy(make_gap: MakeGap) -> None:
    extended = await make_gap()
    legacy = await make_gap(LEGACY)
    assert extended.caps.extended_advertising and extended.caps.extended_scanning and extended.caps.extended_connect
    assert not (legacy.caps.extended_advertising or legacy.caps.extended_scanning or legacy.caps.extended_connect)


@pytest.mark.parametrize("advertiser_config", [LEGACY, GapConfig()], ids=["legacy-commands", "extended-commands"])
async def test_connectable_advertising_is_reported_as_adv_ind(make_gap: MakeGap, advertiser_config: GapConfig) -> None:
    adv, scanner = await make_gap(advertiser_config), await make_gap(LEGACY)
    reports = Reports(scanner)
    await adv.advertise(ADV)
    await scanner.start_scan()
    (report,) = (await reports.wait_for(reports.from_(adv)))[:1]
    assert report.legacy_event_type == LegacyEventType.ADV_IND
    assert report.data == ADV and report.address == adv.address


@pytest.mark.parametrize("advertiser_config", [LEGACY, GapConfig()], ids=["legacy-commands", "extended-commands"])
async def test_scannable_advertising_gives_scan_response_to_active_scanner(make_gap: MakeGap, advertiser_config: GapConfig) -> None:
    adv, scanner = await make_gap(advertiser_config), await make_gap(LEGACY)
    reports = Reports(scanner)
    await adv.advertise(ADV, RSP, AdvertisingParameters(connectable=False))
    session = await scanner.scan(ScanParameters(active=True))
    rsp = await reports.wait_for(lambda r: r.legacy_event_type == LegacyEventType.SCAN_RSP)
    assert rsp[0].data == RSP
    assert reports.matching(lambda r: r.legacy_event_type == LegacyEventType.ADV_SCAN_IND)[0].data == ADV
    async with session:
        async for entry in session:
            if entry.scan_response is not None and entry.adv_data is not None:
                break
    assert entry.name == "adv-one" and entry.manufacturer_data == {0x05F1: b"rsp"}
    assert not scanner.scanner.scanning  # leaving the session stopped the scan


async def test_passive_scanner_gets_no_scan_response(make_gap: MakeGap) -> None:
    adv, scanner = await make_gap(LEGACY), await make_gap(LEGACY)
    reports = Reports(scanner)
    await adv.advertise(ADV, RSP)
    await scanner.start_scan(ScanParameters(active=False))
    await reports.wait_for(lambda r: r.legacy_event_type == LegacyEventType.ADV_IND)
    await barrier(scanner)
    assert not reports.matching(lambda r: r.scan_response)


async def test_non_connectable_advertising_is_reported_as_adv_nonconn_ind(make_gap: MakeGap) -> None:
    adv, scanner = await make_gap(LEGACY), await make_gap(LEGACY)
    reports = Reports(scanner)
    await adv.advertise(ADV, params=AdvertisingParameters(connectable=False))
    await scanner.start_scan()
    report = (await reports.wait_for(reports.from_(adv)))[0]
    assert report.legacy_event_type == LegacyEventType.ADV_NONCONN_IND


@pytest.mark.parametrize("advertiser_config", [LEGACY, GapConfig()], ids=["legacy-commands", "extended-commands"])
async def test_directed_advertising_reaches_only_its_target(make_gap: MakeGap, advertiser_config: GapConfig) -> None:
    adv, target, other = await make_gap(advertiser_config), await make_gap(LEGACY), await make_gap(LEGACY)
    target_reports, other_reports = Reports(target), Reports(other)
    await other.start_scan()
    await adv.advertise(params=AdvertisingParameters(directed_to=target.address))
    await target.start_scan()
    report = (await target_reports.wait_for(target_reports.from_(adv)))[0]
    assert report.legacy_event_type == LegacyEventType.ADV_DIRECT_IND and report.directed
    await barrier(other)
    assert not other_reports.matching(other_reports.from_(adv))


async def test_long_extended_data_is_fragmented_and_reassembled(make_gap: MakeGap) -> None:
    adv, scanner = await make_gap(), await make_gap()
    reports = Reports(scanner)
    data = AdvertisingData([ManufacturerData(0xFFFF, bytes(range(200))), ManufacturerData(0xFFFE, bytes(200)),
                            LocalName("long")]).encode()  # 418 bytes: two HCI fragments
    aset = await adv.advertise(data, params=AdvertisingParameters(connectable=False))
    assert not aset.legacy_pdus
    await scanner.start_scan()
    report = (await reports.wait_for(reports.from_(adv)))[0]
    assert report.data == data and not report.legacy
    assert report.legacy_event_type == LegacyEventType.ADV_NONCONN_IND


async def test_extended_scannable_set_long_scan_response_merged_for_active_scanner(make_gap: MakeGap) -> None:
    adv, scanner = await make_gap(), await make_gap()
    rsp = AdvertisingData([LocalName("x" * 40), ManufacturerData(0x0001, bytes(200)), ManufacturerData(0x0002, bytes(100))]).encode()
    await adv.advertise(b"", rsp, AdvertisingParameters(connectable=False, legacy=False))
    async with await scanner.scan(ScanParameters(active=True)) as session:
        async for entry in session:
            if entry.scan_response is not None:
                break
    assert entry.scan_response == rsp and not entry.adv_data and entry.name == "x" * 40


async def test_non_connectable_extended_set_with_scan_response_is_given_no_advertising_data(make_gap: MakeGap) -> None:
    """Vol 4 Part E 7.8.54 (suspected defect, issue 14): a non-connectable extended set with a scan
    response is scannable, and a scannable extended set carries no advertising data (Vol 6 Part B
    2.3.4). The host says so in one line, before any command, instead of handing the controller
    data it must refuse with 0x12."""
    adv = await make_gap()
    sent = commands_sent(adv.host)
    with pytest.raises(ValueError, match="no advertising data.*scan response"):
        await adv.advertise(ADV, RSP, AdvertisingParameters(connectable=False, legacy=False))
    assert not [op for op in sent if op in (0x2036, 0x2037, 0x2038, 0x2039)]
    with pytest.raises(ValueError, match="needs scan response data"):
        await adv.advertise(b"", b"", AdvertisingParameters(connectable=False, scannable=True, legacy=False))


async def test_scannable_extended_set_on_a_handle_that_held_advertising_data_starts(make_gap: MakeGap) -> None:
    """Vol 4 Part E 7.8.53: new properties without advertising data are refused (0x12) while the set
    still holds data, so the host removes the old set (7.8.59) before reusing its handle; the new
    set sends no LE Set Extended Advertising Data at all."""
    adv, scanner = await make_gap(), await make_gap()
    first = await adv.advertise(ADV, params=AdvertisingParameters(connectable=False, legacy=False), handle=0)
    await first.stop()
    sent = commands_sent(adv.host)
    second = await adv.advertise(b"", RSP, AdvertisingParameters(connectable=False, legacy=False), handle=0)
    assert second.active and 0x2037 not in sent and 0x203C in sent  # no data; LE Remove Advertising Set
    async with await scanner.scan(ScanParameters(active=True)) as session:
        async for entry in session:
            if entry.address == adv.address and entry.scan_response is not None:
                break
    assert entry.scan_response == RSP and not entry.adv_data


async def test_several_extended_sets_advertise_at_once(make_gap: MakeGap) -> None:
    adv, scanner = await make_gap(), await make_gap()
    reports = Reports(scanner)
    first = await adv.advertise(AdvertisingData([LocalName("one")]).encode(), params=AdvertisingParameters(sid=1))
    second = await adv.advertise(AdvertisingData([LocalName("two")]).encode() + bytes(40),
                                 params=AdvertisingParameters(connectable=False, sid=2))
    assert first.handle != second.handle and first.active and second.active
    await scanner.start_scan()
    await reports.wait_for(lambda r: AdvertisingData.decode(r.data).name == "one")
    two = await reports.wait_for(lambda r: AdvertisingData.decode(r.data).name == "two")
    assert two[0].sid == 2 and not two[0].legacy


async def test_extended_set_on_le_2m_secondary_phy(make_gap: MakeGap) -> None:
    adv, scanner = await make_gap(), await make_gap()
    reports = Reports(scanner)
    await adv.advertise(ADV, params=AdvertisingParameters(connectable=False, secondary_phy=PHY_2M))
    await scanner.start_scan()
    report = (await reports.wait_for(reports.from_(adv)))[0]
    assert report.secondary_phy == PHY_2M and not report.legacy


async def test_coded_phy_refused_when_the_controller_lacks_it(make_gap: MakeGap) -> None:
    adv = await make_gap()
    with pytest.raises(ValueError, match="LE Coded"):
        await adv.advertise(ADV, params=AdvertisingParameters(primary_phy=PHY_CODED, secondary_phy=PHY_CODED))


async def test_forced_legacy_refuses_data_longer_than_31_bytes(make_gap: MakeGap) -> None:
    adv = await make_gap(LEGACY)
    with pytest.raises(ValueError, match="at most 31"):
        await adv.advertise(bytes(40))


@pytest.mark.parametrize("advertiser_config", [LEGACY, GapConfig()], ids=["host-timer", "controller-duration"])
async def test_advertising_duration_ends_with_advertising_timeout(make_gap: MakeGap, advertiser_config: GapConfig) -> None:
    adv = await make_gap(advertiser_config)
    aset = await adv.advertise(ADV, params=AdvertisingParameters(duration=0.01))
    assert await aset.wait_stopped(WAIT) == StatusCode.ADVERTISING_TIMEOUT
    assert not aset.active


async def test_extended_max_events_ends_with_limit_reached(make_gap: MakeGap) -> None:
    adv = await make_gap()
    aset = await adv.advertise(ADV, params=AdvertisingParameters(max_events=2))
    assert await aset.wait_stopped(WAIT) == StatusCode.LIMIT_REACHED


async def test_stopped_set_is_no_longer_heard(make_gap: MakeGap) -> None:
    adv, scanner = await make_gap(LEGACY), await make_gap(LEGACY)
    aset = await adv.advertise(ADV)
    await aset.stop()
    assert not aset.active and await aset.wait_stopped(WAIT) is None
    reports = Reports(scanner)
    await scanner.start_scan()
    await barrier(scanner)
    assert not reports.matching(reports.from_(adv))


async def test_high_duty_cycle_directed_advertising_ends_with_advertising_timeout_and_no_connection() -> None:
    # Vol 6 Part B 4.4.2.4.3 (at most 1.28 s) and Vol 4 Part E 7.8.9 (Connection Complete 0x3C), on an
    # air whose controller timers run x0.01 so the 1.28 s pass in 12.8 ms.
    air = Air(loop=asyncio.get_running_loop(), fast=True, time_scale=0.01)
    host = Host(VirtualTransport(air=air))
    await host.start()
    try:
        adv = await attach_gap(host, LEGACY)
        target = Address.parse("c0:ff:ee:00:00:02/random")
        aset = await adv.advertise(params=AdvertisingParameters(directed_to=target, high_duty_cycle=True))
        assert await aset.wait_stopped(WAIT) == StatusCode.ADVERTISING_TIMEOUT
        assert not aset.active and aset.connection is None and host.connections == {}
        with pytest.raises(ConnectionError, match="ADVERTISING_TIMEOUT"):
            await aset.wait_connection(WAIT)
        adv.close()
    finally:
        await host.close()
