"""LE credit-based channels with Bumble (Core Vol 3 Part A, 10.1): SDUs segmented over several
K-frames and several ACL fragments, credits returned as they are consumed, both directions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from bumble.l2cap import LeCreditBasedChannel, LeCreditBasedChannelSpec

from aioble_hci.host.l2cap import CocChannel
from tests.interop.bumble_link import BumblePeer
from tests.interop.helpers import connect_to_bumble, run
from tests.interop.stack import OurStack

SPSM = 0x0081
BUMBLE_MTU, BUMBLE_MPS = 512, 100
OUR_MTU, OUR_MPS, OUR_CREDITS = 600, 60, 4  # an SDU of 600 octets is 11 K-frames: credits must come back


@dataclass
class Channels:
    ours: CocChannel
    bumble: LeCreditBasedChannel
    bumble_sdus: asyncio.Queue[bytes]


def sdu(size: int, seed: int) -> bytes:
    return bytes((seed + 31 * i) % 256 for i in range(size))


async def _bumble_listens(peer: BumblePeer) -> asyncio.Future[LeCreditBasedChannel]:
    opened: asyncio.Future[LeCreditBasedChannel] = asyncio.get_running_loop().create_future()
    spec = LeCreditBasedChannelSpec(psm=SPSM, mtu=BUMBLE_MTU, mps=BUMBLE_MPS, max_credits=8)

    def accept(channel: LeCreditBasedChannel) -> None:
        if not opened.done():
            opened.set_result(channel)

    peer.device.create_l2cap_server(spec, accept)
    return opened


@pytest.fixture(params=["we_open", "bumble_opens"])
async def channels(request, ours: OurStack, peer: BumblePeer) -> AsyncIterator[Channels]:
    conn, bumble_conn = await connect_to_bumble(ours, peer)
    if request.param == "we_open":
        bumble_side = await _bumble_listens(peer)
        our_channel = await run(ours.l2cap.connect(conn, SPSM, mtu=OUR_MTU, mps=OUR_MPS, credits=OUR_CREDITS))
        bumble_channel = await run(bumble_side)
    else:
        listener = ours.l2cap.listen(SPSM, mtu=OUR_MTU, mps=OUR_MPS, credits=OUR_CREDITS)
        accepted = asyncio.ensure_future(listener.accept(conn))
        spec = LeCreditBasedChannelSpec(psm=SPSM, mtu=BUMBLE_MTU, mps=BUMBLE_MPS, max_credits=8)
        bumble_channel = await run(peer.device.create_l2cap_channel(bumble_conn, spec))
        our_channel = await run(accepted)
    received: asyncio.Queue[bytes] = asyncio.Queue()
    bumble_channel.sink = received.put_nowait
    yield Channels(our_channel, bumble_channel, received)


async def test_both_sides_agree_on_mtus_and_mpss(channels: Channels):
    assert (channels.ours.peer_mtu, channels.ours.peer_mps) == (BUMBLE_MTU, BUMBLE_MPS)
    assert (channels.bumble.peer_mtu, channels.bumble.peer_mps) == (OUR_MTU, OUR_MPS)
    assert (channels.ours.our_mtu, channels.ours.our_mps) == (OUR_MTU, OUR_MPS)


async def test_our_sdus_larger_than_the_mps_and_acl_reach_bumble_whole(channels: Channels):
    sdus = [sdu(BUMBLE_MTU, seed) for seed in range(3)] + [sdu(1, 9)]
    for data in sdus:
        await run(channels.ours.send(data))
    assert [await run(channels.bumble_sdus.get()) for _ in sdus] == sdus


async def test_bumbles_sdus_larger_than_the_mps_reach_us_whole_as_credits_come_back(channels: Channels):
    # Bumble's write() packs queued bytes into SDUs of up to our MTU: write whole-MTU SDUs, one at a time
    sdus = [sdu(OUR_MTU, seed) for seed in range(3)]
    for data in sdus:
        channels.bumble.write(data)
        assert await run(channels.ours.receive()) == data
        await run(channels.bumble.drain())


async def test_an_sdu_over_the_peers_mtu_is_refused_before_sending(channels: Channels):
    with pytest.raises(ValueError, match="MTU"):
        channels.ours.try_send(bytes(BUMBLE_MTU + 1))


async def test_we_close_the_channel_and_bumble_sees_it_closed(channels: Channels):
    closed = asyncio.get_running_loop().create_future()
    channels.bumble.once("close", lambda: closed.set_result(True))
    await run(channels.ours.disconnect())
    assert await run(closed)
    assert not channels.ours.connected


async def test_bumble_closes_the_channel_and_we_see_it_closed(channels: Channels):
    await run(channels.bumble.disconnect())
    assert await run(channels.ours.closed()) == 0
    assert not channels.ours.connected


async def test_a_channel_to_an_spsm_nobody_listens_on_is_refused(ours: OurStack, peer: BumblePeer):
    from aioble_hci.host.l2cap import L2capChannelError

    conn, _ = await connect_to_bumble(ours, peer)
    with pytest.raises(L2capChannelError) as info:
        await run(ours.l2cap.connect(conn, 0x00F1))
    assert info.value.result == 0x0002  # SPSM not supported (Vol 3 Part A, 4.23, table 4.27)


