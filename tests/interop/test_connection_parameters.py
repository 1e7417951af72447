"""Connection Parameter Update with Bumble as the peripheral that asks (Core Vol 3 Part A, 4.20-4.21)."""

from __future__ import annotations

import asyncio
import struct
from typing import Any

from bumble.device import Connection as BumbleConnection

from aioble_hci.hci import commands as cmd
from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import OpCode
from aioble_hci.hci.packets import PacketType
from aioble_hci.host.gap import GapConfig, ParameterLimits
from aioble_hci.transport.base import Transport
from tests.interop.bumble_link import BumblePeer
from tests.interop.conftest import MakeStack
from tests.interop.helpers import WAIT, connect_to_bumble, next_event, run

OUR_LIMITS = ParameterLimits(interval_min=24, interval_max=40)  # 30-50 ms


def commands_sent(transport: Transport, opcode: OpCode) -> list[bytes]:
    """The parameters of every `opcode` command our host hands its transport (so its controller) from now on."""
    seen: list[bytes] = []
    send = transport.send

    def counting(packet_type: PacketType, payload: bytes) -> Any:
        if packet_type == PacketType.COMMAND and struct.unpack_from("<H", payload)[0] == opcode:
            seen.append(bytes(payload[3:]))
        return send(packet_type, payload)

    transport.send = counting  # type: ignore[method-assign]
    return seen


async def test_accepted_parameter_update_request_from_bumble_sends_one_connection_update(
        make_ours: MakeStack, peer: BumblePeer):
    """Vol 3 Part A 4.20: Bumble's peripheral asks 7.5 ms-4 s over L2CAP; we accept within our limits
    (30-50 ms) and our controller receives exactly one LE Connection Update, with those limits,
    which is what Bumble's side ends up with."""
    ours = await make_ours(gap=GapConfig(accept_parameters=OUR_LIMITS))
    conn, bumble_conn = await connect_to_bumble(ours, peer)
    updates = commands_sent(ours.transport, OpCode.LE_CONNECTION_UPDATE)
    ours_updated = asyncio.ensure_future(ours.host.wait_for_event(ev.LeConnectionUpdateComplete, timeout=WAIT))
    bumble_updated = next_event(bumble_conn, BumbleConnection.EVENT_CONNECTION_PARAMETERS_UPDATE)
    await run(bumble_conn.update_parameters(7.5, 4000.0, 0, 10000.0, use_l2cap=True))  # raises unless accepted
    await run(ours_updated)
    await run(bumble_updated)
    for _ in range(3):  # anything queued behind the update reaches the controller before these
        await ours.host.send_command(cmd.ReadBdAddr())
        await asyncio.sleep(0.02)
    assert len(updates) == 1
    handle, interval_min, interval_max, latency, timeout = struct.unpack_from("<HHHHH", updates[0])
    assert (handle, interval_min, interval_max, latency, timeout) == (conn.handle, 24, 40, 0, 1000)
    assert 30.0 <= bumble_conn.parameters.connection_interval <= 50.0
