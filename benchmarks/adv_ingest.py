"""Workload 3: advertising ingest. N LE Advertising Report events (legacy, and extended) fed to a
scanning host, counted at the application's scan callback.

Ours: Host + GAP bearer (`Gap.on_scan_report`). Bumble: Device 'advertisement' events (passive scan).
Both get the same event bytes, 200 distinct advertisers cycling, one report per event.
"""

from __future__ import annotations

import asyncio
import struct
import time

from aioble_hci.controller.air import Air
from aioble_hci.hci.packets import PacketType
from aioble_hci.host.gap import attach_gap
from aioble_hci.host.gap.scanning import ScanParameters
from benchmarks import ours, theirs
from benchmarks.core import Settings

DEVICES = 200
ADV_DATA = bytes.fromhex("020106") + bytes([0x11, 0x07]) + bytes(range(16)) + bytes.fromhex("0909") + b"treadmil"


def _address(i: int) -> bytes:
    return bytes([i & 0xFF, (i >> 8) & 0xFF, 0x33, 0x44, 0x55, 0xC0])


def legacy_events(n: int) -> list[bytes]:
    """LE Advertising Report (Vol 4 Part E, 7.7.65.2): ADV_IND, random address, RSSI -60."""
    out = []
    for i in range(n):
        body = bytes([0x02, 1, 0x00, 0x01]) + _address(i % DEVICES) + bytes([len(ADV_DATA)]) + ADV_DATA + b"\xc4"
        out.append(bytes([0x3E, len(body)]) + body)
    return out


def extended_events(n: int) -> list[bytes]:
    """LE Extended Advertising Report (7.7.65.13): connectable, complete, LE 1M/2M, SID 1."""
    out = []
    for i in range(n):
        report = (struct.pack("<HB", 0x0001, 0x01) + _address(i % DEVICES)
                  + bytes([0x01, 0x02, 0x01, 0x7F, 0xC4]) + struct.pack("<H", 0) + bytes(6) + bytes([0x00])
                  + bytes([len(ADV_DATA)]) + ADV_DATA)
        body = bytes([0x0D, 1]) + report
        out.append(bytes([0x3E, len(body)]) + body)
    return out


async def _ours(events: list[bytes]) -> float:
    air = Air(loop=asyncio.get_running_loop(), fast=True)
    host = await ours.start_host(air)
    try:
        gap = await attach_gap(host)
        seen = 0

        def on_report(_report: object) -> None:
            nonlocal seen
            seen += 1

        gap.on_scan_report(on_report)
        await gap.start_scan(ScanParameters(active=False))
        start = time.perf_counter()
        for payload in events:
            ours.feed(host, PacketType.EVENT, payload)
        while seen < len(events):
            await asyncio.sleep(0)
        elapsed = time.perf_counter() - start
        await gap.stop_scan()
        return len(events) / elapsed
    finally:
        await host.close()


async def _theirs(events: list[bytes]) -> float:
    link = theirs.LocalLink()
    device = await theirs.bumble_device(link, "F0:F1:F2:F3:F4:F5", "scanner")
    seen = 0

    def on_advertisement(_adv: object) -> None:
        nonlocal seen
        seen += 1

    device.on("advertisement", on_advertisement)
    await device.start_scanning(active=False, filter_duplicates=False)
    packets = [b"\x04" + e for e in events]
    start = time.perf_counter()
    for packet in packets:
        theirs.feed(device, packet)
    while seen < len(events):
        await asyncio.sleep(0)
    elapsed = time.perf_counter() - start
    await device.stop_scanning()
    return len(events) / elapsed


def _n(settings: Settings) -> int:
    return settings.n(10000, 2000)


def ours_legacy(settings: Settings) -> float:
    return asyncio.run(asyncio.wait_for(_ours(legacy_events(_n(settings))), 60))


def theirs_legacy(settings: Settings) -> float:
    return asyncio.run(asyncio.wait_for(_theirs(legacy_events(_n(settings))), 60))


def ours_extended(settings: Settings) -> float:
    return asyncio.run(asyncio.wait_for(_ours(extended_events(_n(settings))), 60))


def theirs_extended(settings: Settings) -> float:
    return asyncio.run(asyncio.wait_for(_theirs(extended_events(_n(settings))), 60))
