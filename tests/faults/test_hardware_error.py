"""HCI Hardware Error (Vol 4 Part E, 7.7.16): reported, the controller reset and re-initialised, links ended."""

from __future__ import annotations

import asyncio

import pytest

from aioble_hci.hci import commands as cmd
from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import OpCode, StatusCode
from aioble_hci.host.errors import ControllerResetError
from tests.faults.helpers import WAIT, connect, on_controller, reinitialised
from tests.scripted.controller import event


def hardware_error(code: int) -> bytes:
    return event(0x10, bytes((code,)))


async def test_hardware_error_is_reported_then_the_controller_is_reset_and_reinitialised(scripted_host) -> None:
    host, controller = await scripted_host()
    codes: list[int] = []
    host.on_hardware_error(codes.append)
    resets = controller.opcodes().count(OpCode.RESET)
    done = reinitialised(host)
    controller.send_raw(hardware_error(0x05))
    assert "hardware error 0x05" in await asyncio.wait_for(done, WAIT)
    assert codes == [0x05] and host.hardware_errors == 1
    assert controller.opcodes().count(OpCode.RESET) == resets + 1
    assert controller.opcodes()[-1] != OpCode.RESET  # the whole init sequence followed the reset
    version = await host.send_command(cmd.ReadLocalVersionInformation())
    assert version.company_identifier == 0x05F1


async def test_hardware_error_ends_each_connection_with_a_disconnection_event(scripted_host) -> None:
    host, controller = await scripted_host()
    await connect(host, controller, 0x0040)
    conn = host.connections[0x0040]
    ended: list[ev.DisconnectionComplete] = []
    host.on_event(ev.DisconnectionComplete, ended.append)
    done = reinitialised(host)
    controller.send_raw(hardware_error(0x01))
    await asyncio.wait_for(done, WAIT)
    assert [(e.connection_handle, e.reason) for e in ended] == [(0x0040, StatusCode.HARDWARE_FAILURE)]
    assert conn.closed.is_set() and host.connections == {}


async def test_hardware_error_fails_the_command_in_flight_with_a_reset_error(scripted_host) -> None:
    host, controller = await scripted_host()
    controller.hold_commands = True
    pending = asyncio.create_task(host.send_command(cmd.ReadBdAddr(), timeout=60))
    await on_controller(controller, lambda: len(controller.held) == 1)
    controller.hold_commands = False  # the controller answers again after its failure
    done = reinitialised(host)
    controller.send_raw(hardware_error(0x02))
    with pytest.raises(ControllerResetError, match="hardware error 0x02"):
        await asyncio.wait_for(pending, WAIT)
    await asyncio.wait_for(done, WAIT)


async def test_a_command_queued_during_reinitialisation_runs_after_the_init_sequence(scripted_host) -> None:
    host, controller = await scripted_host()
    controller.hold_commands = True
    done = reinitialised(host)
    controller.send_raw(hardware_error(0x03))
    await on_controller(controller, lambda: [op for op, _ in controller.held] == [OpCode.RESET])
    queued = asyncio.create_task(host.send_command(cmd.ReadBufferSize()))
    await asyncio.sleep(0.05)  # give the host a chance to (wrongly) send it before the init sequence
    controller.hold_commands = False
    controller.release_held()
    await asyncio.wait_for(done, WAIT)
    await asyncio.wait_for(queued, WAIT)
    after_reset = controller.opcodes()[len(controller.opcodes()) - controller.opcodes()[::-1].index(OpCode.RESET):]
    assert after_reset[-1] == OpCode.READ_BUFFER_SIZE
    assert OpCode.LE_SET_EVENT_MASK in after_reset[:-1]


async def test_hardware_error_during_start_does_not_run_a_second_init_sequence(scripted_host) -> None:
    host, controller = await scripted_host(start=False)
    controller.hold_commands = True
    starting = asyncio.create_task(host.start())
    await on_controller(controller, lambda: len(controller.held) == 1)
    controller.send_raw(hardware_error(0x04))
    await asyncio.sleep(0.05)  # a wrongly started re-initialisation would have sent its Reset now
    controller.hold_commands = False
    controller.release_held()
    info = await asyncio.wait_for(starting, WAIT)
    assert info.manufacturer == 0x05F1 and host.resyncs == 0 and host.hardware_errors == 1
    assert controller.opcodes().count(OpCode.RESET) == 1
