"""aioble.client: discovery, read/write, notified()/indicated() and subscribe."""

from __future__ import annotations

import asyncio

import pytest

import bluetooth

from .conftest import Env
from .helpers import (
    IRQ_GATTC_CHARACTERISTIC_DONE,
    IRQ_GATTC_CHARACTERISTIC_RESULT,
    IRQ_GATTC_DESCRIPTOR_DONE,
    IRQ_GATTC_DESCRIPTOR_RESULT,
    IRQ_GATTC_INDICATE,
    IRQ_GATTC_NOTIFY,
    IRQ_GATTC_READ_DONE,
    IRQ_GATTC_READ_RESULT,
    IRQ_GATTC_SERVICE_DONE,
    IRQ_GATTC_SERVICE_RESULT,
    IRQ_GATTC_WRITE_DONE,
    IRQ_PERIPHERAL_DISCONNECT,
    PEER,
    outgoing_connection,
    until,
)

SVC = bluetooth.UUID(0x181A)
CHR = bluetooth.UUID(0x2A6E)
H = 65  # connection handle


async def discovered_service(env: Env):
    conn = await outgoing_connection(env, conn_handle=H)
    task = asyncio.ensure_future(conn.service(SVC))
    await until(lambda: env.fake.called("gattc_discover_services"))
    env.fake.inject(IRQ_GATTC_SERVICE_RESULT, (H, 20, 30, SVC))
    env.fake.inject(IRQ_GATTC_SERVICE_DONE, (H, 0))
    return conn, await task


async def discovered_characteristic(env: Env, properties: int = 0x3E):
    conn, service = await discovered_service(env)
    task = asyncio.ensure_future(service.characteristic(CHR))
    await until(lambda: env.fake.called("gattc_discover_characteristics"))
    env.fake.inject(IRQ_GATTC_CHARACTERISTIC_RESULT, (H, 25, 22, properties, CHR))
    env.fake.inject(IRQ_GATTC_CHARACTERISTIC_DONE, (H, 0))
    return conn, await task


async def test_service_discovery_by_uuid(env: Env) -> None:
    conn, service = await discovered_service(env)
    assert env.fake.called("gattc_discover_services") == [(H, SVC)]
    assert service.uuid == SVC and service.connection is conn
    assert str(service) == "Service: 20 30 UUID(0x181a)"
    assert conn._discover is None


async def test_services_iterates_lifo_and_copies_uuids(env: Env) -> None:
    conn = await outgoing_connection(env, conn_handle=H)
    discovery = conn.services()
    first = asyncio.ensure_future(discovery.__anext__())
    await until(lambda: env.fake.called("gattc_discover_services"))
    assert env.fake.called("gattc_discover_services") == [(H, None)]
    env.fake.inject(IRQ_GATTC_SERVICE_RESULT, (H, 1, 5, bluetooth.UUID(0x1800)))
    env.fake.inject(IRQ_GATTC_SERVICE_RESULT, (H, 6, 9, bluetooth.UUID(0x1801)))
    env.fake.inject(IRQ_GATTC_SERVICE_DONE, (H, 0))
    got = [await first] + [s async for s in discovery]
    assert [s.uuid for s in got] == [bluetooth.UUID(0x1801), bluetooth.UUID(0x1800)]


async def test_discovery_in_progress_is_value_error(env: Env) -> None:
    conn = await outgoing_connection(env, conn_handle=H)
    abandoned = conn.services()
    task = asyncio.ensure_future(abandoned.__anext__())
    await until(lambda: env.fake.called("gattc_discover_services"))
    env.fake.inject(IRQ_GATTC_SERVICE_RESULT, (H, 1, 5, SVC))
    await task  # one result taken, then abandoned
    with pytest.raises(ValueError, match="Discovery in progress"):
        await conn.service(SVC)


async def test_discovery_error_status_just_ends_iteration(env: Env) -> None:
    conn = await outgoing_connection(env, conn_handle=H)
    task = asyncio.ensure_future(conn.service(SVC))
    await until(lambda: env.fake.called("gattc_discover_services"))
    env.fake.inject(IRQ_GATTC_SERVICE_DONE, (H, 0x10A))
    assert await task is None


