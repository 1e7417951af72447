"""aioble.central: scan, ScanResult and Device.connect's interplay with scanning."""

from __future__ import annotations

import asyncio

import pytest

import bluetooth

from .conftest import Env
from .helpers import IRQ_PERIPHERAL_CONNECT, IRQ_SCAN_DONE, IRQ_SCAN_RESULT, PEER, until

ADV_IND, ADV_DIRECT_IND, ADV_SCAN_IND, ADV_NONCONN_IND, SCAN_RSP = range(5)
OTHER = bytes.fromhex("112233445566")


def result(env: Env):
    central = env.mod("central")
    return central.ScanResult(env.aioble.Device(0, PEER))


def test_update_rule_rssi_change_is_a_change(env: Env) -> None:
    r = result(env)
    assert r._update(ADV_DIRECT_IND, -50, b"")
    assert not r._update(ADV_DIRECT_IND, -50, b"")
    assert r._update(ADV_DIRECT_IND, -51, b"")


def test_update_rule_adv_ind_payload_and_connectable(env: Env) -> None:
    r = result(env)
    assert r._update(ADV_IND, -50, b"\x02\x01\x06")
    assert r.connectable and r.adv_data == b"\x02\x01\x06"
    assert not r._update(ADV_IND, -50, b"\x02\x01\x06")
    # Same payload, now non-connectable: connectable only changes with the payload.
    assert not r._update(ADV_NONCONN_IND, -50, b"\x02\x01\x06")
    assert r.connectable
    assert r._update(ADV_NONCONN_IND, -50, b"\x02\x01\x04")
    assert not r.connectable


def test_update_rule_scan_ind_changes_only_with_a_scan_response(env: Env) -> None:
    r = result(env)
    r._update(ADV_SCAN_IND, -50, b"a")
    assert not r._update(ADV_SCAN_IND, -50, b"b")
    assert r.adv_data == b"b"
    assert r._update(SCAN_RSP, -50, b"resp")
    assert not r._update(SCAN_RSP, -50, b"")
    assert r.resp_data == b"resp"
    assert r._update(ADV_SCAN_IND, -50, b"c")


def test_scan_result_name_services_manufacturer(env: Env) -> None:
    r = result(env)
    r._update(ADV_IND, -40, b"\x02\x01\x06\x05\x03\x0f\x18\x1a\x18\x05\x05AB12\x05\xff\x01\x02xy")
    r._update(SCAN_RSP, -40, b"\x04\x09MPY\x05\x02\x0d\x18\x0e\x18\x03\xff\x05\x00\x01\xff")
    assert r.name() == "MPY"
    assert list(r.services()) == [
        bluetooth.UUID(0x180F), bluetooth.UUID(0x181A), bluetooth.UUID(0x180D),
        bluetooth.UUID(0x180E), bluetooth.UUID("AB12"),
    ]
    assert list(r.manufacturer()) == [(0x0201, b"xy"), (5, b"")]
    assert list(r.manufacturer(5)) == [(5, b"")]
    assert str(r) == "Scan result: Device(ADDR_PUBLIC, aa:bb:cc:dd:ee:ff) -40"


def test_scan_result_name_absent_empty_and_truncated_record(env: Env) -> None:
    r = result(env)
    r._update(ADV_IND, -40, b"\x02\x01\x06\x09\x09abc")
    assert r.name() == "abc"
    r = result(env)
    r._update(ADV_IND, -40, b"\x01\x08")
    assert r.name() == ""
    r = result(env)
    r._update(ADV_IND, -40, b"\x02\x01\x06")
    assert r.name() is None


async def test_scan_starts_with_defaults_and_yields_results_lifo(env: Env) -> None:
    found = []
    async with env.aioble.scan(0) as scanner:
        assert env.fake.called("gap_scan") == [(0, 1280000, 11250, False)]
        env.fake.inject(IRQ_SCAN_RESULT, (0, PEER, ADV_IND, -40, b"\x02\x01\x06"))
        env.fake.inject(IRQ_SCAN_RESULT, (0, OTHER, ADV_IND, -41, memoryview(b"\x02\x01\x06")))
        env.fake.inject(IRQ_SCAN_DONE, ())
        async for r in scanner:
            found.append(r.device.addr)
    assert found == [OTHER, PEER]


