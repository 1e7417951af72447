"""A Command Complete for a command never sent: ignored, completes nothing else, its credits honoured (Vol 4 Part E, 4.4)."""

from __future__ import annotations

import asyncio
import struct

from aioble_hci.hci import commands as cmd
from aioble_hci.hci.constants import OpCode
from tests.faults.helpers import WAIT, on_controller
from tests.scripted.controller import command_complete, command_status


async def test_answer_for_a_command_never_sent_completes_nothing_and_its_credit_is_used(scripted_host) -> None:
    host, controller = await scripted_host()
    controller.hold_commands = True
    first = asyncio.create_task(host.send_command(cmd.ReadBdAddr(), timeout=60))
    second = asyncio.create_task(host.send_command(cmd.ReadLocalVersionInformation(), timeout=60))
    await on_controller(controller, lambda: len(controller.held) == 1)
    controller.send_raw(command_complete(1, OpCode.READ_BUFFER_SIZE, b"\x00" + struct.pack("<HBHH", 27, 0, 4, 0)))
    await on_controller(controller, lambda: len(controller.held) == 2)  # the stray answer's credit sent the next
    assert not first.done() and not second.done()
    assert host.commands.unexpected_answers == 1
    controller.hold_commands = False
    controller.release_held()
    bd_addr, version = await asyncio.wait_for(asyncio.gather(first, second), WAIT)
    assert bd_addr.bd_addr.value == bytes(6) and version.company_identifier == 0x05F1


async def test_stray_command_status_does_not_complete_a_pending_command(scripted_host) -> None:
    host, controller = await scripted_host()
    controller.hold_commands = True
    pending = asyncio.create_task(host.send_command(cmd.ReadBdAddr(), timeout=60))
    await on_controller(controller, lambda: len(controller.held) == 1)
    controller.send_raw(command_status(0, OpCode.LE_CREATE_CONNECTION, 0x00))  # also withdraws the credit
    queued = asyncio.create_task(host.send_command(cmd.LeReadBufferSize(), timeout=60))
    await asyncio.sleep(0.05)  # give the host a chance to (wrongly) send with no credit
    assert not pending.done() and len(controller.held) == 1
    controller.hold_commands = False
    controller.release_held()
    await asyncio.wait_for(asyncio.gather(pending, queued), WAIT)
