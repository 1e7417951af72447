"""Workload 4: L2CAP LE credit-based channel throughput (Vol 3 Part A, 4.22), MB/s of SDU payload
from central to peripheral on the in-process virtual link, SDU 512 and 4096 octets.

Both stacks: MTU = the SDU size, MPS 247 (one K-frame per 251-byte ACL packet), 32 initial credits;
the sender awaits its stack's back-pressure (ours `CocChannel.send`, Bumble `write` + `drain`),
the receiver takes whole SDUs (ours `CocChannel.receive`, Bumble the channel sink).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from bumble.l2cap import LeCreditBasedChannel, LeCreditBasedChannelSpec

from aioble_hci.host.l2cap import attach_l2cap
from benchmarks import ours, theirs
from benchmarks.core import Case, Settings, Target

SPSM = 0x0080
MPS = 247
CREDITS = 32


async def _ours(sdu_size: int, count: int) -> float:
    link = await ours.connected_pair(mtu_exchange=False)
    try:
        listener = attach_l2cap(link.peripheral).listen(SPSM, mtu=sdu_size, mps=MPS, credits=CREDITS)
        accepted = asyncio.ensure_future(listener.accept())
        sender = await attach_l2cap(link.central).connect(link.central_conn, SPSM, mtu=sdu_size, mps=MPS,
                                                          credits=CREDITS)
        receiver = await accepted
        sdu = bytes(i % 251 for i in range(sdu_size))

        async def receive_all() -> int:
            total = 0
            for _ in range(count):
                total += len(await receiver.receive())
            return total

        start = time.perf_counter()
        reading = asyncio.ensure_future(receive_all())
        for _ in range(count):
            await sender.send(sdu)
        total = await reading
        elapsed = time.perf_counter() - start
        assert total == sdu_size * count
        return total / elapsed / 1e6
    finally:
        await link.close()


async def _theirs(sdu_size: int, count: int) -> float:
    link = await theirs.connected_pair(mtu_exchange=False)
    spec = LeCreditBasedChannelSpec(psm=SPSM, mtu=sdu_size, mps=MPS, max_credits=CREDITS)
    received = 0
    done = asyncio.get_running_loop().create_future()

    def on_sdu(data: bytes) -> None:
        nonlocal received
        received += len(data)
        if received >= sdu_size * count and not done.done():
            done.set_result(None)

    def on_channel(channel: LeCreditBasedChannel) -> None:
        channel.sink = on_sdu

    handler: Callable[[LeCreditBasedChannel], None] = on_channel
    link.peripheral.create_l2cap_server(spec=spec, handler=handler)
    sender = await link.central_conn.create_l2cap_channel(spec=spec)
    sdu = bytes(i % 251 for i in range(sdu_size))
    start = time.perf_counter()
    for _ in range(count):
        sender.write(sdu)
        await sender.drain()
    await done
    return received / (time.perf_counter() - start) / 1e6


def _measure(which: str, sdu_size: int) -> Callable[[Settings], float]:
    def measure(settings: Settings) -> float:
        octets = settings.n(500_000, 150_000)
        count = max(1, octets // sdu_size)
        run = _ours if which == "ours" else _theirs
        return asyncio.run(asyncio.wait_for(run(sdu_size, count), 120))

    return measure


def cases(targets: list[Target]) -> list[Case]:
    return [
        Case(f"l2cap_coc_{size}", f"4. L2CAP CoC throughput, SDU {size}", "MB/s",
             _measure("ours", size), _measure("theirs", size), targets=targets)
        for size in (512, 4096)
    ]
