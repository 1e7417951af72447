"""H4 framing: cut a byte stream into HCI packets (Core Vol 4 Part A, 2).

Sans-I/O: feed bytes in, take whole packets out. A packet indicator outside
0x01-0x05 means the stream lost sync; the framer raises H4DesyncError and keeps
nothing of the bad byte, so the owner can resynchronise (reset the controller).
"""

from __future__ import annotations

import struct

from aioble_hci.errors import RemoteProtocolError
from aioble_hci.hci.packets import PacketType

# packet type -> (header length, offset of length field, length field size)
_HEADERS: dict[int, tuple[int, int, int]] = {
    PacketType.COMMAND: (3, 2, 1),
    PacketType.ACL: (4, 2, 2),
    PacketType.SCO: (3, 2, 1),
    PacketType.EVENT: (2, 1, 1),
    PacketType.ISO: (4, 2, 2),
}


class H4DesyncError(RemoteProtocolError, ValueError):
    """The byte where a packet indicator was expected is not one."""

    def __init__(self, byte: int, offset: int) -> None:
        super().__init__(f"H4 stream out of sync: byte 0x{byte:02x} at stream offset {offset} is not a packet indicator")
        self.byte = byte
        self.offset = offset


def encode(packet_type: PacketType | int, payload: bytes) -> bytes:
    """Prefix an HCI packet with its H4 indicator."""
    return bytes((packet_type,)) + payload


def packet_length(packet_type: int, header: bytes) -> int:
    """Total length of a packet (without indicator) given at least its header."""
    header_len, off, size = _HEADERS[packet_type]
    if size == 1:
        body = header[off]
    else:
        body = struct.unpack_from("<H", header, off)[0]
        if packet_type == PacketType.ISO:
            body &= 0x3FFF
    return header_len + body


class H4Framer:
    """Reassembles HCI packets from an H4 byte stream."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._consumed = 0  # stream offset of _buffer[0], for error messages
        self._ready: list[tuple[PacketType, bytes]] = []

    def feed(self, data: bytes) -> list[tuple[PacketType, bytes]]:
        """Add bytes; return every packet now complete, in order.

        Raises H4DesyncError at a bad indicator; packets completed before it are
        lost to the caller only if it ignores `take_ready()` (they are kept there).
        """
        self._buffer += data
        packets: list[tuple[PacketType, bytes]] = []
        buf = self._buffer
        pos = 0
        try:
            while pos < len(buf):
                kind = buf[pos]
                spec = _HEADERS.get(kind)
                if spec is None:
                    offset = self._consumed + pos
                    pos += 1
                    self._ready = packets
                    raise H4DesyncError(kind, offset)
                header_len = spec[0]
                if len(buf) - pos - 1 < header_len:
                    break
                total = packet_length(kind, bytes(buf[pos + 1 : pos + 1 + header_len]))
                if len(buf) - pos - 1 < total:
                    break
                packets.append((PacketType(kind), bytes(buf[pos + 1 : pos + 1 + total])))
                pos += 1 + total
        finally:
            del buf[:pos]
            self._consumed += pos
        return packets

    def take_ready(self) -> list[tuple[PacketType, bytes]]:
        """Packets completed in the `feed` call that raised H4DesyncError."""
        ready, self._ready = self._ready, []
        return ready

    def reset(self) -> None:
        """Drop any partial packet, e.g. after resynchronising with the controller."""
        self._buffer.clear()

    @property
    def pending(self) -> int:
        """Bytes held for an incomplete packet."""
        return len(self._buffer)
