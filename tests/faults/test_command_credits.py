"""A controller that answers with Num_HCI_Command_Packets = 0 and never gives a credit back."""

from __future__ import annotations

import asyncio

import pytest

from aioble_hci.hci import commands as cmd
from aioble_hci.hci.constants import OpCode
from aioble_hci.host.errors import ControllerLostError, HciTimeoutError
from tests.faults.helpers import WAIT
from tests.scripted.controller import command_complete


async def test_command_waiting_for_a_credit_that_never_comes_ends_with_a_timeout(scripted_host) -> None:
    """Vol 4 Part E 4.4 and 7.7.14: with Num_HCI_Command_Packets at 0 the host must not send, so a
    command waits for a credit; `send_command` still ends with HciTimeoutError after its timeout,
    naming the command, and the command never reaches the controller."""
    host, controller = await scripted_host()
    controller.config.num_command_packets = 0  # the next answer takes the host's last credit
    await host.send_command(cmd.ReadBdAddr())
    sent_before = len(controller.opcodes())
    with pytest.raises(HciTimeoutError, match="Read Local Version Information.*credit"):
        await asyncio.wait_for(host.send_command(cmd.ReadLocalVersionInformation(), timeout=0.2), WAIT)
    assert OpCode.READ_LOCAL_VERSION_INFORMATION not in controller.opcodes()[sent_before:]
    assert host.commands.queued == 0 and host.lost is None


async def test_a_credit_returned_later_lets_the_next_command_through(scripted_host) -> None:
    """Vol 4 Part E 7.7.14: a Command Complete with opcode 0x0000 only returns credits; a command
    submitted after it is sent and answered."""
    host, controller = await scripted_host()
    controller.config.num_command_packets = 0
    await host.send_command(cmd.ReadBdAddr())
    with pytest.raises(HciTimeoutError, match="credit"):
        await asyncio.wait_for(host.send_command(cmd.ReadLocalVersionInformation(), timeout=0.1), WAIT)
    controller.config.num_command_packets = 1
    controller.send_raw(command_complete(1, 0x0000, b""))
    version = await asyncio.wait_for(host.send_command(cmd.ReadLocalVersionInformation()), WAIT)
    assert version.company_identifier == controller.config.manufacturer


async def test_a_controller_withholding_credits_is_declared_lost(scripted_host) -> None:
    """A controller that never returns a credit is as silent as one that never answers: after
    max_consecutive_timeouts commands timed out waiting, it is declared lost."""
    host, controller = await scripted_host(max_consecutive_timeouts=2)
    lost: list[BaseException] = []
    host.on_lost(lost.append)
    controller.config.num_command_packets = 0
    await host.send_command(cmd.ReadBdAddr())
    for _ in range(2):
        with pytest.raises((HciTimeoutError, ControllerLostError)):
            await asyncio.wait_for(host.send_command(cmd.ReadBdAddr(), timeout=0.1), WAIT)
    assert len(lost) == 1 and "stopped answering" in str(lost[0])
