"""The L2CAP bearer between two Hosts over real HCI bytes on the virtual controller."""

from __future__ import annotations

import asyncio

from aioble_hci.host.l2cap import L2capBearer
from tests.gatt_host.pair import WAIT, connect


async def test_coc_moves_one_megabyte_each_way_intact_with_small_mps_and_few_credits(hosts):
    central, peripheral = hosts
    c_l2, p_l2 = L2capBearer(central).attach(), L2capBearer(peripheral).attach()
    c_conn, p_conn = await connect(central, peripheral)
    listener = p_l2.listen(0x80, mtu=2048, mps=64, credits=3)
    accepted = asyncio.ensure_future(listener.accept())
    c_chan = await asyncio.wait_for(c_l2.connect(c_conn, 0x80, mtu=2048, mps=64, credits=3), WAIT)
    p_chan = await asyncio.wait_for(accepted, WAIT)
    payload = bytes(i * 7 % 251 for i in range(1 << 20))

    async def pump(sender, receiver):
        async def send():
            for i in range(0, len(payload), 2000):
                await sender.send(payload[i : i + 2000])

        async def recv():
            got = bytearray()
            while len(got) < len(payload):
                got += await receiver.receive()
            return bytes(got)

        _, got = await asyncio.gather(send(), recv())
        return got

    assert await asyncio.wait_for(pump(c_chan, p_chan), 120) == payload
    assert await asyncio.wait_for(pump(p_chan, c_chan), 120) == payload


async def test_disconnect_returns_once_the_peer_has_closed_its_end(hosts):
    """Vol 3 Part A, 4.6-4.7: the initiator's channel is closed when the L2CAP_DISCONNECTION_RSP
    comes back, so when disconnect() returns (and the "disconnect" callback runs) the peer's end
    is already closed, with status 0 on both."""
    central, peripheral = hosts
    c_l2, p_l2 = L2capBearer(central).attach(), L2capBearer(peripheral).attach()
    c_conn, _ = await connect(central, peripheral)
    listener = p_l2.listen(0x80, mtu=256)
    accepted = asyncio.ensure_future(listener.accept())
    c_chan = await asyncio.wait_for(c_l2.connect(c_conn, 0x80, mtu=256), WAIT)
    p_chan = await asyncio.wait_for(accepted, WAIT)
    reported = []
    c_l2.on_channel_event(lambda kind, channel, status: reported.append((kind, p_chan.connected, status)))
    await asyncio.wait_for(c_chan.disconnect(), WAIT)
    assert not p_chan.connected and p_chan.status == 0
    assert c_chan.status == 0 and not c_chan.connected
    assert reported == [("disconnect", False, 0)]
