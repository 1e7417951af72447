"""Bad input from the controller is logged and dropped; loss and desync never leave anything hanging."""

from __future__ import annotations

import asyncio
import struct

import pytest

from aioble_hci.hci import commands as cmd
from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import OpCode
from aioble_hci.host.errors import ControllerLostError
from tests.faults.helpers import connect, until
from tests.scripted.controller import acl, event


async def test_truncated_and_over_long_events_are_dropped_and_the_host_keeps_working(scripted_host) -> None:
    host, controller = await scripted_host()
    controller.send_raw(event(0x0E, b"\x01\x09"))  # Command Complete cut before its opcode ends
    controller.send_raw(event(0x05, struct.pack("<BHBB", 0, 0x40, 0x13, 0xEE)))  # Disconnection Complete + 1 byte
    controller.send_raw(event(0x3E, b"\x01\x00\x40"))  # LE Connection Complete cut short
    await until(lambda: host.dropped_packets >= 3)
    ret = await host.send_command(cmd.ReadBdAddr())
    assert ret.bd_addr.value == bytes(6)


async def test_malformed_acl_is_dropped_and_a_following_pdu_is_delivered(scripted_host) -> None:
    host, controller = await scripted_host()
    await connect(host, controller)
    received: asyncio.Queue[bytes] = asyncio.Queue()
    host.register_fixed_channel(0x0004, lambda conn, pdu: received.put_nowait(pdu))
    controller.send_raw(acl(0x0040, 0b01, b"orphan continuation"))
    controller.send_raw(acl(0x0040, 0b10, struct.pack("<HH", 2, 0x0004) + b"too long for its header"))
    controller.send_raw(acl(0x0099, 0b10, struct.pack("<HH", 1, 0x0004) + b"?"))  # no such connection
    await until(lambda: host.dropped_packets >= 3)
    controller.send_raw(acl(0x0040, 0b10, struct.pack("<HH", 3, 0x0004) + b"\x0a\x01\x00"))
    assert await asyncio.wait_for(received.get(), 5) == b"\x0a\x01\x00"


async def test_a_raising_event_callback_does_not_stop_dispatch(scripted_host) -> None:
    host, controller = await scripted_host()
    seen: list[int] = []

    def broken(event: object) -> None:
        raise RuntimeError("application bug")

    host.on_event(ev.LeConnectionComplete, broken)
    host.on_event(ev.LeConnectionComplete, lambda e: seen.append(e.connection_handle))
    await connect(host, controller, 0x0041)
    assert seen == [0x0041]


async def test_stray_byte_from_the_controller_resets_it_and_the_host_recovers(scripted_host) -> None:
    host, controller = await scripted_host()
    resets_before = controller.opcodes().count(OpCode.RESET)
    controller.send_raw(b"\x7f")
    await asyncio.to_thread(controller.wait_for, lambda: controller.opcodes().count(OpCode.RESET) > resets_before)
    await until(lambda: host.resyncs > 0 and host._resync_task is None)
    assert host.controller_info.manufacturer == 0x05F1
    version = await host.send_command(cmd.ReadLocalVersionInformation())
    assert version.hci_version == 0x0D


async def test_closing_the_pty_fails_pending_commands_and_waiters_promptly(scripted_host) -> None:
    host, controller = await scripted_host()
    controller.hold_commands = True
    pending = asyncio.create_task(host.send_command(cmd.ReadBdAddr(), timeout=60))
    queued = asyncio.create_task(host.send_command(cmd.LeReadBufferSize(), timeout=60))
    waiter = asyncio.create_task(host.wait_for_event(ev.DisconnectionComplete))
    await asyncio.to_thread(controller.wait_for, lambda: len(controller.held) == 1)
    lost: list[BaseException] = []
    host.on_lost(lost.append)
    controller.close()
    for task in (pending, queued, waiter):
        with pytest.raises(ControllerLostError):
            await asyncio.wait_for(task, 5)
    assert len(lost) == 1
    with pytest.raises(ControllerLostError):
        await host.send_command(cmd.ReadBdAddr())


async def test_connections_are_dropped_when_the_controller_is_lost(scripted_host) -> None:
    host, controller = await scripted_host()
    await connect(host, controller)
    conn = host.connections[0x0040]
    controller.close()
    await asyncio.wait_for(conn.closed.wait(), 5)
    assert host.connections == {}
    with pytest.raises(ControllerLostError):
        host.send_l2cap(0x0040, 4, b"x")


async def test_a_lost_controller_ends_each_connection_with_a_disconnection_event(scripted_host) -> None:
    host, controller = await scripted_host()
    await connect(host, controller)
    ended: list[ev.DisconnectionComplete] = []
    host.on_event(ev.DisconnectionComplete, ended.append)
    controller.close()
    await until(lambda: ended)
    assert [(e.connection_handle, e.reason) for e in ended] == [(0x0040, 0x03)]


async def test_a_desync_reset_ends_each_connection_with_a_disconnection_event(scripted_host) -> None:
    host, controller = await scripted_host()
    await connect(host, controller)
    ended: list[ev.DisconnectionComplete] = []
    host.on_event(ev.DisconnectionComplete, ended.append)
    controller.send_raw(b"\x7f")
    await until(lambda: host.resyncs > 0 and host._resync_task is None)
    assert [(e.connection_handle, e.reason) for e in ended] == [(0x0040, 0x03)]
    assert host.connections == {}


async def test_closing_the_host_tells_the_lost_subscribers(scripted_host) -> None:
    host, controller = await scripted_host()
    lost: list[BaseException] = []
    host.on_lost(lost.append)
    await host.close()
    assert len(lost) == 1 and isinstance(lost[0], ControllerLostError)
