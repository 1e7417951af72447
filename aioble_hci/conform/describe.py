"""One-line descriptions of the PDUs a case exchanges, for reports (decoded with the stack's codecs)."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from aioble_hci.att import pdus as att
from aioble_hci.l2cap import pdus as l2
from aioble_hci.smp import pdus as smp

ATT_CID = 0x0004
SIGNALING_CID = 0x0005
SMP_CID = 0x0006

CHANNEL_NAMES = {ATT_CID: "ATT", SIGNALING_CID: "L2CAP", SMP_CID: "SMP"}


def channel_name(cid: int) -> str:
    return CHANNEL_NAMES.get(cid, f"CID 0x{cid:04X}")


def decode(cid: int, data: bytes) -> Any:
    """The typed PDU for `data` on fixed channel `cid` (raises ValueError/KeyError when it does not decode).

    Signalling commands come back as the command dataclass with `.identifier` unavailable; use
    `l2.split_command` for the header."""
    if cid == ATT_CID:
        return att.decode(data)
    if cid == SMP_CID:
        return smp.parse_pdu(data)
    if cid == SIGNALING_CID:
        return l2.decode_command(l2.split_command(data))
    raise ValueError(f"no codec for CID 0x{cid:04X}")


def describe(cid: int, data: bytes) -> str:
    """A short human summary of one PDU; never raises (malformed PDUs say so)."""
    try:
        if cid == SIGNALING_CID:
            raw = l2.split_command(data)
            try:
                name = l2.SignalingCode(raw.code).name
            except ValueError:
                name = f"code 0x{raw.code:02X}"
            try:
                body = short(l2.decode_command(raw))
            except KeyError:
                body = raw.data.hex()
            return f"{name} id={raw.identifier} {body}"
        if cid in (ATT_CID, SMP_CID):
            return short(decode(cid, data))
    except Exception as exc:  # a report line, never an error
        return f"undecodable ({exc})"
    return f"{len(data)} octets"


def short(pdu: Any) -> str:
    """`Name(field=value, ...)` with enum members by name and bytes in hex, for humans."""
    if not dataclasses.is_dataclass(pdu):
        return repr(pdu)
    parts = []
    for field in dataclasses.fields(pdu):
        value = getattr(pdu, field.name)
        if isinstance(value, enum.Enum):
            text = value.name
        elif isinstance(value, bytes | bytearray):
            text = value.hex() or "''"
        elif isinstance(value, int) and "handle" in field.name:
            text = f"0x{value:04X}"
        else:
            text = repr(value)
        parts.append(f"{field.name}={text}")
    return f"{type(pdu).__name__}({', '.join(parts)})"
