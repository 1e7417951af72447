"""Workload 2: end to end. N GATT notifications (244-byte values) from a peripheral's GATT server
to a subscribed central on an in-process virtual link, counted at the central's value callback.

Ours: two Hosts on a fast `Air` (GattServer.notify -> GattClient.on_value). Bumble: two Devices
on a LocalLink (Device.notify_subscriber -> Peer.subscribe subscriber).
"awaited": each notification is sent only once the previous one reached the central's callback.
"pipelined": all N are sent as fast as the sending API accepts them, then we wait for the last.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from benchmarks.core import Case, Settings, Target
from benchmarks.gatt_setup import VALUE, ours_gatt, theirs_gatt


class _Counter:
    def __init__(self) -> None:
        self.count = 0
        self.arrived = asyncio.Event()

    def hit(self, *_args: object) -> None:
        self.count += 1
        self.arrived.set()

    async def until(self, n: int) -> None:
        while self.count < n:
            self.arrived.clear()
            await self.arrived.wait()


async def _ours(n: int, pipelined: bool) -> float:
    counter = _Counter()
    setup = await ours_gatt(counter.hit)
    link = setup.link
    server, conn, handle = link.peripheral_gatt.server, link.peripheral_conn, link.notify_char.value_handle
    try:
        start = time.perf_counter()
        if pipelined:
            for _ in range(n):
                server.notify(conn, handle, VALUE)
        else:
            for i in range(n):
                server.notify(conn, handle, VALUE)
                await counter.until(i + 1)
        await counter.until(n)
        return n / (time.perf_counter() - start)
    finally:
        await link.close()


async def _theirs(n: int, pipelined: bool) -> float:
    counter = _Counter()
    link = await theirs_gatt(counter.hit)
    device, conn, char = link.peripheral, link.peripheral_conn, link.notify_char
    start = time.perf_counter()
    if pipelined:
        for _ in range(n):
            await device.notify_subscriber(conn, char, VALUE)
    else:
        for i in range(n):
            await device.notify_subscriber(conn, char, VALUE)
            await counter.until(i + 1)
    await counter.until(n)
    return n / (time.perf_counter() - start)


def _n(settings: Settings, pipelined: bool) -> int:
    return settings.n(2000, 500) if pipelined else settings.n(1500, 300)


def _measure(which: str, pipelined: bool) -> Callable[[Settings], float]:
    def measure(settings: Settings) -> float:
        run = _ours if which == "ours" else _theirs
        return asyncio.run(asyncio.wait_for(run(_n(settings, pipelined), pipelined), 120))

    return measure


def cases(targets: list[Target]) -> list[Case]:
    return [
        Case("e2e_awaited", "2. end to end notifications, awaited", "notif/s",
             _measure("ours", False), _measure("theirs", False), targets=targets,
             note="one in flight: the next is sent when the previous reached the central's callback"),
        Case("e2e_pipelined", "2. end to end notifications, pipelined", "notif/s",
             _measure("ours", True), _measure("theirs", True), targets=targets),
    ]
