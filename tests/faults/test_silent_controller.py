"""A controller that stops answering commands: timeouts name the command, then the controller is declared lost."""

from __future__ import annotations

import asyncio

import pytest

from aioble_hci.hci import commands as cmd
from aioble_hci.hci.constants import OpCode
from aioble_hci.host.errors import ControllerLostError, HciTimeoutError
from tests.faults.helpers import WAIT, on_controller


async def test_consecutive_timeouts_declare_the_controller_lost_and_fail_the_queue(scripted_host) -> None:
    host, controller = await scripted_host(max_consecutive_timeouts=3)
    lost: list[BaseException] = []
    host.on_lost(lost.append)
    controller.hold_commands = True  # the controller goes silent
    commands = [cmd.ReadBdAddr(), cmd.ReadLocalVersionInformation(), cmd.LeReadBufferSize(),
                cmd.ReadBufferSize(), cmd.LeReadLocalSupportedFeatures()]
    tasks = [asyncio.create_task(host.send_command(c, timeout=0.1)) for c in commands]
    results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), WAIT)
    assert [type(r) for r in results] == [HciTimeoutError] * 3 + [ControllerLostError] * 2
    assert "Read BD_ADDR" in str(results[0]) and "LE Read Buffer Size" in str(results[2])
    assert len(lost) == 1 and "stopped answering" in str(lost[0])
    assert host.commands.queued == 0 and host.commands.in_flight == 0
    with pytest.raises(ControllerLostError):
        await host.send_command(cmd.ReadBdAddr())


async def test_an_answer_between_timeouts_restarts_the_count(scripted_host) -> None:
    host, controller = await scripted_host(max_consecutive_timeouts=3)
    controller.config.silent_opcodes.add(OpCode.READ_BD_ADDR)
    for _ in range(2):
        with pytest.raises(HciTimeoutError, match="Read BD_ADDR"):
            await host.send_command(cmd.ReadBdAddr(), timeout=0.1)
    await host.send_command(cmd.ReadLocalVersionInformation())
    for _ in range(2):
        with pytest.raises(HciTimeoutError):
            await host.send_command(cmd.ReadBdAddr(), timeout=0.1)
    assert host.lost is None
    assert (await host.send_command(cmd.LeReadBufferSize())).total_num_le_acl_data_packets == 2


async def test_a_late_answer_after_a_timeout_completes_nothing_else(scripted_host) -> None:
    host, controller = await scripted_host()
    controller.hold_commands = True
    with pytest.raises(HciTimeoutError):
        await host.send_command(cmd.ReadBdAddr(), timeout=0.1)
    following = asyncio.create_task(host.send_command(cmd.ReadLocalVersionInformation()))
    await on_controller(controller, lambda: len(controller.held) == 2)
    controller.hold_commands = False
    controller.release_held()  # the late Read BD_ADDR answer, then the version
    version = await asyncio.wait_for(following, WAIT)
    assert version.company_identifier == 0x05F1
