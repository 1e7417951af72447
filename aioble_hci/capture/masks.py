"""Masks for replay: byte ranges of host-sent packets that are legitimately random.

A replayed session compares each packet the host sends with the recorded one. Values the
host draws at random (pairing randoms and the keys derived from them, random addresses)
differ from run to run, so these byte ranges are blanked on both sides before comparing.
Offsets are into the HCI payload (no H4 byte): commands start with opcode and length,
ACL with the 4-octet ACL header, then the 4-octet L2CAP header.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aioble_hci.hci.constants import OpCode
from aioble_hci.hci.packets import PacketType
from aioble_hci.smp.pdus import SMP_CID, SmpCode

_SMP_CID = SMP_CID.to_bytes(2, "little")
_SMP_VALUES = 9  # ACL header, L2CAP header, SMP code: the PDU's values start here


@dataclass(frozen=True)
class ReplayMask:
    """Blank payload[start:end] (end None: to the end) of packets of a type that `applies` accepts."""

    name: str
    packet_type: PacketType
    applies: Callable[[bytes], bool]
    start: int
    end: int | None = None

    def apply(self, packet_type: PacketType, payload: bytes) -> bytes:
        if packet_type != self.packet_type or not self.applies(payload):
            return payload
        end = len(payload) if self.end is None else min(self.end, len(payload))
        if self.start >= end:
            return payload
        return payload[: self.start] + bytes(end - self.start) + payload[end:]


def command(opcode: int) -> Callable[[bytes], bool]:
    """Matches HCI commands with this opcode."""
    prefix = struct.pack("<H", opcode)
    return lambda payload: payload[:2] == prefix


def smp(*codes: int) -> Callable[[bytes], bool]:
    """Matches unfragmented ACL packets carrying an SMP PDU with one of these codes (Vol 3 Part H, 3.3)."""

    def applies(payload: bytes) -> bool:
        return len(payload) >= _SMP_VALUES and payload[6:8] == _SMP_CID and payload[8] in codes

    return applies


# Core Vol 4 Part E 7.8.4 (LE Set Random Address), 7.8.24 (LE Enable Encryption: random, EDIV, LTK),
# 7.8.25 (LE Long Term Key Request Reply: LTK); Vol 3 Part H 3.5.3-3.5.4, 3.5.6-3.5.7, 3.6 (SMP values).
RANDOM_FIELDS: tuple[ReplayMask, ...] = (
    ReplayMask(
        "LE Set Random Address", PacketType.COMMAND, command(OpCode.LE_SET_RANDOM_ADDRESS), 3, 9
    ),
    ReplayMask(
        "LE Enable Encryption", PacketType.COMMAND, command(OpCode.LE_ENABLE_ENCRYPTION), 5, 31
    ),
    ReplayMask(
        "LE Long Term Key Request Reply",
        PacketType.COMMAND,
        command(OpCode.LE_LONG_TERM_KEY_REQUEST_REPLY),
        5,
        21,
    ),
    ReplayMask(
        "SMP confirm/random/public key/DHKey check",
        PacketType.ACL,
        smp(
            SmpCode.PAIRING_CONFIRM,
            SmpCode.PAIRING_RANDOM,
            SmpCode.PAIRING_PUBLIC_KEY,
            SmpCode.PAIRING_DHKEY_CHECK,
        ),
        _SMP_VALUES,
    ),
    ReplayMask(
        "SMP distributed keys",
        PacketType.ACL,
        smp(
            SmpCode.ENCRYPTION_INFORMATION,
            SmpCode.CENTRAL_IDENTIFICATION,
            SmpCode.IDENTITY_INFORMATION,
            SmpCode.SIGNING_INFORMATION,
        ),
        _SMP_VALUES,
    ),
)


def normalise(packet_type: PacketType, payload: bytes, masks: Sequence[ReplayMask]) -> bytes:
    for mask in masks:
        payload = mask.apply(packet_type, payload)
    return payload
