"""Workload 5: write-with-response round trips per second (GATT Write Request -> Write Response),
central to peripheral on the in-process virtual link, each awaited before the next."""

from __future__ import annotations

import asyncio
import time

from benchmarks.core import Case, Settings
from benchmarks.gatt_setup import ours_gatt, theirs_gatt

VALUE = bytes(20)


async def _ours(n: int) -> float:
    setup = await ours_gatt(lambda _v, _i: None)
    try:
        start = time.perf_counter()
        for _ in range(n):
            await setup.client.write(setup.write_handle, VALUE, response=True)
        return n / (time.perf_counter() - start)
    finally:
        await setup.link.close()


async def _theirs(n: int) -> float:
    link = await theirs_gatt(lambda _v: None)
    start = time.perf_counter()
    for _ in range(n):
        await link.peer.write_value(link.remote_write, VALUE, with_response=True)
    return n / (time.perf_counter() - start)


def _n(settings: Settings) -> int:
    return settings.n(3000, 300)


def ours_rate(settings: Settings) -> float:
    return asyncio.run(asyncio.wait_for(_ours(_n(settings)), 120))


def theirs_rate(settings: Settings) -> float:
    return asyncio.run(asyncio.wait_for(_theirs(_n(settings)), 120))


def cases() -> list[Case]:
    return [Case("write_rtt", "5. write with response, round trips", "writes/s", ours_rate, theirs_rate,
                 note="a latency figure: 1/rate is the mean round trip")]