async def test_scan_same_device_yields_same_object_when_changed(env: Env) -> None:
    results = []
    async with env.aioble.scan(1000, interval_us=30000, window_us=30000, active=True) as scanner:
        env.fake.inject(IRQ_SCAN_RESULT, (0, PEER, ADV_IND, -40, b"\x02\x01\x06"))
        env.fake.inject(IRQ_SCAN_DONE, ())
        async for r in scanner:
            results.append(r)
            break
    async with env.aioble.scan(1000) as scanner:
        for rssi in (-40, -40, -45):
            env.fake.inject(IRQ_SCAN_RESULT, (0, PEER, ADV_IND, rssi, b"\x02\x01\x06"))
        env.fake.inject(IRQ_SCAN_DONE, ())
        second = [r async for r in scanner]
    assert env.fake.called("gap_scan")[0] == (1000, 30000, 30000, True)
    # LIFO: -45 first (changed), then -40 (changed back), then -40 again (unchanged).
    assert len(second) == 2 and second[0] is second[1]


async def test_breaking_out_cancels_the_scan(env: Env) -> None:
    async with env.aioble.scan(0) as scanner:
        env.fake.inject(IRQ_SCAN_RESULT, (0, PEER, ADV_IND, -40, b""))
        async for _ in scanner:
            break
    assert env.fake.called("gap_scan")[-1] == (None,)
    assert env.mod("central")._active_scanner is None


async def test_async_for_outside_async_with_is_assertion(env: Env) -> None:
    with pytest.raises(AssertionError):
        async for _ in env.aioble.scan(1000):
            pass


async def test_new_scan_cancels_the_previous(env: Env) -> None:
    first = env.aioble.scan(0)
    await first.__aenter__()
    async with env.aioble.scan(0) as second:
        assert env.fake.called("gap_scan")[1] == (None,)
        assert first._done
        env.fake.inject(IRQ_SCAN_DONE, ())
        assert [r async for r in second] == []
    with pytest.raises(StopAsyncIteration):
        await first.__anext__()


async def test_reports_while_loop_blocked_are_all_kept(env: Env) -> None:
    async with env.aioble.scan(0) as scanner:
        done = asyncio.get_running_loop().run_in_executor(None, lambda: [
            env.fake.inject(IRQ_SCAN_RESULT, (0, bytes([i]) * 6, ADV_IND, -40, b"")) for i in range(5)
        ])
        await done
        env.fake.inject(IRQ_SCAN_DONE, ())
        assert len([r async for r in scanner]) == 5


async def test_connect_cancels_active_scan_first(env: Env) -> None:
    scanner = env.aioble.scan(0)
    await scanner.__aenter__()
    task = asyncio.ensure_future(env.aioble.Device(0, PEER).connect())
    await until(lambda: env.fake.called("gap_connect"))
    names = [n for n, _ in env.fake.calls if n in ("gap_scan", "gap_connect")]
    assert names == ["gap_scan", "gap_scan", "gap_connect"]
    env.fake.inject(IRQ_PERIPHERAL_CONNECT, (9, 0, PEER))
    conn = await task
    assert conn._conn_handle == 9


async def test_connect_event_for_other_address_is_ignored(env: Env) -> None:
    task = asyncio.ensure_future(env.aioble.Device(0, PEER).connect(timeout_ms=50))
    await until(lambda: env.fake.called("gap_connect"))
    env.fake.inject(IRQ_PERIPHERAL_CONNECT, (9, 0, OTHER))
    with pytest.raises(asyncio.TimeoutError):
        await task
    assert 9 not in env.mod("device").DeviceConnection._connected


async def test_stop_ends_scan_iteration(env: Env) -> None:
    async def scan_all() -> list:
        async with env.aioble.scan(0) as scanner:
            return [r async for r in scanner]

    task = asyncio.ensure_future(scan_all())
    await until(lambda: env.fake.called("gap_scan"))
    await asyncio.sleep(0)
    env.aioble.stop()
    assert await task == []
