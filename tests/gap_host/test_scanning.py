"""Scanning on the real Host: durations, scan-done, duplicate filtering, raw report fields."""

from __future__ import annotations

import asyncio

import pytest

from aioble_hci.address import Address
from aioble_hci.gap.ad import AdvertisingData
from aioble_hci.gap.ad_structures import LocalName
from aioble_hci.gap.scan_results import LegacyEventType
from aioble_hci.hci import events as ev
from aioble_hci.host.gap import AdvertisingParameters, GapConfig, ScanParameters
from tests.gap_host.conftest import WAIT, MakeGap
from tests.gap_host.helpers import Reports, barrier

LEGACY = GapConfig(force_legacy=True)
ADV = AdvertisingData([LocalName("scan-me")]).encode()
FAST = AdvertisingParameters(interval_min=0x20)  # 20 ms, the shortest


@pytest.mark.parametrize("config", [LEGACY, GapConfig()], ids=["host-timer", "le-scan-timeout"])
async def test_scan_duration_ends_the_scan_and_calls_scan_done(make_gap: MakeGap, config: GapConfig) -> None:
    scanner = await make_gap(config)
    done = asyncio.Event()
    scanner.on_scan_done(done.set)
    await scanner.start_scan(ScanParameters(duration=0.01))
    assert scanner.scanner.scanning
    await asyncio.wait_for(done.wait(), WAIT)
    assert not scanner.scanner.scanning


async def test_stopping_a_scan_calls_scan_done_once(make_gap: MakeGap) -> None:
    scanner = await make_gap()
    calls: list[None] = []
    scanner.on_scan_done(lambda: calls.append(None))
    await scanner.start_scan()
    await scanner.stop_scan()
    await scanner.stop_scan()
    assert calls == [None]


@pytest.mark.parametrize("config", [LEGACY, GapConfig()], ids=["legacy-commands", "extended-commands"])
async def test_duplicate_filtering_reports_an_advertiser_once(make_gap: MakeGap, config: GapConfig) -> None:
    adv, filtered, unfiltered = await make_gap(LEGACY), await make_gap(config), await make_gap(config)
    await adv.advertise(ADV, params=FAST)
    once, every = Reports(filtered), Reports(unfiltered)
    await filtered.start_scan(ScanParameters(filter_duplicates=True))
    await unfiltered.start_scan(ScanParameters(filter_duplicates=False))
    await every.wait_for(every.from_(adv), count=4)  # the air has carried at least four advertising events
    await barrier(filtered)
    assert len(once.matching(once.from_(adv))) == 1


async def test_raw_report_carries_address_type_rssi_and_data(make_gap: MakeGap) -> None:
    adv, scanner = await make_gap(LEGACY), await make_gap()
    reports = Reports(scanner)
    await adv.advertise(ADV)
    await scanner.start_scan()
    report = (await reports.wait_for(reports.from_(adv)))[0]
    assert adv.address is not None
    assert report.address.type == adv.address.type and report.address.value == adv.address.value
    assert report.legacy and report.legacy_event_type == LegacyEventType.ADV_IND
    assert report.rssi == -50 and report.data == ADV


async def test_scan_window_larger_than_interval_is_refused(make_gap: MakeGap) -> None:
    scanner = await make_gap()
    with pytest.raises(ValueError, match="window"):
        await scanner.start_scan(ScanParameters(interval=16, window=32))


ADVERTISER = Address.parse("c0:00:00:00:0e:01/random")


def _extended_report(data: bytes, more: bool) -> ev.LeExtendedAdvertisingReport:
    """One LE Extended Advertising Report from ADVERTISER, set 3, "more to come" or complete."""
    advertiser = ADVERTISER
    status = 0b01 << 5 if more else 0
    return ev.LeExtendedAdvertisingReport((ev.ExtendedAdvertisingReport(
        event_type=0x00 | status, address_type=1, address=advertiser, primary_phy=1, secondary_phy=1,
        advertising_sid=3, tx_power=127, rssi=-40, periodic_advertising_interval=0, direct_address_type=0,
        direct_address=Address(bytes(6)), data=data),))


async def test_extended_report_chain_over_1650_octets_reaches_no_listener(make_gap: MakeGap) -> None:
    """Vol 6 Part B 2.3.4.9 (at most 1650 octets of advertising data) and Vol 4 Part E 7.7.65.13
    (a chain ends with its complete or truncated fragment): the host's scanner drops an over-long
    chain whole, so neither its head nor its tail is delivered as a report; the next chain is."""
    scanner = await make_gap()
    reports = Reports(scanner)
    await scanner.start_scan()
    fragment = bytes(range(250))
    for _ in range(7):  # 1750 octets "more to come"
        scanner.scanner.on_extended_reports(_extended_report(fragment, more=True))
    scanner.scanner.on_extended_reports(_extended_report(b"\x02\x01\x06", more=False))
    scanner.scanner.on_extended_reports(_extended_report(ADV, more=False))
    await scanner.stop_scan()
    assert [r.data for r in reports.items if r.address.value == ADVERTISER.value] == [ADV]
