"""aioble.peripheral: advertise() and its payload builder."""

from __future__ import annotations

import asyncio

import pytest

import bluetooth

from .conftest import Env
from .helpers import IRQ_CENTRAL_CONNECT, IRQ_CENTRAL_DISCONNECT, PEER, until


async def advertised(env: Env, **kwargs) -> tuple:
    task = asyncio.ensure_future(env.aioble.advertise(250000, **kwargs))
    await until(lambda: env.fake.called("gap_advertise"))
    task.cancel()
    assert await task is None
    return env.fake.called("gap_advertise")[0]


async def test_default_payload_is_flags_only(env: Env) -> None:
    interval, adv, resp, connectable = await advertised(env)
    assert (interval, adv, resp, connectable) == (250000, b"\x02\x01\x06", None, True)


async def test_payload_fields_in_order_services_before_name(env: Env) -> None:
    services = [
        bluetooth.UUID(0x180F),
        bluetooth.UUID("AB12"),
        bluetooth.UUID(0x181A),
        bluetooth.UUID("CD34"),
    ]
    _, adv, resp, _ = await advertised(env, name="MPY", services=services)
    assert adv == (
        b"\x02\x01\x06"
        + b"\x05\x03\x0f\x18\x1a\x18"
        + b"\x09\x05AB12CD34"
        + b"\x04\x09MPY"
    )
    assert resp is None


async def test_flags_for_limited_discovery_and_br_edr(env: Env) -> None:
    _, adv, _, _ = await advertised(env, limited_disc=True, br_edr=True)
    assert adv == b"\x02\x01\x19"


async def test_appearance_and_manufacturer_fields(env: Env) -> None:
    _, adv, _, _ = await advertised(env, appearance=0x0340, manufacturer=(0x0102, "hi"))
    assert adv == b"\x02\x01\x06" + b"\x03\x19\x40\x03" + b"\x05\xff\x02\x01hi"


async def test_128_bit_service_overflows_name_into_scan_response(env: Env) -> None:
    uuid = bluetooth.UUID("6e400001-b5a3-f393-e0a9-e50e24dcca9e")
    _, adv, resp, _ = await advertised(env, name="a-long-device-name", services=[uuid])
    assert adv == b"\x02\x01\x06" + b"\x11\x07" + bytes(uuid)
    assert resp == b"\x13\x09a-long-device-name"


def test_31_byte_limit_is_exclusive(env: Env) -> None:
    build = env.mod("peripheral").build_payloads
    # flags (3) + name field (2 + 25) = 30 bytes: fits.
    adv, resp = build(name="x" * 25)
    assert len(adv) == 30 and resp is None
    # flags (3) + name field (2 + 26) = 31 bytes: not allowed, goes to the scan response.
    adv, resp = build(name="x" * 26)
    assert adv == b"\x02\x01\x06" and resp == b"\x1b\x09" + b"x" * 26


def test_later_small_field_still_lands_in_adv_data(env: Env) -> None:
    adv, resp = env.mod("peripheral").build_payloads(name="y" * 27, appearance=1)
    assert adv == b"\x02\x01\x06\x03\x19\x01\x00"
    assert resp == b"\x1c\x09" + b"y" * 27


def test_payload_too_long_is_value_error(env: Env) -> None:
    with pytest.raises(ValueError, match="Advertising payload too long"):
        env.mod("peripheral").build_payloads(name="z" * 29)


async def test_explicit_payloads_are_used_verbatim(env: Env) -> None:
    _, adv, resp, _ = await advertised(env, adv_data=b"\x02\x01\x06\x04\xffMPY", name="ignored")
    assert (adv, resp) == (b"\x02\x01\x06\x04\xffMPY", None)
    env.fake.calls.clear()
    _, adv, resp, _ = await advertised(env, resp_data="\x03\x09ab")
    assert (adv, resp) == (None, b"\x03\x09ab")


async def test_empty_adv_data_triggers_auto_build(env: Env) -> None:
    _, adv, _, _ = await advertised(env, adv_data=b"", name="N")
    assert adv == b"\x02\x01\x06\x02\x09N"


async def test_cancellation_stops_advertising_and_returns_none(env: Env) -> None:
    task = asyncio.ensure_future(env.aioble.advertise(100000))
    await until(lambda: env.fake.called("gap_advertise"))
    task.cancel()
    assert await task is None
    assert env.fake.called("gap_advertise")[-1] == (None, None, None, True)
    assert task.cancelling() == 0


async def test_timeout_stops_advertising_and_raises(env: Env) -> None:
    with pytest.raises(asyncio.TimeoutError):
        await env.aioble.advertise(100000, connectable=False, timeout_ms=10)
    assert env.fake.called("gap_advertise")[0][3] is False
    assert env.fake.called("gap_advertise")[-1][0] is None


async def test_connection_returns_device_connection_with_device(env: Env) -> None:
    task = asyncio.ensure_future(env.aioble.advertise(100000))
    await until(lambda: env.fake.called("gap_advertise"))
    env.fake.inject(IRQ_CENTRAL_CONNECT, (3, 1, memoryview(bytearray(PEER))))
    conn = await task
    assert conn.device == env.aioble.Device(1, PEER)
    assert conn._conn_handle == 3
    assert conn._task is not None


async def test_connection_before_advertise_call_is_returned_at_once(env: Env) -> None:
    env.aioble.config("mtu")
    env.fake.inject(IRQ_CENTRAL_CONNECT, (4, 0, PEER))
    conn = await env.aioble.advertise(100000)
    assert conn._conn_handle == 4


async def test_connect_and_disconnect_while_loop_blocked(env: Env) -> None:
    task = asyncio.ensure_future(env.aioble.advertise(100000))
    await until(lambda: env.fake.called("gap_advertise"))
    # Both events arrive on the host thread while this loop does not run.
    env.fake.inject(IRQ_CENTRAL_CONNECT, (5, 0, PEER))
    env.fake.inject(IRQ_CENTRAL_DISCONNECT, (5, 0, PEER))
    conn = await task
    await conn.disconnected()
    assert not conn.is_connected()
