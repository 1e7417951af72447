"""With the GAP bearer present, attach_l2cap lets it decide and run parameter updates."""

from __future__ import annotations

import asyncio
import struct

from aioble_hci.hci import commands as cmd
from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import OpCode
from aioble_hci.hci.packets import PacketType
from aioble_hci.host.gap import GapConfig, ParameterLimits, attach_gap
from aioble_hci.host.host import Host
from aioble_hci.host.l2cap import attach_l2cap
from tests.gatt_host.pair import WAIT, connect


def commands_reaching_the_controller(host: Host, opcode: OpCode) -> list[bytes]:
    """The parameters of every `opcode` command the host's virtual controller receives from now on."""
    controller = host.transport.controller  # type: ignore[attr-defined]
    seen: list[bytes] = []
    receive = controller.receive

    def counting(packet_type: PacketType | int, payload: bytes) -> None:
        if packet_type == PacketType.COMMAND and struct.unpack_from("<H", payload)[0] == opcode:
            seen.append(bytes(payload[3:]))
        receive(packet_type, payload)

    controller.receive = counting
    return seen


async def test_parameter_update_request_goes_through_the_gap_bearer(hosts):
    central, peripheral = hosts
    await attach_gap(central)
    c_l2, p_l2 = attach_l2cap(central), attach_l2cap(peripheral)
    assert attach_l2cap(central) is c_l2
    _, p_conn = await connect(central, peripheral)
    updated = asyncio.ensure_future(central.wait_for_event(ev.LeConnectionUpdateComplete, timeout=WAIT))
    assert await asyncio.wait_for(p_l2.request_connection_parameter_update(p_conn, 24, 40, 0, 400), WAIT)
    event = await updated
    assert 24 <= event.connection_interval <= 40 and event.supervision_timeout == 400


async def test_accepted_parameter_update_request_sends_one_connection_update(hosts):
    """Vol 3 Part A 4.20-4.21: the central that accepts a Connection Parameter Update Request
    applies new parameters with one LE Connection Update (Vol 4 Part E 7.8.18); when its policy
    narrows the requested interval, that one command carries the policy's values, not the
    peripheral's raw request."""
    central, peripheral = hosts
    await attach_gap(central, GapConfig(accept_parameters=ParameterLimits(interval_min=24, interval_max=40)))
    attach_l2cap(central)
    p_l2 = attach_l2cap(peripheral)
    c_conn, p_conn = await connect(central, peripheral)
    updates = commands_reaching_the_controller(central, OpCode.LE_CONNECTION_UPDATE)
    updated = asyncio.ensure_future(central.wait_for_event(ev.LeConnectionUpdateComplete, timeout=WAIT))
    assert await asyncio.wait_for(p_l2.request_connection_parameter_update(p_conn, 6, 3200, 0, 1000), WAIT)
    await updated
    await central.send_command(cmd.ReadBdAddr())  # anything queued behind the update has reached the controller
    await asyncio.sleep(0.05)
    await central.send_command(cmd.ReadBdAddr())
    assert len(updates) == 1
    handle, interval_min, interval_max, latency, timeout = struct.unpack_from("<HHHHH", updates[0])
    assert (handle, interval_min, interval_max, latency, timeout) == (c_conn.handle, 24, 40, 0, 1000)
    assert 24 <= c_conn.interval <= 40
