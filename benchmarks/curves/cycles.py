"""Connect + discover + read + disconnect cycles per second, block by block as the cycles add up.

Two Hosts on a private fast Air run the full cycle again and again; the rate of each block
of cycles is one point. A flat curve means nothing accumulates per cycle (state, timers,
subscriptions); a falling one is a leak, with RSS beside it to say whether memory follows.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Sequence

from aioble_hci.controller.air import Air
from aioble_hci.host.gap import attach_gap
from aioble_hci.host.gap.advertising import AdvertisingParameters
from aioble_hci.host.gatt import attach_gatt
from aioble_hci.uuid import UUID
from benchmarks.core import Settings
from benchmarks.ours import NOTIFY_CHAR, SERVICE, start_host

BLOCK = 100


def checkpoints(settings: Settings) -> Sequence[int]:
    """Cumulative cycle counts at which a block ends."""
    blocks = settings.n(10, 4)
    return [BLOCK * (i + 1) for i in range(blocks)]


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:
        return float("nan")


async def _blocks(count: int) -> list[tuple[float, float]]:
    """(cycles/s, RSS MB) of each block of BLOCK cycles, `count` blocks in one run of two hosts."""
    from aioble_hci.att.gatt import Characteristic, Service
    from aioble_hci.att.gatt import CharacteristicProperties as P

    air = Air(loop=asyncio.get_running_loop(), fast=True)
    central, peripheral = await start_host(air), await start_host(air)
    try:
        c_gap, p_gap = await attach_gap(central), await attach_gap(peripheral)
        c_gatt, p_gatt = attach_gatt(central), attach_gatt(peripheral)
        p_gatt.server.register_services(
            [Service(SERVICE, [Characteristic(NOTIFY_CHAR, P.READ, value=b"cycle")])])
        address = p_gap.identity_address
        assert address is not None
        out = []
        for _ in range(count):
            start = time.perf_counter()
            for _ in range(BLOCK):
                await p_gap.advertise(b"\x02\x01\x06", params=AdvertisingParameters(interval_min=32))
                waiting = asyncio.ensure_future(p_gap.wait_for_connection(timeout=10))
                conn = await c_gap.connect(address)
                await waiting
                client = c_gatt.client(conn)
                service = (await client.discover_services(UUID(str(SERVICE))))[0]
                char = (await client.discover_characteristics(service))[0]
                await client.read(char.value_handle)
                await c_gap.disconnect(conn)
            out.append((BLOCK / (time.perf_counter() - start), _rss_mb()))
        return out
    finally:
        await central.close()
        await peripheral.close()


def sweep(settings: Settings, xs: Sequence[int]) -> list[dict[str, float]]:
    """One run of two hosts through every block, one point per block."""
    blocks = asyncio.run(asyncio.wait_for(_blocks(len(xs)), 900))
    return [{"cycles": rate, "rss": rss} for rate, rss in blocks]
