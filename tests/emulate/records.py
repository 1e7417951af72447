"""Hand-made capture records (HCI bytes laid out as Core Vol 4 Part E 5.4 and 7.7 give them)."""

from __future__ import annotations

import struct

from aioble_hci.capture.records import CaptureRecord
from aioble_hci.hci.packets import Direction, PacketType

PEER = bytes.fromhex("c0ffee123456")[::-1]  # c0:ff:ee:12:34:56, a random static address (top bits 11)


def event(t: float, code: int, params: bytes) -> CaptureRecord:
    return CaptureRecord(t, Direction.CONTROLLER_TO_HOST, PacketType.EVENT, bytes((code, len(params))) + params)


def le_connection_complete(t: float, handle: int = 0x0040, peer: bytes = PEER, peer_type: int = 1,
                           role: int = 0) -> CaptureRecord:
    """LE Connection Complete (7.7.65.1): status, handle, role, peer type and address, timing."""
    params = struct.pack("<BBHBB6sHHHB", 0x01, 0, handle, role, peer_type, peer, 24, 0, 400, 0)
    return event(t, 0x3E, params)


def encryption_change(t: float, handle: int = 0x0040) -> CaptureRecord:
    """Encryption Change (7.7.8): status 0, handle, enabled."""
    return event(t, 0x08, struct.pack("<BHB", 0, handle, 1))


def legacy_report(t: float, event_type: int, data: bytes, peer: bytes = PEER, peer_type: int = 1) -> CaptureRecord:
    """LE Advertising Report (7.7.65.2) with one report."""
    params = struct.pack("<BBBB6sB", 0x02, 1, event_type, peer_type, peer, len(data)) + data + bytes((0xC4,))
    return event(t, 0x3E, params)


def extended_report(t: float, event_type: int, data: bytes, peer: bytes = PEER) -> CaptureRecord:
    """LE Extended Advertising Report (7.7.65.13) with one report."""
    params = struct.pack("<BBHB6sBBBbbHB6sB", 0x0D, 1, event_type, 1, peer, 1, 0, 0, 127, -60, 0, 0, bytes(6),
                         len(data)) + data
    return event(t, 0x3E, params)


def att(t: float, pdu: bytes, from_host: bool, handle: int = 0x0040) -> CaptureRecord:
    """One ATT PDU in one ACL packet: first fragment flag, L2CAP basic header on CID 0x0004."""
    l2cap = struct.pack("<HH", len(pdu), 0x0004) + pdu
    acl = struct.pack("<HH", handle | 0x2000, len(l2cap)) + l2cap
    direction = Direction.HOST_TO_CONTROLLER if from_host else Direction.CONTROLLER_TO_HOST
    return CaptureRecord(t, direction, PacketType.ACL, acl)


def u16(value: int) -> bytes:
    return value.to_bytes(2, "little")


def read_req(h: int) -> bytes:
    return b"\x0a" + u16(h)


def read_rsp(value: bytes) -> bytes:
    return b"\x0b" + value


def read_blob_req(h: int, offset: int) -> bytes:
    return b"\x0c" + u16(h) + u16(offset)


def read_blob_rsp(value: bytes) -> bytes:
    return b"\x0d" + value


def write_req(h: int, value: bytes) -> bytes:
    return b"\x12" + u16(h) + value


WRITE_RSP = b"\x13"


def error_rsp(request: int, h: int, code: int) -> bytes:
    return bytes((0x01, request)) + u16(h) + bytes((code,))


def notification(h: int, value: bytes) -> bytes:
    return b"\x1b" + u16(h) + value


def primary_services_rsp(*entries: tuple[int, int, int]) -> bytes:
    """Read By Group Type Response with 16-bit service UUIDs: (start, end, uuid)."""
    return b"\x11\x06" + b"".join(u16(s) + u16(e) + u16(u) for s, e, u in entries)


def primary_services_req(start: int = 1) -> bytes:
    return b"\x10" + u16(start) + u16(0xFFFF) + u16(0x2800)


def characteristics_req(start: int, end: int) -> bytes:
    return b"\x08" + u16(start) + u16(end) + u16(0x2803)


def characteristics_rsp(*entries: tuple[int, int, int, int]) -> bytes:
    """Read By Type Response of declarations: (declaration handle, properties, value handle, uuid16)."""
    return b"\x09\x07" + b"".join(u16(d) + bytes((p,)) + u16(v) + u16(u) for d, p, v, u in entries)


def find_information_req(start: int, end: int) -> bytes:
    return b"\x04" + u16(start) + u16(end)


def find_information_rsp(*entries: tuple[int, int]) -> bytes:
    return b"\x05\x01" + b"".join(u16(h) + u16(u) for h, u in entries)