async def test_discovery_ends_when_link_drops_without_done(env: Env) -> None:
    conn = await outgoing_connection(env, conn_handle=H)
    task = asyncio.ensure_future(conn.service(SVC))
    await until(lambda: env.fake.called("gattc_discover_services"))
    env.fake.inject(IRQ_PERIPHERAL_DISCONNECT, (H, 0, PEER))
    assert await task is None


async def test_characteristic_discovery_range_and_end_handle(env: Env) -> None:
    conn, char = await discovered_characteristic(env)
    assert env.fake.called("gattc_discover_characteristics") == [(H, 20, 30, CHR)]
    assert (char._value_handle, char._end_handle, char.properties) == (22, 25, 0x3E)
    assert char.connection is conn and char.uuid == CHR
    assert str(char) == "Characteristic: 25 22 62 UUID(0x2a6e)"


async def test_characteristic_end_handle_defaults_past_value(env: Env) -> None:
    client = env.mod("client")
    conn, service = await discovered_service(env)
    char = client.ClientCharacteristic(service, 22, 22, 0x02, CHR)
    assert char._end_handle == 24


async def test_descriptors_over_value_to_end_range(env: Env) -> None:
    conn, char = await discovered_characteristic(env)
    task = asyncio.ensure_future(char.descriptor(bluetooth.UUID(0x2902)))
    await until(lambda: env.fake.called("gattc_discover_descriptors"))
    assert env.fake.called("gattc_discover_descriptors") == [(H, 22, 25)]
    env.fake.inject(IRQ_GATTC_DESCRIPTOR_RESULT, (H, 23, bluetooth.UUID(0x2902)))
    env.fake.inject(IRQ_GATTC_DESCRIPTOR_RESULT, (H, 24, bluetooth.UUID(0x2901)))
    env.fake.inject(IRQ_GATTC_DESCRIPTOR_DONE, (H, 0))
    cccd = await task
    assert cccd._value_handle == 23 and cccd.properties == 0x0A
    assert str(cccd) == "Descriptor: 23 10 UUID(0x2902)"


async def test_read_returns_last_result(env: Env) -> None:
    conn, char = await discovered_characteristic(env)
    task = asyncio.ensure_future(char.read())
    await until(lambda: env.fake.called("gattc_read"))
    env.fake.inject(IRQ_GATTC_READ_RESULT, (H, 22, memoryview(b"25.1")))
    env.fake.inject(IRQ_GATTC_READ_DONE, (H, 22, 0))
    assert await task == b"25.1"


async def test_read_error_status_is_gatt_error(env: Env) -> None:
    conn, char = await discovered_characteristic(env)
    task = asyncio.ensure_future(char.read())
    await until(lambda: env.fake.called("gattc_read"))
    env.fake.inject(IRQ_GATTC_READ_DONE, (H, 22, 0x102))
    with pytest.raises(env.aioble.GattError) as err:
        await task
    assert err.value._status == 0x102


async def test_read_timeout_and_disconnect(env: Env) -> None:
    conn, char = await discovered_characteristic(env)
    with pytest.raises(asyncio.TimeoutError):
        await char.read(timeout_ms=10)
    task = asyncio.ensure_future(char.read())
    await until(lambda: len(env.fake.called("gattc_read")) == 2)
    env.fake.inject(IRQ_PERIPHERAL_DISCONNECT, (H, 0, PEER))
    with pytest.raises(env.aioble.DeviceDisconnectedError):
        await task
    with pytest.raises(env.aioble.DeviceDisconnectedError):
        await char.read()


async def test_unsupported_operations(env: Env) -> None:
    conn, char = await discovered_characteristic(env, properties=0)
    for call in (char.read(), char.write(b"x"), char.notified(), char.indicated()):
        with pytest.raises(ValueError, match="Unsupported"):
            await call


async def test_write_default_mode_follows_properties(env: Env) -> None:
    client = env.mod("client")
    conn, service = await discovered_service(env)
    nr = client.ClientCharacteristic(service, 30, 22, 0x0C, CHR)  # write + write-no-response
    await nr.write("x")
    assert env.fake.called("gattc_write")[-1] == (H, 22, b"x", 0)
    wo = client.ClientCharacteristic(service, 30, 24, 0x08, CHR)  # write only: with response
    task = asyncio.ensure_future(wo.write(b"y"))
    await until(lambda: len(env.fake.called("gattc_write")) == 2)
    assert env.fake.called("gattc_write")[-1] == (H, 24, b"y", 1)
    env.fake.inject(IRQ_GATTC_WRITE_DONE, (H, 24, 0))
    await task


