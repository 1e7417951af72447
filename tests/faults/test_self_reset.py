"""A controller that resets itself (an unsolicited Command Complete for HCI_Reset): detected, re-initialised."""

from __future__ import annotations

import asyncio

from aioble_hci.hci import commands as cmd
from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import OpCode, StatusCode
from tests.faults.helpers import WAIT, connect, reinitialised
from tests.scripted.controller import command_complete


async def test_unsolicited_reset_complete_makes_the_host_reinitialise_the_controller(scripted_host) -> None:
    host, controller = await scripted_host()
    resets = controller.opcodes().count(OpCode.RESET)
    done = reinitialised(host)
    controller.send_raw(command_complete(1, OpCode.RESET, b"\x00"))
    assert "reset itself" in await asyncio.wait_for(done, WAIT)
    assert controller.opcodes().count(OpCode.RESET) == resets + 1
    assert (await host.send_command(cmd.ReadBdAddr())).bd_addr.value == bytes(6)


async def test_connections_lost_in_a_self_reset_end_with_a_disconnection_event(scripted_host) -> None:
    host, controller = await scripted_host()
    await connect(host, controller, 0x0042)
    ended: list[ev.DisconnectionComplete] = []
    host.on_event(ev.DisconnectionComplete, ended.append)
    done = reinitialised(host)
    controller.send_raw(command_complete(1, OpCode.RESET, b"\x00"))
    await asyncio.wait_for(done, WAIT)
    assert [(e.connection_handle, e.reason) for e in ended] == [(0x0042, StatusCode.HARDWARE_FAILURE)]
    assert host.connections == {}


async def test_the_hosts_own_reset_is_not_mistaken_for_a_self_reset(scripted_host) -> None:
    host, controller = await scripted_host()
    await host.send_command(cmd.Reset())
    await asyncio.sleep(0.05)  # a wrongly started re-initialisation would be running now
    assert host.resyncs == 0
