"""ACL data packets: header codec, fragmentation and reassembly (Vol 4 Part E, 5.4.2).

An ACL packet is a 12-bit connection handle, a 2-bit Packet_Boundary flag, a
2-bit Broadcast flag and a 16-bit length, then data. L2CAP PDUs (Vol 3 Part A,
3.1: 2-octet length, 2-octet CID, payload) are cut into ACL packets no larger
than the controller's buffer and put back together on the way up.
Hot path: hand-written with `struct`.
"""

from __future__ import annotations

import logging
import struct
from dataclasses import dataclass

from aioble_hci.hci.errors import HciDecodeError

log = logging.getLogger(__name__)

PB_FIRST_NON_FLUSHABLE = 0b00
"""Host to controller: first fragment of a non-flushable L2CAP PDU (what LE uses)."""
PB_CONTINUING = 0b01
"""Either direction: a continuing fragment."""
PB_FIRST_FLUSHABLE = 0b10
"""Controller to host: first fragment of an L2CAP PDU."""
PB_COMPLETE = 0b11
"""A complete L2CAP PDU (BR/EDR AMP only; accepted as a start on receive)."""

L2CAP_HEADER_SIZE = 4
DEFAULT_MAX_PDU_LENGTH = 0xFFFF + L2CAP_HEADER_SIZE

_HEADER = struct.Struct("<HH")


@dataclass(frozen=True, slots=True)
class AclHeader:
    """The 4-octet ACL data packet header."""

    handle: int
    pb_flag: int
    bc_flag: int
    length: int

    SIZE = 4

    def to_bytes(self) -> bytes:
        if not 0 <= self.handle <= 0x0FFF:
            raise ValueError(f"connection handle 0x{self.handle:x} does not fit in 12 bits")
        return _HEADER.pack(self.handle | (self.pb_flag & 3) << 12 | (self.bc_flag & 3) << 14, self.length)

    @classmethod
    def from_bytes(cls, data: bytes) -> AclHeader:
        if len(data) < 4:
            raise HciDecodeError(f"ACL packet: {len(data)} byte(s) is shorter than the 4-byte header")
        word, length = _HEADER.unpack_from(data)
        return cls(word & 0x0FFF, word >> 12 & 3, word >> 14 & 3, length)


def encode_acl(handle: int, pb_flag: int, data: bytes, bc_flag: int = 0) -> bytes:
    """One ACL packet (no H4 indicator); the header packed directly (every packet sent comes here)."""
    if not 0 <= handle <= 0x0FFF:
        raise ValueError(f"connection handle 0x{handle:x} does not fit in 12 bits")
    return _HEADER.pack(handle | (pb_flag & 3) << 12 | (bc_flag & 3) << 14, len(data)) + data


def decode_acl(payload: bytes) -> tuple[AclHeader, bytes]:
    """Split an ACL packet into header and data, checking the length field."""
    header = AclHeader.from_bytes(payload)
    data = payload[4:]
    if len(data) != header.length:
        raise HciDecodeError(f"ACL packet on handle 0x{header.handle:03x}: header says {header.length} bytes, got {len(data)}")
    return header, bytes(data)


def fragment(handle: int, l2cap_pdu: bytes, max_len: int) -> list[bytes]:
    """Cut an L2CAP PDU into ACL packets of at most `max_len` data octets.

    The first goes with PB 0b00 (first non-flushable, as an LE host sends,
    Vol 4 Part E 5.4.2), the others with 0b01 (continuing).
    """
    if max_len <= 0:
        raise ValueError(f"ACL buffer size must be positive, got {max_len}")
    if not l2cap_pdu:
        return [encode_acl(handle, PB_FIRST_NON_FLUSHABLE, b"")]
    packets = []
    pb = PB_FIRST_NON_FLUSHABLE
    for offset in range(0, len(l2cap_pdu), max_len):
        packets.append(encode_acl(handle, pb, l2cap_pdu[offset : offset + max_len]))
        pb = PB_CONTINUING
    return packets


class AclReassembler:
    """Puts controller-to-host ACL fragments back into L2CAP PDUs, per connection handle.

    `feed` returns `(handle, pdu)` when a PDU completes, None while one is in
    progress. Bad sequences raise HciDecodeError naming the handle and reset
    that handle's state, so the next start fragment begins afresh.
    """

    def __init__(self, max_pdu_length: int = DEFAULT_MAX_PDU_LENGTH) -> None:
        self.max_pdu_length = max_pdu_length
        self._partial: dict[int, bytearray] = {}

    def feed(self, payload: bytes) -> tuple[int, bytes] | None:
        if len(payload) < 4:
            raise HciDecodeError(f"ACL packet: {len(payload)} byte(s) is shorter than the 4-byte header")
        word, length = _HEADER.unpack_from(payload)
        handle = word & 0x0FFF
        pb = word >> 12 & 3
        if len(payload) - 4 != length:
            raise HciDecodeError(f"ACL packet on handle 0x{handle:03x}: header says {length} bytes, got {len(payload) - 4}")
        if pb == PB_CONTINUING:
            buffer = self._partial.get(handle)
            if buffer is None:
                raise HciDecodeError(f"ACL continuation fragment on handle 0x{handle:03x} with no start fragment")
            buffer += memoryview(payload)[4:]
        else:
            if handle in self._partial:
                dropped = self._partial.pop(handle)
                log.warning("ACL start fragment on handle 0x%03x while a PDU was incomplete: dropped %d byte(s)", handle, len(dropped))
            if len(payload) >= 8:
                # fast path: a complete single-fragment PDU needs no buffer
                expected = (payload[4] | payload[5] << 8) + L2CAP_HEADER_SIZE
                if expected == length:
                    return handle, bytes(payload[4:])
            buffer = self._partial[handle] = bytearray(memoryview(payload)[4:])
        if len(buffer) < L2CAP_HEADER_SIZE:
            return None
        expected = (buffer[0] | buffer[1] << 8) + L2CAP_HEADER_SIZE
        if expected > self.max_pdu_length:
            del self._partial[handle]
            raise HciDecodeError(f"L2CAP PDU on handle 0x{handle:03x} declares {expected} bytes, over the maximum {self.max_pdu_length}")
        if len(buffer) < expected:
            return None
        del self._partial[handle]
        if len(buffer) > expected:
            raise HciDecodeError(f"L2CAP PDU on handle 0x{handle:03x} is {len(buffer)} bytes, longer than the {expected} its header declares")
        return handle, bytes(buffer)

    def pending(self, handle: int) -> int:
        """Bytes held for an incomplete PDU on `handle` (0 if none)."""
        buffer = self._partial.get(handle)
        return 0 if buffer is None else len(buffer)

    def reset(self, handle: int | None = None) -> None:
        """Forget partial PDUs: one handle's (on disconnection) or all."""
        if handle is None:
            self._partial.clear()
        else:
            self._partial.pop(handle, None)
