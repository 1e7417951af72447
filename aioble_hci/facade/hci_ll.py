"""``BLE.hci_cmd``: a raw HCI command for experiments (Vol 4 Part E, 5.4.1 command packet)."""

from __future__ import annotations

import errno
import struct
from dataclasses import dataclass
from typing import Any

from aioble_hci.facade.runtime import Pending
from aioble_hci.facade.stack import LowLevelStack
from aioble_hci.host.errors import HciCommandError


@dataclass
class RawCommand:
    """Any command, by opcode (OGF << 10 | OCF) and parameter bytes."""

    OPCODE: int
    payload: bytes

    def parameters(self) -> bytes:
        return self.payload

    def to_bytes(self) -> bytes:
        return struct.pack("<HB", self.OPCODE, len(self.payload)) + self.payload


def hci_cmd(stack: LowLevelStack, ogf: int, ocf: int, request: bytes, response: Any) -> Pending:
    """Send the command after everything queued before it; the Pending's value is the HCI status.

    On success the return parameters after the status octet are copied into `response`.
    """
    if not 0 <= ogf < 0x40 or not 0 <= ocf < 0x400:
        raise OSError(errno.EINVAL, "ogf is 6 bits and ocf 10 bits")
    host = stack.host
    command = RawCommand(ogf << 10 | ocf, request)
    pending = Pending(stack.runtime.ops.submit(lambda: _run(host, command, response, pending)))
    return pending


async def _run(host: Any, command: RawCommand, response: Any, pending: Pending) -> None:
    try:
        answer = await host.send_command(command)
    except HciCommandError as exc:
        pending.value = int(exc.status)
        return
    data = bytes(answer)[1:] if isinstance(answer, (bytes, bytearray)) else b""
    if response is not None:
        count = min(len(response), len(data))
        response[:count] = data[:count]
    pending.value = 0
