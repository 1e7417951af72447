"""aioble.device: Device, DeviceConnection and DeviceTimeout."""

from __future__ import annotations

import asyncio

import pytest

from .conftest import Env
from .helpers import (
    IRQ_CENTRAL_DISCONNECT,
    IRQ_MTU_EXCHANGED,
    IRQ_PERIPHERAL_CONNECT,
    IRQ_PERIPHERAL_DISCONNECT,
    PEER,
    current_cancelling,
    incoming_connection,
    outgoing_connection,
    until,
)


def test_device_from_hex_string_with_or_without_colons(env: Env) -> None:
    Device = env.aioble.Device
    assert Device(0, "aa:bb:cc:dd:ee:ff").addr == PEER
    assert Device(1, "AABBCCDDEEFF").addr == PEER
    assert Device(0, PEER).addr == PEER
    assert Device(0, bytearray(PEER)).addr == PEER


def test_device_str_names_type_and_connected_state(env: Env) -> None:
    device = env.aioble.Device(0, PEER)
    assert str(device) == "Device(ADDR_PUBLIC, aa:bb:cc:dd:ee:ff)"
    assert str(env.aioble.Device(2, PEER)) == "Device(ADDR_RANDOM, aa:bb:cc:dd:ee:ff)"
    env.mod("device").DeviceConnection(device)
    assert str(device) == "Device(ADDR_PUBLIC, aa:bb:cc:dd:ee:ff, CONNECTED)"
    assert device.addr_hex() == "aa:bb:cc:dd:ee:ff"


def test_device_equality_and_hash_by_type_and_address(env: Env) -> None:
    Device = env.aioble.Device
    assert Device(0, PEER) == Device(0, "aa:bb:cc:dd:ee:ff")
    assert Device(0, PEER) != Device(1, PEER)
    assert len({Device(0, PEER), Device(0, bytearray(PEER)), Device(1, PEER)}) == 2
    assert Device(0, PEER) != 5


def test_creating_objects_does_not_touch_the_radio(env: Env) -> None:
    import bluetooth

    env.aioble.Device(0, PEER)
    service = env.aioble.Service(bluetooth.UUID(0x180F))
    env.aioble.Characteristic(service, bluetooth.UUID(0x2A19), read=True)
    env.aioble.scan(1000)
    assert env.fake.calls == []


async def test_connection_attribute_defaults(env: Env) -> None:
    conn = await incoming_connection(env)
    assert conn.mtu is None
    assert conn.key_size is False
    assert (conn.encrypted, conn.authenticated, conn.bonded) == (False, False, False)
    assert conn.is_connected()
    assert conn.device._connection is conn


async def test_connect_calls_gap_connect_with_ll_defaults_and_registers(env: Env) -> None:
    conn = await outgoing_connection(env, conn_handle=65)
    assert env.fake.called("gap_connect") == [(0, PEER, {})]
    assert env.mod("device").DeviceConnection._connected[65] is conn
    assert conn.device.addr == PEER


async def test_connect_passes_explicit_options_by_name(env: Env) -> None:
    task = asyncio.ensure_future(
        env.aioble.Device(0, PEER).connect(scan_duration_ms=5000, min_conn_interval_us=7500)
    )
    await until(lambda: env.fake.called("gap_connect"))
    assert env.fake.called("gap_connect") == [
        (0, PEER, {"scan_duration_ms": 5000, "min_conn_interval_us": 7500})
    ]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_connect_returns_existing_connection(env: Env) -> None:
    conn = await outgoing_connection(env)
    assert await conn.device.connect() is conn


async def test_connect_timeout_raises_timeout_error_and_keeps_stale_connection(env: Env) -> None:
    device = env.aioble.Device(0, PEER)
    with pytest.raises(asyncio.TimeoutError):
        await device.connect(timeout_ms=10)
    assert current_cancelling() == 0
    stale = device._connection
    assert stale is not None and not stale.is_connected()
    assert await device.connect() is stale  # upstream behaviour (micropython-lib#950)


async def test_disconnect_event_cleans_up_connection(env: Env) -> None:
    conn = await incoming_connection(env, conn_handle=64)
    env.fake.inject(IRQ_CENTRAL_DISCONNECT, (64, 0, PEER))
    await conn.disconnected()
    assert not conn.is_connected()
    assert conn.device._connection is None
    assert 64 not in env.mod("device").DeviceConnection._connected


async def test_disconnect_calls_gap_disconnect_and_waits(env: Env) -> None:
    conn = await outgoing_connection(env, conn_handle=65)
    task = asyncio.ensure_future(conn.disconnect())
    await until(lambda: env.fake.called("gap_disconnect"))
    assert not task.done()
    env.fake.inject(IRQ_PERIPHERAL_DISCONNECT, (65, 0, PEER))
    await task
    assert env.fake.called("gap_disconnect") == [(65,)]


async def test_disconnect_timeout_raises_timeout_error(env: Env) -> None:
    conn = await outgoing_connection(env)
    with pytest.raises(asyncio.TimeoutError):
        await conn.disconnect(timeout_ms=10)
    assert conn._task is not None and not conn._task.done()


