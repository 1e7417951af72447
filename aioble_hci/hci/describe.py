"""One-line human summaries of HCI packets, for logs and the capture decoder.

Never raises on bad bytes: a malformed packet is described as malformed.
"""

from __future__ import annotations

from aioble_hci.hci.acl import AclHeader
from aioble_hci.hci.commands import command_name, parse_command
from aioble_hci.hci.errors import HciDecodeError
from aioble_hci.hci.events import parse_event
from aioble_hci.hci.packets import PacketType

_PB_NAMES = {0: "first-non-flushable", 1: "continuing", 2: "first-flushable", 3: "complete"}


def describe(packet_type: PacketType | int, payload: bytes) -> str:
    """E.g. 'HCI Command LE Set Scan Enable (0x200c) le_scan_enable=1 filter_duplicates=0'."""
    if packet_type == PacketType.COMMAND:
        try:
            return "HCI Command " + parse_command(payload).describe()
        except HciDecodeError as e:
            opcode = int.from_bytes(payload[:2], "little") if len(payload) >= 2 else None
            name = command_name(opcode) if opcode is not None else "?"
            return f"HCI Command {name} malformed ({e}): {payload.hex()}"
    if packet_type == PacketType.EVENT:
        try:
            return "HCI Event " + parse_event(payload).describe()
        except HciDecodeError as e:
            return f"HCI Event malformed ({e}): {payload.hex()}"
    if packet_type == PacketType.ACL:
        try:
            header = AclHeader.from_bytes(payload)
        except HciDecodeError as e:
            return f"ACL malformed ({e}): {payload.hex()}"
        text = f"ACL handle=0x{header.handle:03x} pb={_PB_NAMES[header.pb_flag]} bc={header.bc_flag} len={header.length}"
        if len(payload) - 4 != header.length:
            text += f" (malformed: {len(payload) - 4} data bytes)"
        elif header.pb_flag != 1 and header.length >= 4:
            l2len = int.from_bytes(payload[4:6], "little")
            cid = int.from_bytes(payload[6:8], "little")
            text += f" l2cap_len={l2len} cid=0x{cid:04x}"
        return text
    try:
        name = PacketType(packet_type).name
    except ValueError:
        name = f"packet type 0x{int(packet_type):02x}"
    return f"{name} len={len(payload)} {payload[:16].hex()}".rstrip()
