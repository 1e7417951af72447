"""Nothing from a transport, a capture file or a subscriber escapes into the loop; close() leaves no task."""

from __future__ import annotations

import asyncio

import pytest

from aioble_hci.hci import commands as cmd
from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import OpCode
from aioble_hci.hci.packets import PacketType
from aioble_hci.host.errors import ControllerLostError
from tests.faults.helpers import WAIT, connect, on_controller, reinitialised
from tests.scripted.controller import ControllerConfig, event


def _refuse(packet_type: PacketType):
    def send(original):
        def wrapped(ptype: PacketType, payload: bytes) -> None:
            if ptype == packet_type:
                raise OSError("write failed: device unplugged")
            original(ptype, payload)

        return wrapped

    return send


async def test_a_transport_refusing_a_command_fails_only_that_command(scripted_host) -> None:
    host, _ = await scripted_host()
    original = host.transport.send
    host.transport.send = _refuse(PacketType.COMMAND)(original)
    with pytest.raises(OSError, match="unplugged"):
        await host.send_command(cmd.ReadBdAddr())
    host.transport.send = original
    assert (await host.send_command(cmd.ReadBdAddr())).bd_addr.value == bytes(6)


async def test_a_transport_refusing_acl_drops_the_packet_and_keeps_its_credit(scripted_host) -> None:
    host, controller = await scripted_host(ControllerConfig(acl_buffers=2))
    await connect(host, controller)
    host.transport.send = _refuse(PacketType.ACL)(host.transport.send)
    host.send_l2cap(0x0040, 0x0004, b"x")
    assert host.acl.send_failures == 1 and host.acl.credits == 2 and host.acl.in_flight(0x0040) == 0


async def test_raising_subscribers_of_every_kind_do_not_escape(scripted_host) -> None:
    host, controller = await scripted_host()
    await connect(host, controller)

    def broken(*_: object) -> None:
        raise RuntimeError("application bug")

    host.on_event(ev.DisconnectionComplete, broken)
    host.on_event(ev.HardwareError, broken)
    host.on_hardware_error(broken)
    host.on_reinitialised(broken)
    host.register_fixed_channel(0x0004, broken)
    done = reinitialised(host)
    controller.send_raw(event(0x10, b"\x07"))
    await asyncio.wait_for(done, WAIT)
    host.on_lost(broken)
    controller.close()
    with pytest.raises(ControllerLostError):
        await asyncio.wait_for(host.wait_for_event(ev.LeConnectionComplete), WAIT)


async def test_a_failing_capture_file_is_dropped_and_the_host_keeps_working(scripted_host) -> None:
    host, _ = await scripted_host()

    class BrokenCapture:
        closed = False

        def write(self, *_: object) -> None:
            raise OSError("no space left on device")

        def close(self) -> None:
            self.closed = True

    capture = BrokenCapture()
    host._capture = capture
    assert (await host.send_command(cmd.ReadBdAddr())).bd_addr.value == bytes(6)
    assert capture.closed and host._capture is None


async def test_close_during_reinitialisation_leaves_no_task_behind(scripted_host) -> None:
    before = asyncio.all_tasks()
    host, controller = await scripted_host(ControllerConfig(auto_complete_acl=False))
    await connect(host, controller)
    controller.hold_commands = True
    controller.send_raw(event(0x1A, b"\x01"))  # a credit resync, held on LE Read Buffer Size
    await on_controller(controller, lambda: len(controller.held) == 1)
    controller.send_raw(event(0x10, b"\x01"))  # a re-initialisation, held on its Reset
    await on_controller(controller, lambda: [op for op, _ in controller.held][-1:] == [OpCode.RESET])
    assert host._tasks
    await host.close()
    assert host._tasks == set()
    assert {t for t in asyncio.all_tasks() if not t.done()} - before == set()
