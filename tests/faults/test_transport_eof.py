"""EOF on the transport mid-operation: every pending operation fails promptly with ControllerLostError."""

from __future__ import annotations

import asyncio

import pytest

from aioble_hci.hci import commands as cmd
from aioble_hci.hci import events as ev
from aioble_hci.host.errors import ControllerLostError
from tests.faults.helpers import WAIT, connect, on_controller
from tests.scripted.controller import ControllerConfig


async def test_eof_during_the_init_sequence_fails_start(scripted_host) -> None:
    host, controller = await scripted_host(start=False)
    controller.hold_commands = True
    starting = asyncio.create_task(host.start())
    await on_controller(controller, lambda: len(controller.held) == 1)
    controller.close()
    with pytest.raises(ControllerLostError):
        await asyncio.wait_for(starting, WAIT)


async def test_eof_with_acl_queued_ends_the_connection_and_drops_the_queue(scripted_host) -> None:
    host, controller = await scripted_host(ControllerConfig(acl_buffers=2, auto_complete_acl=False))
    await connect(host, controller)
    conn = host.connections[0x0040]
    for _ in range(4):
        host.send_l2cap(0x0040, 0x0004, b"x")
    await on_controller(controller, lambda: len(controller.acl_packets) == 2)
    assert host.acl.queued == 2
    controller.close()
    await asyncio.wait_for(conn.closed.wait(), WAIT)
    assert host.acl.queued == 0 and host.connections == {}
    with pytest.raises(ControllerLostError):
        host.send_l2cap(0x0040, 0x0004, b"x")


async def test_eof_fails_in_flight_and_queued_commands_and_event_waiters_at_once(scripted_host) -> None:
    host, controller = await scripted_host()
    controller.hold_commands = True
    pending = [asyncio.create_task(host.send_command(c, timeout=60))
               for c in (cmd.ReadBdAddr(), cmd.LeReadBufferSize(), cmd.ReadLocalVersionInformation())]
    waiter = asyncio.create_task(host.wait_for_event(ev.LeConnectionComplete))
    await on_controller(controller, lambda: len(controller.held) == 1)
    controller.close()
    results = await asyncio.wait_for(asyncio.gather(*pending, waiter, return_exceptions=True), WAIT)
    assert all(isinstance(r, ControllerLostError) for r in results)
    assert host.commands.queued == 0 and host.commands.in_flight == 0
