"""Command and ACL flow control, fragmentation and reassembly, against a scripted controller on a pty."""

from __future__ import annotations

import asyncio
import struct

import pytest

from aioble_hci.hci import commands as cmd
from aioble_hci.hci.constants import OpCode
from aioble_hci.host.errors import HciCommandError, HciTimeoutError
from tests.faults.helpers import connect
from tests.scripted.controller import ControllerConfig, acl, disconnection_complete


def _frames_from(packets: list[bytes]) -> list[bytes]:
    """Reassemble the controller's received ACL fragments into L2CAP frames (independently of hci.acl)."""
    frames: list[bytes] = []
    current = b""
    for packet in packets:
        flags = struct.unpack_from("<H", packet)[0] >> 12 & 0x3
        data = packet[4:]
        if flags == 0x0:  # first non-flushable
            current = data
        else:
            current += data
        if len(current) >= 4 and len(current) == 4 + struct.unpack_from("<H", current)[0]:
            frames.append(current)
            current = b""
    return frames


async def test_one_command_credit_keeps_one_command_outstanding(scripted_host) -> None:
    host, controller = await scripted_host(ControllerConfig(num_command_packets=1))
    before = len(controller.commands)
    controller.hold_commands = True
    tasks = [asyncio.create_task(host.send_command(c)) for c in (cmd.ReadBdAddr(), cmd.ReadLocalVersionInformation(), cmd.LeReadBufferSize())]
    for expected in range(1, 4):
        await asyncio.to_thread(controller.wait_for, lambda n=expected: len(controller.commands) == before + n)
        await asyncio.sleep(0.05)  # give the host a chance to (wrongly) send more
        assert len(controller.commands) == before + expected
        controller.release_held()
    results = await asyncio.gather(*tasks)
    assert controller.max_in_flight_commands == 1
    assert [type(r).__name__ for r in results] == ["BdAddr", "LocalVersionInformation", "LeBufferSize"]


async def test_command_timeout_names_the_command_and_the_queue_continues(scripted_host) -> None:
    host, controller = await scripted_host()
    controller.config.silent_opcodes.add(OpCode.READ_BD_ADDR)
    silent = asyncio.create_task(host.send_command(cmd.ReadBdAddr(), timeout=0.3))
    following = asyncio.create_task(host.send_command(cmd.ReadLocalVersionInformation()))
    with pytest.raises(HciTimeoutError, match="Read BD_ADDR"):
        await silent
    version = await asyncio.wait_for(following, 5)
    assert version.company_identifier == 0x05F1


async def test_failing_status_raises_hci_command_error_naming_the_command(scripted_host) -> None:
    host, _ = await scripted_host()
    with pytest.raises(HciCommandError, match="LE Read Remote Features") as err:
        await host.send_command(cmd.LeReadRemoteFeatures(connection_handle=1))
    assert err.value.status == 0x01


async def test_acl_fragments_never_exceed_two_controller_buffers(scripted_host) -> None:
    host, controller = await scripted_host(ControllerConfig(acl_buffers=2, acl_size=27, auto_complete_acl=False))
    await connect(host, controller)
    pdus = [bytes([i]) * 60 for i in range(4)]
    for pdu in pdus:
        host.send_l2cap(0x0040, 0x0004, pdu)
    sent = 0
    while sent < 12:  # 4 frames of 64 bytes in 27-byte fragments: 3 each
        await asyncio.to_thread(controller.wait_for, lambda s=sent: len(controller.acl_packets) >= min(s + 2, 12))
        await asyncio.sleep(0.02)
        assert controller.outstanding_acl <= 2
        sent = len(controller.acl_packets)
        controller.complete_acl(0x0040, controller.outstanding_acl)
    assert controller.max_outstanding_acl == 2
    assert all(len(p) - 4 <= 27 for p in controller.acl_packets)
    assert _frames_from(controller.acl_packets) == [struct.pack("<HH", 60, 4) + pdu for pdu in pdus]


async def test_fragmented_pdu_from_the_controller_reaches_the_fixed_channel_whole(scripted_host) -> None:
    host, controller = await scripted_host()
    await connect(host, controller)
    received: asyncio.Queue[tuple[object, bytes]] = asyncio.Queue()
    host.register_fixed_channel(0x0004, lambda conn, pdu: received.put_nowait((conn, pdu)))
    payload = bytes(range(50))
    frame = struct.pack("<HH", len(payload), 0x0004) + payload
    controller.send_raw(acl(0x0040, 0b10, frame[:20]) + acl(0x0040, 0b01, frame[20:40]) + acl(0x0040, 0b01, frame[40:]))
    conn, pdu = await asyncio.wait_for(received.get(), 5)
    assert pdu == payload
    assert conn is host.connections[0x0040]


async def test_disconnection_returns_the_handles_credits_and_drops_its_queue(scripted_host) -> None:
    host, controller = await scripted_host(ControllerConfig(acl_buffers=2, auto_complete_acl=False))
    await connect(host, controller)
    conn = host.connections[0x0040]
    host.send_l2cap(0x0040, 0x0004, bytes(100))
    await asyncio.to_thread(controller.wait_for, lambda: len(controller.acl_packets) == 2)
    assert host.acl.credits == 0 and host.acl.queued > 0
    controller.send_raw(disconnection_complete(0x0040, 0x13))
    await asyncio.wait_for(conn.closed.wait(), 5)
    assert 0x0040 not in host.connections
    assert conn.disconnect_reason == 0x13
    assert host.acl.credits == 2 and host.acl.queued == 0
