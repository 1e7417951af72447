"""Scanning on the real Host: durations, scan-done, duplicate filtering, raw report fields."""

from __future__ import annotations

import asyncio

import pytest

from aioble_hci.gap.ad import AdvertisingData
from aioble_hci.gap.ad_structures import LocalName
from aioble_hci.gap.scan_results import LegacyEventType
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
