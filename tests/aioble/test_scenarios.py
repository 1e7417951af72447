"""Whole-flow scenarios modelled on the aioble multitests, on the fake LL."""

from __future__ import annotations

import asyncio
import threading
import time

import bluetooth

from .conftest import Env
from .helpers import (
    IRQ_CENTRAL_CONNECT,
    IRQ_CENTRAL_DISCONNECT,
    IRQ_GATTS_WRITE,
    IRQ_L2CAP_CONNECT,
    IRQ_L2CAP_DISCONNECT,
    IRQ_L2CAP_RECV,
    PEER,
    until,
)


async def test_written_coalesces_writes_arriving_while_loop_sleeps(env: Env) -> None:
    aioble = env.aioble
    service = aioble.Service(bluetooth.UUID(0x181A))
    char = aioble.Characteristic(service, bluetooth.UUID(1), write=True)
    aioble.register_services(service)
    advertising = asyncio.ensure_future(aioble.advertise(20000))
    await until(lambda: env.fake.called("gap_advertise"))
    finished = threading.Event()

    def central() -> None:
        env.fake.inject(IRQ_CENTRAL_CONNECT, (64, 0, PEER))
        for i in range(3):
            env.fake.remote_write(char._value_handle, f"central{i}".encode())
            env.fake.inject(IRQ_GATTS_WRITE, (64, char._value_handle))
        finished.set()

    threading.Thread(target=central).start()
    while not finished.is_set():
        time.sleep(0.005)  # the application blocks its loop, as time.sleep_ms does
    conn = await advertising
    assert await char.written() is conn
    assert char.read() == b"central2"


async def test_stop_and_restart_three_times_in_one_loop(env: Env) -> None:
    aioble = env.aioble
    for cycle in range(3):
        service = aioble.Service(bluetooth.UUID(0x181A))
        char = aioble.Characteristic(service, bluetooth.UUID(1), read=True)
        aioble.register_services(service)
        char.write(f"cycle{cycle}")
        advertising = asyncio.ensure_future(aioble.advertise(20000))
        await until(lambda n=cycle: len(env.fake.called("gap_advertise")) == n + 1)
        env.fake.inject(IRQ_CENTRAL_CONNECT, (64, 0, PEER))
        conn = await advertising
        accepting = asyncio.ensure_future(conn.l2cap_accept(22, 128))
        await until(lambda c=conn: c._l2cap_channel is not None)
        env.fake.inject(IRQ_L2CAP_CONNECT, (64, 0x40, 22, 128, 128))
        channel = await accepting
        env.fake.l2cap_sdu = bytearray(f"l2cap-{cycle}".encode())
        env.fake.inject(IRQ_L2CAP_RECV, (64, 0x40))
        buf = bytearray(10)
        n = await channel.recvinto(buf)
        assert buf[:n] == f"l2cap-{cycle}".encode()
        env.fake.inject(IRQ_L2CAP_DISCONNECT, (64, 0x40, 22, 0))
        await channel.disconnected(5000)
        env.fake.inject(IRQ_CENTRAL_DISCONNECT, (64, 0, PEER))
        await conn.disconnected()
        aioble.stop()
    assert env.fake.called("l2cap_listen") == [(22, 128)] * 3
    assert [a for a in env.fake.called("active")] == [(True,), (False,)] * 3


def test_process_can_exit_after_run_and_final_stop(env: Env) -> None:
    aioble = env.aioble
    service = aioble.Service(bluetooth.UUID(0x181A))
    char = aioble.Characteristic(service, bluetooth.UUID(1), write=True, capture=True)

    async def main() -> None:
        aioble.register_services(service)
        advertising = asyncio.ensure_future(aioble.advertise(20000))
        await until(lambda: env.fake.called("gap_advertise"))
        env.fake.inject(IRQ_CENTRAL_CONNECT, (64, 0, PEER))
        conn = await advertising
        env.fake.remote_write(char._value_handle, b"x")
        env.fake.inject(IRQ_GATTS_WRITE, (64, char._value_handle))
        assert await char.written() == (conn, b"x")

    before = {t for t in threading.enumerate() if not t.daemon}
    asyncio.run(main())
    aioble.stop()
    # Events after the loop closed are harmless.
    env.fake.inject(IRQ_CENTRAL_DISCONNECT, (64, 0, PEER))
    assert {t for t in threading.enumerate() if not t.daemon} <= before