async def test_gap_disconnect_oserror_is_logged_not_raised(env: Env, capsys) -> None:
    conn = await outgoing_connection(env)
    env.fake.disconnect_error = OSError(5)
    with pytest.raises(asyncio.TimeoutError):
        await conn.disconnect(timeout_ms=10)
    assert capsys.readouterr().out.startswith("[aioble] E: Disconnect")


async def test_disconnected_when_not_connected_returns_at_once(env: Env) -> None:
    conn = env.mod("device").DeviceConnection(env.aioble.Device(0, PEER))
    await conn.disconnected()
    assert env.fake.called("gap_disconnect") == []


async def test_timeout_block_raises_timeout_error_and_uncancels(env: Env) -> None:
    conn = await incoming_connection(env)
    with pytest.raises(asyncio.TimeoutError):
        with conn.timeout(10):
            await asyncio.sleep(10)
    assert current_cancelling() == 0
    assert conn._timeouts == []


async def test_timeout_block_raises_disconnected_error_on_link_loss(env: Env) -> None:
    aioble = env.aioble
    conn = await incoming_connection(env, conn_handle=64)

    async def wait_forever() -> None:
        with conn.timeout(None):
            await asyncio.sleep(10)

    task = asyncio.ensure_future(wait_forever())
    await until(lambda: conn._timeouts)
    env.fake.inject(IRQ_CENTRAL_DISCONNECT, (64, 0, PEER))
    with pytest.raises(aioble.DeviceDisconnectedError):
        await task
    assert task.cancelling() == 0


async def test_timeout_block_lets_external_cancellation_through(env: Env) -> None:
    conn = await incoming_connection(env)

    async def wait_forever() -> None:
        with conn.timeout(5000):
            await asyncio.sleep(10)

    task = asyncio.ensure_future(wait_forever())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_timeout_block_without_timeout_completes_normally(env: Env) -> None:
    conn = await incoming_connection(env)
    with conn.timeout(1000):
        await asyncio.sleep(0)
    assert conn._timeouts == []


async def test_exchange_mtu_not_connected_is_value_error(env: Env) -> None:
    conn = env.mod("device").DeviceConnection(env.aioble.Device(0, PEER))
    with pytest.raises(ValueError, match="Not connected"):
        await conn.exchange_mtu(100)


async def test_exchange_mtu_sets_preferred_mtu_and_returns_result(env: Env) -> None:
    conn = await outgoing_connection(env, conn_handle=65)
    task = asyncio.ensure_future(conn.exchange_mtu(100))
    await until(lambda: env.fake.called("gattc_exchange_mtu"))
    assert env.fake.settings["mtu"] == 100
    env.fake.inject(IRQ_MTU_EXCHANGED, (65, 100))
    assert await task == 100
    assert conn.mtu == 100


async def test_peer_initiated_mtu_exchange_updates_connection(env: Env) -> None:
    conn = await incoming_connection(env, conn_handle=64)
    env.fake.inject(IRQ_MTU_EXCHANGED, (64, 185))
    assert conn.mtu == 185


async def test_exchange_mtu_timeout(env: Env) -> None:
    conn = await outgoing_connection(env)
    with pytest.raises(asyncio.TimeoutError):
        await conn.exchange_mtu(timeout_ms=10)


async def test_async_with_connection_disconnects_on_exit(env: Env) -> None:
    conn = await outgoing_connection(env, conn_handle=65)

    async def use() -> None:
        async with conn:
            pass

    task = asyncio.ensure_future(use())
    await until(lambda: env.fake.called("gap_disconnect"))
    env.fake.inject(IRQ_PERIPHERAL_DISCONNECT, (65, 0, PEER))
    await task
    assert env.fake.called("gap_disconnect") == [(65,)]
    assert not conn.is_connected()


async def test_stop_raises_disconnected_error_in_waiters(env: Env) -> None:
    aioble = env.aioble
    conn = await incoming_connection(env)

    async def wait_forever() -> None:
        with conn.timeout(None):
            await asyncio.sleep(10)

    task = asyncio.ensure_future(wait_forever())
    await until(lambda: conn._timeouts)
    aioble.stop()
    with pytest.raises(aioble.DeviceDisconnectedError):
        await task
    assert conn.device._connection is None


async def test_connect_and_disconnect_arriving_together_are_both_seen(env: Env) -> None:
    device = env.aioble.Device(0, PEER)
    task = asyncio.ensure_future(device.connect())
    await until(lambda: env.fake.called("gap_connect"))
    env.fake.inject(IRQ_PERIPHERAL_CONNECT, (70, 0, PEER))
    env.fake.inject(IRQ_PERIPHERAL_DISCONNECT, (70, 0, PEER))
    conn = await task
    await conn.disconnected()
    assert not conn.is_connected()


async def test_timeout_block_on_an_already_disconnected_connection_raises_at_once(env: Env) -> None:
    aioble = env.aioble
    conn = await incoming_connection(env, conn_handle=64)
    env.fake.inject(IRQ_CENTRAL_DISCONNECT, (64, 0, PEER))
    await conn.disconnected()
    with pytest.raises(aioble.DeviceDisconnectedError):
        with conn.timeout(None):
            await asyncio.sleep(10)  # never reached: the link is already gone
    assert conn._timeouts == []
