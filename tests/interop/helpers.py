"""Small helpers shared by the interop scenarios: guards against hangs, Bumble event waiters."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from bumble.device import Connection as BumbleConnection
from bumble.device import Device

from aioble_hci.host.connection import Connection
from aioble_hci.host.gap.advertising import AdvertisingParameters
from tests.interop.bumble_link import BumblePeer, bumble_address
from tests.interop.stack import OurStack

T = TypeVar("T")

WAIT = 5.0  # a guard against hangs, never a timing assertion
FAST_ADVERTISING = AdvertisingParameters(interval_min=0x20)  # Bumble's advertiser fires every 32 ms with it
BUMBLE_ADVERTISING_MS = 20.0


def run(awaitable: Awaitable[T]) -> Awaitable[T]:
    return asyncio.wait_for(awaitable, WAIT)


def next_event(emitter: Any, name: str) -> asyncio.Future[Any]:
    """A future for the next `name` event of a Bumble EventEmitter (its arguments, one or a tuple)."""
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def settle(*args: Any) -> None:
        if not future.done():
            future.set_result(args[0] if len(args) == 1 else args)

    emitter.once(name, settle)
    return future


async def connect_to_bumble(ours: OurStack, peer: BumblePeer) -> tuple[Connection, BumbleConnection]:
    """Bumble advertises, our host connects as central: (our connection, Bumble's)."""
    bumble_side = next_event(peer.device, Device.EVENT_CONNECTION)
    await peer.device.start_advertising(advertising_interval_min=BUMBLE_ADVERTISING_MS)
    conn = await ours.gap.connect(peer.address, timeout=WAIT)
    return conn, await run(bumble_side)


async def bumble_connects_to_us(ours: OurStack, peer: BumblePeer) -> tuple[Connection, BumbleConnection]:
    """Our host advertises, Bumble connects as central: (our connection, Bumble's)."""
    address = ours.gap.address
    assert address is not None
    adv = await ours.gap.advertise(b"\x02\x01\x06", params=FAST_ADVERTISING)
    bumble_conn = await peer.device.connect(bumble_address(address), timeout=WAIT)
    return await adv.wait_connection(WAIT), bumble_conn
