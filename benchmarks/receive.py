"""Workload 1: the host receive path. N prebuilt HCI ACL packets, each one whole L2CAP frame
carrying an ATT Handle Value Notification (244-byte value) for a subscribed characteristic,
handed to the central's host as its controller would; notifications/s reaching the
application's value callback.

Ours: Host -> ACL reassembly -> L2CAP bearer -> ATT bearer -> GattClient.on_value.
Bumble: Host.on_packet -> ... -> Peer.subscribe subscriber.
"""

from __future__ import annotations

import asyncio
import cProfile
import struct
import time

from aioble_hci.hci.packets import PacketType
from benchmarks import ours, theirs
from benchmarks.core import Case, Settings, Target
from benchmarks.gatt_setup import VALUE, ours_gatt, theirs_gatt


def notification_packets(handle: int, value_handle: int, n: int) -> list[bytes]:
    """HCI ACL data packets (Vol 4 Part E, 5.4.2; PB=10 first automatically flushable) with a
    basic L2CAP frame on CID 0x0004 holding ATT_HANDLE_VALUE_NTF (Vol 3 Part F, 3.4.7.1)."""
    att = struct.pack("<BH", 0x1B, value_handle) + VALUE
    l2cap = struct.pack("<HH", len(att), 0x0004) + att
    packet = struct.pack("<HH", handle | (0b10 << 12), len(l2cap)) + l2cap
    return [packet] * n


def _n(settings: Settings) -> int:
    return settings.n(30000, 3000)


async def _ours(n: int, profiler: cProfile.Profile | None = None) -> float:
    count = 0

    def on_value(_value: bytes, _indication: bool) -> None:
        nonlocal count
        count += 1

    setup = await ours_gatt(on_value)
    try:
        host = setup.link.central
        packets = notification_packets(setup.link.central_conn.handle, setup.notify_handle, n)
        if profiler is not None:
            profiler.enable()
        start = time.perf_counter()
        for payload in packets:
            ours.feed(host, PacketType.ACL, payload)
        while count < n:
            await asyncio.sleep(0)
        elapsed = time.perf_counter() - start
        if profiler is not None:
            profiler.disable()
        return n / elapsed
    finally:
        await setup.link.close()


async def _theirs(n: int, profiler: cProfile.Profile | None = None) -> float:
    count = 0

    def on_value(_value: bytes) -> None:
        nonlocal count
        count += 1

    link = await theirs_gatt(on_value)
    packets = [b"\x02" + p for p in notification_packets(link.central_conn.handle, link.remote_notify.handle, n)]
    if profiler is not None:
        profiler.enable()
    start = time.perf_counter()
    for packet in packets:
        theirs.feed(link.central, packet)
    while count < n:
        await asyncio.sleep(0)
    elapsed = time.perf_counter() - start
    if profiler is not None:
        profiler.disable()
    return n / elapsed


def ours_rate(settings: Settings) -> float:
    return asyncio.run(asyncio.wait_for(_ours(_n(settings)), 60))


def theirs_rate(settings: Settings) -> float:
    return asyncio.run(asyncio.wait_for(_theirs(_n(settings)), 60))


def cases(targets: list[Target]) -> list[Case]:
    return [Case("receive", "1. host receive path (ACL -> app callback)", "notif/s", ours_rate, theirs_rate,
                 targets=targets, note="full path: Host, L2CAP bearer, ATT bearer, GattClient.on_value")]
