"""L2CAP bearer scenarios between two Hosts: ECFC, recvinto, refusals, closing, parameter updates."""

from __future__ import annotations

import asyncio

import pytest

from aioble_hci.hci import commands as cmd
from aioble_hci.hci import events as ev
from aioble_hci.host.l2cap import L2capChannelError, L2capDisconnectedError
from aioble_hci.l2cap.pdus import LeCreditBasedConnectionResult
from aioble_hci.l2cap.spsm import SecurityRequirement
from tests.gatt_host.pair import WAIT, Stack, connected_stacks


@pytest.fixture
async def linked(hosts) -> tuple[Stack, Stack]:
    return await connected_stacks(*hosts)


def run(coro):
    return asyncio.wait_for(coro, WAIT)


async def open_pair(central: Stack, peripheral: Stack, spsm: int = 0x81, **params):
    listener = peripheral.l2cap.listen(spsm, **params)
    accepted = asyncio.ensure_future(listener.accept())
    c_chan = await run(central.l2cap.connect(central.connection, spsm, **params))
    return c_chan, await run(accepted)


async def test_connect_reports_both_sides_parameters(linked):
    central, peripheral = linked
    c_chan, p_chan = await open_pair(central, peripheral, mtu=300, mps=100, credits=2)
    assert (c_chan.peer_mtu, c_chan.peer_mps, c_chan.our_mtu) == (300, 100, 300)
    assert (p_chan.peer_cid, p_chan.cid) == (c_chan.cid, c_chan.peer_cid)
    assert c_chan.initiator and not p_chan.initiator


async def test_ecfc_opens_three_channels_that_each_carry_their_own_data(linked):
    central, peripheral = linked
    listener = peripheral.l2cap.listen(0x82, mtu=128, mps=64, credits=2)
    channels = await run(central.l2cap.connect_ecfc(central.connection, 0x82, 3, mtu=128, mps=64, credits=2))
    accepted = [await run(listener.accept()) for _ in range(3)]
    assert len(channels) == 3 and all(c.enhanced for c in channels + accepted)
    by_cid = {c.cid: c for c in accepted}
    for i, channel in enumerate(channels):
        await run(channel.send(bytes([i]) * 100))
    for i, channel in enumerate(channels):
        assert await run(by_cid[channel.peer_cid].receive()) == bytes([i]) * 100


async def test_connect_to_an_spsm_nobody_listens_on_is_refused(linked):
    central, _ = linked
    with pytest.raises(L2capChannelError) as info:
        await run(central.l2cap.connect(central.connection, 0x90))
    assert info.value.result == LeCreditBasedConnectionResult.SPSM_NOT_SUPPORTED


async def test_spsm_requiring_encryption_refuses_an_open_link(linked):
    central, peripheral = linked
    peripheral.l2cap.listen(0x83, security=SecurityRequirement(encryption=True))
    with pytest.raises(L2capChannelError) as info:
        await run(central.l2cap.connect(central.connection, 0x83))
    assert info.value.result == LeCreditBasedConnectionResult.INSUFFICIENT_ENCRYPTION


async def test_recvinto_serves_one_sdu_at_a_time_and_returns_credits_when_drained(linked):
    central, peripheral = linked
    c_chan, p_chan = await open_pair(central, peripheral, mtu=100, mps=23, credits=5)
    await run(c_chan.send(b"A" * 60))  # 3 K-frames
    await run(c_chan.send(b"B" * 60))
    await run(p_chan.wait_readable())
    assert p_chan.recvinto(None) == 60
    buf = bytearray(50)
    assert p_chan.recvinto(buf) == 50 and bytes(buf) == b"A" * 50
    assert p_chan.recvinto(None) == 10
    assert p_chan.recvinto(buf) == 10 and bytes(buf[:10]) == b"A" * 10
    await run(p_chan.wait_readable())
    assert await run(p_chan.receive()) == b"B" * 60


async def test_sender_waits_for_credits_until_the_receiver_drains(linked):
    central, peripheral = linked
    c_chan, p_chan = await open_pair(central, peripheral, mtu=100, mps=23, credits=2)
    sends = asyncio.ensure_future(asyncio.gather(*(c_chan.send(bytes([i]) * 40) for i in range(4))))
    received = [await run(p_chan.receive()) for _ in range(4)]
    await run(sends)
    assert received == [bytes([i]) * 40 for i in range(4)]


async def test_channel_events_report_connect_recv_send_ready_and_disconnect(linked):
    central, peripheral = linked
    seen: list[tuple[str, int]] = []
    peripheral.l2cap.on_channel_event(lambda kind, chan, status: seen.append((kind, status)))
    stalls: list[str] = []
    central.l2cap.on_channel_event(lambda kind, chan, status: stalls.append(kind))
    c_chan, p_chan = await open_pair(central, peripheral, mtu=100, mps=23, credits=1)
    assert not c_chan.try_send(b"x" * 40)  # two K-frames, one credit: stalled
    assert await run(p_chan.receive()) == b"x" * 40
    await run(c_chan.flush())
    await run(c_chan.disconnect())
    assert await run(p_chan.closed()) == 0
    assert seen == [("connect", 0), ("recv", 0), ("disconnect", 0)]
    assert stalls == ["connect", "send_ready", "disconnect"]


async def test_acl_disconnection_closes_channels_with_the_hci_reason(linked):
    central, peripheral = linked
    c_chan, p_chan = await open_pair(central, peripheral)
    await central.host.send_command(cmd.Disconnect(central.connection.handle))
    assert await run(p_chan.closed()) == 0x13  # Remote User Terminated Connection
    assert await run(c_chan.closed()) == 0x16  # Connection Terminated By Local Host
    with pytest.raises(L2capDisconnectedError):
        await c_chan.send(b"late")


async def test_peripheral_parameter_update_request_is_accepted_and_applied_by_the_central(linked):
    central, peripheral = linked
    updated = asyncio.ensure_future(
        peripheral.host.wait_for_event(ev.LeConnectionUpdateComplete, timeout=WAIT)
    )
    accepted = await run(
        peripheral.l2cap.request_connection_parameter_update(peripheral.connection, 40, 56, 0, 500)
    )
    assert accepted
    event = await updated
    assert 40 <= event.connection_interval <= 56 and event.supervision_timeout == 500
    assert 40 <= peripheral.connection.interval <= 56


async def test_central_policy_can_refuse_a_parameter_update(linked):
    central, peripheral = linked
    central.l2cap.parameter_update_policy = lambda conn, req: req.interval_min >= 100
    assert not await run(
        peripheral.l2cap.request_connection_parameter_update(peripheral.connection, 40, 56, 0, 500)
    )
