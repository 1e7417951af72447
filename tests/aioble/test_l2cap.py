"""aioble.l2cap: accept/connect, recvinto, send with stalls, flush, disconnect."""

from __future__ import annotations

import asyncio

import pytest

from .conftest import Env
from .helpers import (
    IRQ_CENTRAL_DISCONNECT,
    IRQ_L2CAP_ACCEPT,
    IRQ_L2CAP_CONNECT,
    IRQ_L2CAP_DISCONNECT,
    IRQ_L2CAP_RECV,
    IRQ_L2CAP_SEND_READY,
    PEER,
    incoming_connection,
    outgoing_connection,
    until,
)

CID = 0x40


async def accepted(env: Env, conn_handle: int = 64, our_mtu: int = 128, peer_mtu: int = 100):
    conn = await incoming_connection(env, conn_handle=conn_handle)
    task = asyncio.ensure_future(conn.l2cap_accept(22, our_mtu))
    await until(lambda: env.fake.called("l2cap_listen"))
    assert env.fake.inject(IRQ_L2CAP_ACCEPT, (conn_handle, CID, 22, our_mtu, peer_mtu)) is None
    env.fake.inject(IRQ_L2CAP_CONNECT, (conn_handle, CID, 22, our_mtu, peer_mtu))
    return conn, await task


async def test_accept_listens_and_returns_connected_channel(env: Env) -> None:
    conn, channel = await accepted(env)
    assert env.fake.called("l2cap_listen") == [(22, 128)]
    assert (channel.our_mtu, channel.peer_mtu, channel._cid) == (128, 100, CID)
    assert conn._l2cap_channel is channel


async def test_listening_is_sticky_until_stop(env: Env) -> None:
    conn, channel = await accepted(env)
    env.fake.inject(IRQ_L2CAP_DISCONNECT, (64, CID, 22, 0))
    await channel.disconnected()
    task = asyncio.ensure_future(conn.l2cap_accept(23, 256))
    await asyncio.sleep(0)
    env.fake.inject(IRQ_L2CAP_CONNECT, (64, CID + 1, 22, 128, 100))
    await task
    assert env.fake.called("l2cap_listen") == [(22, 128)]
    with pytest.raises(ValueError, match="Can't connect while listening"):
        await conn.l2cap_connect(22, 128)
    env.aioble.stop()
    assert env.mod("l2cap")._listening is False


async def test_connect_refused_raises_connection_error(env: Env) -> None:
    conn = await outgoing_connection(env, conn_handle=65)
    task = asyncio.ensure_future(conn.l2cap_connect(22, 128))
    await until(lambda: env.fake.called("l2cap_connect"))
    assert env.fake.called("l2cap_connect") == [(65, 22, 128)]
    env.fake.inject(IRQ_L2CAP_DISCONNECT, (65, CID, 22, 2))
    with pytest.raises(env.mod("l2cap").L2CAPConnectionError) as err:
        await task
    assert err.value.args == (2,)
    assert conn._l2cap_channel is None


async def test_connect_timeout_leaves_channel_attached(env: Env) -> None:
    conn = await outgoing_connection(env, conn_handle=65)
    with pytest.raises(asyncio.TimeoutError):
        await conn.l2cap_connect(22, 128, timeout_ms=10)
    with pytest.raises(ValueError, match="Already has channel"):
        await conn.l2cap_connect(22, 128)


async def test_channel_requires_connection(env: Env) -> None:
    l2cap = env.mod("l2cap")
    conn = env.mod("device").DeviceConnection(env.aioble.Device(0, PEER))
    with pytest.raises(ValueError, match="Not connected"):
        l2cap.L2CAPChannel(conn)


async def test_recvinto_waits_then_copies_current_sdu(env: Env) -> None:
    conn, channel = await accepted(env)
    buf = bytearray(4)
    task = asyncio.ensure_future(channel.recvinto(buf))
    await asyncio.sleep(0)
    assert not channel.available()
    env.fake.l2cap_sdu = bytearray(b"l2cap-0-0")
    env.fake.inject(IRQ_L2CAP_RECV, (64, CID))
    assert await task == 4 and buf == b"l2ca"
    assert channel.available()
    big = bytearray(10)
    assert await channel.recvinto(big) == 5 and big[:5] == b"p-0-0"
    assert not channel.available()


async def test_recv_event_during_recvinto_is_not_lost(env: Env) -> None:
    conn, channel = await accepted(env)
    env.fake.l2cap_sdu = bytearray(b"abc")
    env.fake.inject(IRQ_L2CAP_RECV, (64, CID))
    original = env.fake.l2cap_recvinto

    def recvinto_with_racing_event(conn_handle, cid, buf):
        n = original(conn_handle, cid, buf)
        if buf is None:  # the next SDU's event lands just after the LL said "empty"
            env.fake.inject(IRQ_L2CAP_RECV, (64, CID))
        return n

    env.fake.l2cap_recvinto = recvinto_with_racing_event  # type: ignore[method-assign]
    assert await channel.recvinto(bytearray(3)) == 3
    assert channel.available()