async def test_write_with_response_error_is_gatt_error(env: Env) -> None:
    conn, char = await discovered_characteristic(env)
    task = asyncio.ensure_future(char.write(b"z", response=True))
    await until(lambda: env.fake.called("gattc_write"))
    env.fake.inject(IRQ_GATTC_WRITE_DONE, (H, 22, 0x103))
    with pytest.raises(env.aioble.GattError):
        await task


async def test_notified_keeps_only_latest_unconsumed_value(env: Env) -> None:
    conn, char = await discovered_characteristic(env)
    char._register_with_connection()
    for value in (b"direct-0", b"direct-1", b"direct-2"):
        env.fake.inject(IRQ_GATTC_NOTIFY, (H, 22, value))
    assert await char.notified() == b"direct-2"
    with pytest.raises(asyncio.TimeoutError):
        await char.notified(timeout_ms=10)


async def test_notified_waits_for_next_value(env: Env) -> None:
    conn, char = await discovered_characteristic(env)
    task = asyncio.ensure_future(char.notified())
    await until(lambda: 22 in conn._characteristics)
    env.fake.inject(IRQ_GATTC_NOTIFY, (H, 22, bytearray(b"n")))
    assert await task == b"n"


async def test_notifications_before_registration_are_dropped(env: Env) -> None:
    conn, char = await discovered_characteristic(env)
    env.fake.inject(IRQ_GATTC_NOTIFY, (H, 22, b"early"))
    with pytest.raises(asyncio.TimeoutError):
        await char.notified(timeout_ms=10)


async def test_indicated_is_separate_from_notified(env: Env) -> None:
    conn, char = await discovered_characteristic(env)
    char._register_with_connection()
    env.fake.inject(IRQ_GATTC_INDICATE, (H, 22, b"ind"))
    env.fake.inject(IRQ_GATTC_NOTIFY, (H, 22, b"not"))
    assert await char.indicated() == b"ind"
    assert await char.notified() == b"not"


async def test_notified_raises_disconnected_on_link_loss(env: Env) -> None:
    conn, char = await discovered_characteristic(env)
    task = asyncio.ensure_future(char.notified())
    await until(lambda: conn._timeouts)
    env.fake.inject(IRQ_PERIPHERAL_DISCONNECT, (H, 0, PEER))
    with pytest.raises(env.aioble.DeviceDisconnectedError):
        await task


async def test_subscribe_writes_cccd(env: Env) -> None:
    conn, char = await discovered_characteristic(env)
    for notify, indicate, value in ((True, False, b"\x01\x00"), (False, True, b"\x02\x00"),
                                    (False, False, b"\x00\x00")):
        env.fake.calls.clear()
        task = asyncio.ensure_future(char.subscribe(notify=notify, indicate=indicate))
        await until(lambda: env.fake.called("gattc_discover_descriptors"))
        env.fake.inject(IRQ_GATTC_DESCRIPTOR_RESULT, (H, 23, bluetooth.UUID(0x2902)))
        env.fake.inject(IRQ_GATTC_DESCRIPTOR_DONE, (H, 0))
        await until(lambda: env.fake.called("gattc_write"))
        assert env.fake.called("gattc_write") == [(H, 23, value, 1)]
        env.fake.inject(IRQ_GATTC_WRITE_DONE, (H, 23, 0))
        await task


async def test_subscribe_without_cccd_is_value_error(env: Env) -> None:
    conn, char = await discovered_characteristic(env)
    task = asyncio.ensure_future(char.subscribe())
    await until(lambda: env.fake.called("gattc_discover_descriptors"))
    env.fake.inject(IRQ_GATTC_DESCRIPTOR_DONE, (H, 0))
    with pytest.raises(ValueError, match="CCCD not found"):
        await task


async def test_client_module_is_imported_lazily_by_services(env: Env) -> None:
    import sys

    conn = await outgoing_connection(env, conn_handle=H)
    assert "aioble.client" not in sys.modules
    conn.services()
    assert "aioble.client" in sys.modules
