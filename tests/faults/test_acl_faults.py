"""ACL faults: completions and data for unknown handles, and Data Buffer Overflow (Vol 4 Part E, 7.7.26)."""

from __future__ import annotations

import asyncio
import logging
import struct

from aioble_hci.hci.constants import OpCode
from tests.faults.helpers import WAIT, connect, on_controller, until
from tests.scripted.controller import ControllerConfig, acl, event, number_of_completed_packets


async def test_completed_packets_for_unknown_handles_never_inflate_credits(scripted_host) -> None:
    host, controller = await scripted_host(ControllerConfig(acl_buffers=2, auto_complete_acl=False))
    await connect(host, controller)
    controller.send_raw(number_of_completed_packets(0x0099, 5))  # no such connection
    controller.send_raw(number_of_completed_packets(0x0040, 5))  # nothing outstanding on it
    controller.send_raw(number_of_completed_packets(0x0EFF, 1))  # a handle out of range
    await asyncio.sleep(0.05)  # let the bogus completions arrive before sending
    for _ in range(5):
        host.send_l2cap(0x0040, 0x0004, b"x")
    await on_controller(controller, lambda: len(controller.acl_packets) == 2)
    await asyncio.sleep(0.05)  # give the host a chance to (wrongly) send more
    assert controller.max_outstanding_acl == 2
    assert host.acl.credits == 0 and host.acl.queued == 3
    controller.complete_acl(0x0040, 2)
    await on_controller(controller, lambda: len(controller.acl_packets) == 4)
    assert host.acl.credits <= host.acl.total_buffers == 2


async def test_acl_for_an_unknown_handle_is_dropped_logged_and_not_reassembled(scripted_host, caplog) -> None:
    host, controller = await scripted_host()
    await connect(host, controller)
    received: asyncio.Queue[bytes] = asyncio.Queue()
    host.register_fixed_channel(0x0004, lambda conn, pdu: received.put_nowait(pdu))
    frame = struct.pack("<HH", 40, 0x0004) + bytes(40)
    with caplog.at_level(logging.WARNING, logger="aioble_hci.host.host"):
        controller.send_raw(acl(0x0099, 0b10, frame[:20]))  # a start fragment for nobody
        await until(lambda: host.dropped_packets == 1)
    assert "unknown connection handle 0x099" in caplog.text
    assert host._reassembler.pending(0x0099) == 0
    controller.send_raw(acl(0x0040, 0b10, struct.pack("<HH", 1, 0x0004) + b"\x0a"))
    assert await asyncio.wait_for(received.get(), WAIT) == b"\x0a"


async def test_data_buffer_overflow_is_logged_and_acl_credits_resynchronised(scripted_host, caplog) -> None:
    host, controller = await scripted_host(ControllerConfig(acl_buffers=2, auto_complete_acl=False))
    await connect(host, controller)
    for _ in range(3):
        host.send_l2cap(0x0040, 0x0004, b"x")
    await on_controller(controller, lambda: len(controller.acl_packets) == 2)
    assert host.acl.queued == 1
    reads = controller.opcodes().count(OpCode.LE_READ_BUFFER_SIZE)
    with caplog.at_level(logging.ERROR, logger="aioble_hci.host.host"):
        controller.send_raw(event(0x1A, b"\x01"))  # Data Buffer Overflow, ACL
        await on_controller(controller, lambda: len(controller.acl_packets) == 3)
    assert "data buffer overflow" in caplog.text
    assert host.buffer_overflows == 1
    assert controller.opcodes().count(OpCode.LE_READ_BUFFER_SIZE) == reads + 1
    assert host.acl.queued == 0 and host.acl.credits == 1 and not host.acl.held


async def test_acl_sent_during_an_overflow_resync_waits_for_it(scripted_host) -> None:
    host, controller = await scripted_host(ControllerConfig(acl_buffers=2, auto_complete_acl=False))
    await connect(host, controller)
    controller.hold_commands = True
    controller.send_raw(event(0x1A, b"\x01"))
    await on_controller(controller, lambda: [op for op, _ in controller.held] == [OpCode.LE_READ_BUFFER_SIZE])
    host.send_l2cap(0x0040, 0x0004, b"x")
    await asyncio.sleep(0.05)  # give the host a chance to (wrongly) send it before the credits are known
    assert controller.acl_packets == [] and host.acl.held
    controller.hold_commands = False
    controller.release_held()
    await on_controller(controller, lambda: len(controller.acl_packets) == 1)