async def test_send_chunks_by_peer_mtu_and_accepts_str(env: Env) -> None:
    conn, channel = await accepted(env, our_mtu=128, peer_mtu=4)
    await channel.send("abcdefghij")
    assert [args[2] for args in env.fake.called("l2cap_send")] == [b"abcd", b"efgh", b"ij"]
    env.fake.calls.clear()
    await channel.send(b"123456", chunk_size=3)
    assert [args[2] for args in env.fake.called("l2cap_send")] == [b"123", b"456"]


async def test_send_stalls_until_send_ready(env: Env) -> None:
    conn, channel = await accepted(env, peer_mtu=2)
    env.fake.l2cap_send_result = False
    task = asyncio.ensure_future(channel.send(b"aabb"))
    await until(lambda: env.fake.called("l2cap_send"))
    await asyncio.sleep(0.01)
    assert len(env.fake.called("l2cap_send")) == 1 and channel._stalled
    env.fake.l2cap_send_result = True
    env.fake.inject(IRQ_L2CAP_SEND_READY, (64, CID, 0))
    await task
    assert [a[2] for a in env.fake.called("l2cap_send")] == [b"aa", b"bb"]
    await channel.flush()


async def test_send_ready_racing_a_stalled_send_is_not_lost(env: Env) -> None:
    conn, channel = await accepted(env)
    original = env.fake.l2cap_send

    def send_with_racing_ready(conn_handle, cid, buf):
        original(conn_handle, cid, buf)
        env.fake.inject(IRQ_L2CAP_SEND_READY, (64, CID, 0))
        return False

    env.fake.l2cap_send = send_with_racing_ready  # type: ignore[method-assign]
    await channel.send(b"x")
    assert not channel._stalled


async def test_flush_timeout(env: Env) -> None:
    conn, channel = await accepted(env)
    env.fake.l2cap_send_result = False
    await channel.send(b"x")
    with pytest.raises(asyncio.TimeoutError):
        await channel.flush(timeout_ms=10)


async def test_disconnect_and_operations_after_close(env: Env) -> None:
    l2cap = env.mod("l2cap")
    conn, channel = await accepted(env)
    task = asyncio.ensure_future(channel.disconnect())
    await until(lambda: env.fake.called("l2cap_disconnect"))
    assert env.fake.called("l2cap_disconnect") == [(64, CID)]
    env.fake.inject(IRQ_L2CAP_DISCONNECT, (64, CID, 22, 0))
    await task
    assert conn._l2cap_channel is None
    for call in (channel.recvinto(bytearray(1)), channel.send(b"x"), channel.flush()):
        with pytest.raises(l2cap.L2CAPDisconnectedError):
            await call
    with pytest.raises(l2cap.L2CAPDisconnectedError):
        channel.available()
    await channel.disconnect()  # no-op when closed


async def test_recvinto_raises_when_channel_closes_while_waiting(env: Env) -> None:
    conn, channel = await accepted(env)
    task = asyncio.ensure_future(channel.recvinto(bytearray(4)))
    await asyncio.sleep(0)
    env.fake.inject(IRQ_L2CAP_DISCONNECT, (64, CID, 22, 0))
    with pytest.raises(env.mod("l2cap").L2CAPDisconnectedError):
        await task


async def test_link_loss_raises_disconnected_in_channel_waiters(env: Env) -> None:
    conn, channel = await accepted(env)
    task = asyncio.ensure_future(channel.recvinto(bytearray(4)))
    await until(lambda: conn._timeouts)
    env.fake.inject(IRQ_CENTRAL_DISCONNECT, (64, 0, PEER))
    with pytest.raises((env.aioble.DeviceDisconnectedError, env.mod("l2cap").L2CAPDisconnectedError)):
        await task
    assert channel._cid is None


async def test_events_for_another_cid_are_ignored(env: Env) -> None:
    conn, channel = await accepted(env)
    env.fake.inject(IRQ_L2CAP_DISCONNECT, (64, CID + 5, 22, 0))
    assert channel._cid == CID


async def test_async_with_channel_disconnects(env: Env) -> None:
    conn, channel = await accepted(env)

    async def use() -> None:
        async with channel:
            pass

    task = asyncio.ensure_future(use())
    await until(lambda: env.fake.called("l2cap_disconnect"))
    env.fake.inject(IRQ_L2CAP_DISCONNECT, (64, CID, 22, 0))
    await task
    assert env.fake.called("l2cap_disconnect") == [(64, CID)]
    assert channel._cid is None and conn._l2cap_channel is None
