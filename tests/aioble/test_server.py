"""aioble.server: registration, values, written() and write capture, notify/indicate."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

import bluetooth

from .conftest import Env
from .helpers import (
    IRQ_CENTRAL_DISCONNECT,
    IRQ_GATTS_INDICATE_DONE,
    IRQ_GATTS_READ_REQUEST,
    IRQ_GATTS_WRITE,
    PEER,
    current_cancelling,
    incoming_connection,
    until,
)

SVC = bluetooth.UUID(0x181A)


def remote_write(env: Env, conn_handle: int, char, data: bytes) -> None:
    """The host stores the value, then raises GATTS_WRITE, all on the host thread."""

    def write() -> None:
        env.fake.remote_write(char._value_handle, data)
        env.fake._deliver(IRQ_GATTS_WRITE, (conn_handle, char._value_handle))

    env.fake.on_host(write).result(timeout=10)


def register_one(env: Env, **flags: Any) -> Any:
    """One characteristic (UUID 1, with `flags`) in the SVC service, registered: returns it."""
    service = env.aioble.Service(SVC)
    char = env.aioble.Characteristic(service, bluetooth.UUID(1), **flags)
    env.aioble.register_services(service)
    return char


async def serve_one(env: Env, **flags: Any) -> tuple[Any, Any]:
    """`register_one`, then a central connects on handle 64: returns (characteristic, connection)."""
    char = register_one(env, **flags)
    return char, await incoming_connection(env, conn_handle=64)


def test_characteristic_flags_and_registration_tuples(env: Env) -> None:
    aioble = env.aioble
    service = aioble.Service(SVC)
    a = aioble.Characteristic(service, bluetooth.UUID(0x2A6E), read=True, notify=True)
    b = aioble.Characteristic(service, bluetooth.UUID(0x2A6F), write=True, capture=True)
    c = aioble.Characteristic(service, bluetooth.UUID(0x2A70), write_no_response=True, indicate=True)
    d = aioble.Descriptor(a, bluetooth.UUID(0x2901), read=True, write=True)
    assert service.characteristics == [a, b, c] and a.descriptors == [d]
    assert (a.flags, b.flags & 0xFFFF, c.flags, d.flags) == (0x12, 0x08, 0x24, 0x0A)
    assert b.flags & 0x10000  # capture is aioble-private and never reaches the LL
    aioble.register_services(service)
    (services,) = env.fake.called("gatts_register_services")[0]
    assert services == (
        (SVC, (
            (bluetooth.UUID(0x2A6E), 0x12, ((bluetooth.UUID(0x2901), 0x0A),)),
            (bluetooth.UUID(0x2A6F), 0x08),
            (bluetooth.UUID(0x2A70), 0x24),
        )),
    )


def test_handles_assigned_in_construction_order_with_descriptors(env: Env) -> None:
    aioble = env.aioble
    s1 = aioble.Service(SVC)
    a = aioble.Characteristic(s1, bluetooth.UUID(1), read=True, notify=True)
    d = aioble.Descriptor(a, bluetooth.UUID(2), read=True)
    b = aioble.Characteristic(s1, bluetooth.UUID(3), read=True)
    s2 = aioble.Service(bluetooth.UUID(0x180F))
    c = aioble.Characteristic(s2, bluetooth.UUID(4), read=True)
    assert aioble.register_services(s1, s2) is None
    assert env.fake.active()
    # Fake layout: 11 service, 12/13 a, 14 CCCD, 15 d, 16/17 b, 18 service, 19/20 c.
    assert (a._value_handle, d._value_handle, b._value_handle, c._value_handle) == (13, 15, 17, 20)


def test_flags_are_read_at_registration_time(env: Env) -> None:
    aioble = env.aioble
    service = aioble.Service(SVC)
    char = aioble.Characteristic(service, bluetooth.UUID(1), read=True)
    char.flags |= 0x0200
    aioble.register_services(service)
    assert env.fake.called("gatts_register_services")[0][0][0][1][0][1] == 0x0202


def test_read_and_write_before_registration_use_initial(env: Env) -> None:
    aioble = env.aioble
    service = aioble.Service(SVC)
    char = aioble.Characteristic(service, bluetooth.UUID(1), read=True, initial=b"init")
    assert char.read() == b"init"
    char.write("text")
    assert char.read() == "text"
    empty = aioble.Characteristic(service, bluetooth.UUID(2), read=True)
    assert empty.read() == b""
    assert env.fake.calls == []
    aioble.register_services(service)
    assert env.fake.values[char._value_handle] == b"text"
    assert char.read() == b"text"


def test_write_after_registration_goes_to_ll_with_send_update(env: Env) -> None:
    char = register_one(env, read=True, notify=True)
    char.write("périph", send_update=True)
    assert env.fake.called("gatts_write")[-1] == (char._value_handle, "périph".encode(), True)
    char.write(memoryview(b"mv"))
    assert char.read() == b"mv"


def test_initial_value_reapplied_on_each_registration(env: Env) -> None:
    aioble = env.aioble
    service = aioble.Service(SVC)
    hello = aioble.Characteristic(service, bluetooth.UUID(1), read=True, initial=b"hello")
    other = aioble.Characteristic(service, bluetooth.UUID(2), read=True, write=True)
    for cycle in range(3):
        aioble.register_services(service)
        other.write(f"cycle{cycle}")
        assert hello.read() == b"hello"
        assert other.read() == f"cycle{cycle}".encode()
        aioble.stop()


def test_buffered_characteristic_sets_buffer_after_initial(env: Env) -> None:
    aioble = env.aioble
    service = aioble.Service(SVC)
    plain = aioble.BufferedCharacteristic(service, bluetooth.UUID(1), write=True, initial=b"lost")
    big = aioble.BufferedCharacteristic(service, bluetooth.UUID(2), write=True, max_len=80, append=True)
    aioble.register_services(service)
    assert env.fake.called("gatts_set_buffer") == [
        (plain._value_handle, 20, False),
        (big._value_handle, 80, True),
    ]
    names = [n for n, _ in env.fake.calls if n in ("gatts_write", "gatts_set_buffer")]
    assert names == ["gatts_write", "gatts_set_buffer", "gatts_set_buffer"]
    assert plain.read() == b""


async def test_written_returns_connection_and_coalesces(env: Env) -> None:
    char, conn = await serve_one(env, read=True, write=True)
    for value in (b"central0", b"central1", b"central2"):
        remote_write(env, 64, char, value)
    assert await char.written() is conn
    assert char.read() == b"central2"
    with pytest.raises(asyncio.TimeoutError):
        await char.written(timeout_ms=10)
    assert current_cancelling() == 0


async def test_written_on_read_only_characteristic_returns_none(env: Env) -> None:
    char = register_one(env, read=True)
    assert await char.written() is None


async def test_written_is_not_disconnect_aware(env: Env) -> None:
    char, conn = await serve_one(env, write=True)
    waiter = asyncio.ensure_future(char.written())
    env.fake.inject(IRQ_CENTRAL_DISCONNECT, (64, 0, PEER))
    await conn.disconnected()
    await asyncio.sleep(0.01)
    assert not waiter.done()
    waiter.cancel()


async def test_written_inside_connection_timeout_raises_disconnected(env: Env) -> None:
    char, conn = await serve_one(env, write=True)

    async def wait_write() -> None:
        with conn.timeout(None):
            await char.written()

    waiter = asyncio.ensure_future(wait_write())
    await until(lambda: conn._timeouts)
    env.fake.inject(IRQ_CENTRAL_DISCONNECT, (64, 0, PEER))
    with pytest.raises(env.aioble.DeviceDisconnectedError):
        await waiter


async def test_capture_returns_each_write_with_its_value(env: Env) -> None:
    char, conn = await serve_one(env, write=True, capture=True)
    for i in range(5):
        remote_write(env, 64, char, f"central{i}".encode())
    env.fake.inject(IRQ_CENTRAL_DISCONNECT, (64, 0, PEER))
    got = [await char.written() for _ in range(5)]
    assert got == [(conn, f"central{i}".encode()) for i in range(5)]


async def test_capture_keeps_global_order_while_loop_is_blocked(env: Env) -> None:
    aioble = env.aioble
    service = aioble.Service(SVC)
    a = aioble.Characteristic(service, bluetooth.UUID(1), write=True, capture=True)
    b = aioble.Characteristic(service, bluetooth.UUID(2), write=True, capture=True)
    aioble.register_services(service)
    await incoming_connection(env, conn_handle=64)
    received: list[str] = []

    async def consume(char, name: str) -> None:
        while True:
            _, data = await char.written()
            received.append(f"{name}:{data.decode()}")

    tasks = [asyncio.ensure_future(consume(a, "a")), asyncio.ensure_future(consume(b, "b"))]
    await asyncio.sleep(0)
    done = threading.Event()

    def writer() -> None:
        for i in range(6):
            remote_write(env, 64, a if i % 3 else b, f"w{i}".encode())
        done.set()

    threading.Thread(target=writer).start()
    done.wait(10)  # blocks this loop while every write arrives (like time.sleep_ms)
    await until(lambda: len(received) == 6)
    assert received == ["b:w0", "a:w1", "a:w2", "b:w3", "a:w4", "a:w5"]
    for task in tasks:
        task.cancel()


async def test_capture_queue_drops_oldest_beyond_ten(env: Env) -> None:
    char, _ = await serve_one(env, write=True, capture=True)
    for i in range(13):
        remote_write(env, 64, char, bytes([i]))
    got = [(await char.written())[1] for _ in range(10)]
    assert got == [bytes([i]) for i in range(3, 13)]
    with pytest.raises(asyncio.TimeoutError):
        await char.written(timeout_ms=10)


async def test_capture_head_of_line_blocks_other_characteristics(env: Env) -> None:
    aioble = env.aioble
    service = aioble.Service(SVC)
    a = aioble.Characteristic(service, bluetooth.UUID(1), write=True, capture=True)
    b = aioble.Characteristic(service, bluetooth.UUID(2), write=True, capture=True)
    aioble.register_services(service)
    await incoming_connection(env, conn_handle=64)
    remote_write(env, 64, a, b"first")
    remote_write(env, 64, b, b"second")
    with pytest.raises(asyncio.TimeoutError):
        await b.written(timeout_ms=20)
    assert (await a.written())[1] == b"first"
    assert (await b.written())[1] == b"second"


async def test_capture_snapshots_append_buffers_at_write_time(env: Env) -> None:
    aioble = env.aioble
    service = aioble.Service(SVC)
    char = aioble.BufferedCharacteristic(
        service, bluetooth.UUID(1), write=True, capture=True, max_len=40, append=True
    )
    aioble.register_services(service)
    await incoming_connection(env, conn_handle=64)
    remote_write(env, 64, char, b"one")
    remote_write(env, 64, char, b"two")
    assert [(await char.written())[1] for _ in range(2)] == [b"one", b"two"]


async def test_capture_works_after_stop_and_reregistration(env: Env) -> None:
    aioble = env.aioble
    service = aioble.Service(SVC)
    char = aioble.Characteristic(service, bluetooth.UUID(1), write=True, capture=True)
    for cycle in range(2):
        aioble.register_services(service)
        await incoming_connection(env, conn_handle=64 + cycle)
        remote_write(env, 64 + cycle, char, f"c{cycle}".encode())
        assert (await char.written())[1] == f"c{cycle}".encode()
        aioble.stop()


def test_capture_registered_outside_a_loop_then_used_in_asyncio_run(env: Env) -> None:
    char = register_one(env, write=True, capture=True)

    async def main() -> bytes:
        await incoming_connection(env, conn_handle=64)
        remote_write(env, 64, char, b"x")
        return (await char.written())[1]

    assert asyncio.run(main()) == b"x"
    env.aioble.stop()


async def test_on_read_answers_read_requests(env: Env) -> None:
    aioble = env.aioble
    seen = []

    class Guarded(aioble.Characteristic):  # type: ignore[name-defined]
        def on_read(self, connection):
            seen.append(connection)
            self.write(b"fresh")
            return 0x05

    service = aioble.Service(SVC)
    char = Guarded(service, bluetooth.UUID(1), read=True)
    plain = aioble.Characteristic(service, bluetooth.UUID(2), read=True)
    aioble.register_services(service)
    conn = await incoming_connection(env, conn_handle=64)
    assert env.fake.inject(IRQ_GATTS_READ_REQUEST, (64, char._value_handle)) == 0x05
    assert seen == [conn] and char.read() == b"fresh"
    assert env.fake.inject(IRQ_GATTS_READ_REQUEST, (64, plain._value_handle)) == 0
    assert env.fake.inject(IRQ_GATTS_READ_REQUEST, (64, 999)) is None


async def test_notify_sends_stored_or_explicit_value(env: Env) -> None:
    char, conn = await serve_one(env, read=True, notify=True)
    char.notify(conn)
    char.notify(conn, "periph2")
    assert env.fake.called("gatts_notify") == [
        (64, char._value_handle, None),
        (64, char._value_handle, b"periph2"),
    ]


async def test_notify_and_indicate_without_flag_are_not_supported(env: Env) -> None:
    char, conn = await serve_one(env, read=True)
    with pytest.raises(ValueError, match="Not supported"):
        char.notify(conn)
    with pytest.raises(ValueError, match="Not supported"):
        await char.indicate(conn)


async def test_indicate_waits_for_confirmation(env: Env) -> None:
    char, conn = await serve_one(env, read=True, indicate=True)
    task = asyncio.ensure_future(char.indicate(conn, "ind"))
    await until(lambda: env.fake.called("gatts_indicate"))
    with pytest.raises(ValueError, match="In progress"):
        await char.indicate(conn)
    env.fake.inject(IRQ_GATTS_INDICATE_DONE, (64, char._value_handle, 0))
    await task
    assert env.fake.called("gatts_indicate") == [(64, char._value_handle, b"ind")]


async def test_indicate_error_status_raises_gatt_error(env: Env) -> None:
    char, conn = await serve_one(env, indicate=True)
    task = asyncio.ensure_future(char.indicate(conn))
    await until(lambda: env.fake.called("gatts_indicate"))
    env.fake.inject(IRQ_GATTS_INDICATE_DONE, (64, char._value_handle, 13))
    with pytest.raises(env.aioble.GattError) as err:
        await task
    assert err.value._status == 13


async def test_indicate_timeout_then_next_indicate_allowed(env: Env) -> None:
    char, conn = await serve_one(env, indicate=True)
    with pytest.raises(asyncio.TimeoutError):
        await char.indicate(conn, timeout_ms=10)
    # A late confirmation of the timed-out indication must not satisfy the next one.
    env.fake.inject(IRQ_GATTS_INDICATE_DONE, (64, char._value_handle, 0))
    with pytest.raises(asyncio.TimeoutError):
        await char.indicate(conn, timeout_ms=10)


async def test_indicate_not_connected(env: Env) -> None:
    char = register_one(env, indicate=True)
    conn = env.mod("device").DeviceConnection(env.aioble.Device(0, PEER))
    with pytest.raises(ValueError, match="Not connected"):
        await char.indicate(conn)


async def test_indicate_raises_disconnected_on_link_loss(env: Env) -> None:
    char, conn = await serve_one(env, indicate=True)
    task = asyncio.ensure_future(char.indicate(conn))
    await until(lambda: env.fake.called("gatts_indicate"))
    env.fake.inject(IRQ_CENTRAL_DISCONNECT, (64, 0, PEER))
    with pytest.raises(env.aioble.DeviceDisconnectedError):
        await task


async def test_descriptor_written_returns_connection(env: Env) -> None:
    aioble = env.aioble
    service = aioble.Service(SVC)
    char = aioble.Characteristic(service, bluetooth.UUID(1), read=True)
    desc = aioble.Descriptor(char, bluetooth.UUID(0x2901), read=True, write=True, initial="d")
    aioble.register_services(service)
    conn = await incoming_connection(env, conn_handle=64)
    assert desc.read() == b"d"
    remote_write(env, 64, desc, b"new")
    assert await desc.written() is conn
    assert desc.read() == b"new"


def test_reregistration_replaces_handle_map(env: Env) -> None:
    aioble = env.aioble
    s1 = aioble.Service(SVC)
    old = aioble.Characteristic(s1, bluetooth.UUID(1), read=True)
    aioble.register_services(s1)
    s2 = aioble.Service(bluetooth.UUID(0x180F))
    new = aioble.Characteristic(s2, bluetooth.UUID(2), read=True)
    aioble.register_services(s2)
    server = env.mod("server")
    assert list(server._registered_characteristics.values()) == [new]
    assert old._value_handle is None
