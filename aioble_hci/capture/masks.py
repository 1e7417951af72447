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

from aioble_hci.hci.packets import PacketType


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
        return len(payload) >= 9 and payload[6:8] == b"\x06\x00" and payload[8] in codes

    return applies


# Core Vol 4 Part E 7.8.4 (LE Set Random Address), 7.8.24 (LE Enable Encryption: random, EDIV, LTK),
# 7.8.25 (LE Long Term Key Request Reply: LTK); Vol 3 Part H 3.5.3-3.5.4, 3.5.6-3.5.7, 3.6 (SMP values).
RANDOM_FIELDS: tuple[ReplayMask, ...] = (
    ReplayMask("LE Set Random Address", PacketType.COMMAND, command(0x2005), 3, 9),
    ReplayMask("LE Enable Encryption", PacketType.COMMAND, command(0x2019), 5, 31),
    ReplayMask("LE Long Term Key Request Reply", PacketType.COMMAND, command(0x201A), 5, 21),
    ReplayMask(
        "SMP confirm/random/public key/DHKey check", PacketType.ACL, smp(0x03, 0x04, 0x0C, 0x0D), 9
    ),
    ReplayMask("SMP distributed keys", PacketType.ACL, smp(0x06, 0x07, 0x08, 0x0A), 9),
)


def normalise(packet_type: PacketType, payload: bytes, masks: Sequence[ReplayMask]) -> bytes:
    for mask in masks:
        payload = mask.apply(packet_type, payload)
    return payload
