"""HCI harnesses: event decoding, ACL reassembly and the H4 framer (input from the controller).

Invariants: `parse_event` raises only HciDecodeError and what it returns re-encodes to an event
that decodes equal (catalog H1, H2); `AclReassembler` raises only HciDecodeError, returns PDUs
whose L2CAP length matches, and holds no more than its maximum per handle (L1, L2); `H4Framer`
raises only H4DesyncError and loses no byte: packets out + skipped bytes + pending == bytes in.
"""

from __future__ import annotations

import struct

from aioble_hci.hci import h4
from aioble_hci.hci.acl import AclReassembler
from aioble_hci.hci.errors import HciDecodeError
from aioble_hci.hci.events import parse_event

from .data import FuzzInput, chunks
from .harness import Harness

# ---------------------------------------------------------------------------------- events


def event_input(data: bytes) -> bytes:
    """Mode octet bit 0 set: rewrite the parameter length so the header agrees with the body."""
    if not data:
        return b""
    body = data[1:]
    if data[0] & 1 and body:
        params = body[1:256]
        return bytes((body[0], len(params))) + params
    return body


def hci_event_one_input(data: bytes) -> None:
    payload = event_input(data)
    try:
        event = parse_event(payload)
    except HciDecodeError:
        return
    encoded = event.to_bytes()
    assert parse_event(encoded) == event, f"{event!r} does not survive to_bytes/parse_event"


def _adv_report(data_length: int, data: bytes) -> bytes:
    report = bytes((0x00, 0x00)) + bytes(range(1, 7)) + bytes((data_length,)) + data + b"\xc0"
    return bytes((0x02, 0x01)) + report


EVENT_SEEDS = {
    "H1-adv-report-data-length-past-event": b"\x00\x3e" + bytes([len(_adv_report(0xFF, b"ab"))]) + _adv_report(0xFF, b"ab"),
    "H1-adv-report-count-lies": b"\x01\x3e\x02\x05" + bytes(8) + b"\x00\xc0",
    "H1-adv-report-32-octets": b"\x01\x3e" + _adv_report(32, bytes(32)),
    "H1-ext-adv-report-length-lies": b"\x01\x3e\x0d\x01" + bytes(23) + b"\xff" + b"xx",
    "H2-disconnection-complete-short": b"\x00\x05\x02\x00\x01",
    "H2-command-complete-1-octet": b"\x00\x0e\x01\x01",
    "H2-le-conn-complete-short": b"\x01\x3e\x01\x00\x01\x00",
    "H2-le-meta-empty": b"\x00\x3e\x00",
    "H3-le-read-buffer-size-zero": b"\x00\x0e\x07\x01\x02\x20\x00\x00\x00\x00",
    "H4-command-complete-unknown-opcode": b"\x00\x0e\x04\x01\xff\xfc\x00",
    "H5-nocp-unknown-handle": b"\x00\x13\x05\x01\xff\x0e\x01\x00",
    "H5-nocp-count-lies": b"\x00\x13\x05\x09\x01\x00\x01\x00",
    "hardware-error": b"\x00\x10\x01\x00",
    "data-buffer-overflow": b"\x00\x1a\x01\x01",
    "vendor-event": b"\x01\xff\x01\x02\x03",
    "encryption-change": b"\x00\x08\x04\x00\x40\x00\x01",
}

# ---------------------------------------------------------------------------------- ACL


def acl_packet(chunk: bytes, cooked: bool) -> bytes:
    """A raw ACL packet, or (cooked) handle word + body with the length field filled in."""
    if not cooked or len(chunk) < 2:
        return chunk
    return chunk[:2] + struct.pack("<H", len(chunk) - 2) + chunk[2:]


def hci_acl_one_input(data: bytes) -> None:
    src = FuzzInput(data)
    mode = src.u8()
    limit = 64 if mode & 1 else AclReassembler().max_pdu_length
    reassembler = AclReassembler(max_pdu_length=limit)
    handles: set[int] = set()
    for chunk in src.chunks():
        packet = acl_packet(chunk, bool(mode & 2))
        handle = struct.unpack_from("<H", packet)[0] & 0x0FFF if len(packet) >= 2 else None
        if handle is not None:
            handles.add(handle)
        try:
            result = reassembler.feed(packet)
        except HciDecodeError:
            result = None
        if result is not None:
            got_handle, pdu = result
            assert got_handle == handle, (got_handle, handle)
            assert len(pdu) >= 4 and len(pdu) == 4 + struct.unpack_from("<H", pdu)[0], pdu.hex()
            assert len(pdu) <= limit
        for h in handles:
            assert reassembler.pending(h) <= max(limit, 0xFFFF + 4), (h, reassembler.pending(h))
            if reassembler.pending(h) >= 4:
                assert reassembler.pending(h) <= limit, (h, reassembler.pending(h))


ACL_SEEDS = {
    # L1: L2CAP header says 5 octets of ATT, the ACL packet holds 1 (ATT Read Request, LL length 5)
    "L1-truncated-l2cap-frame": b"\x02" + chunks(b"\x40\x20\x05\x00\x04\x00\x0a"),
    # L2: announced 0x20, fragments add up to more
    "L2-fragments-exceed-announced": b"\x02" + chunks(b"\x40\x20\x20\x00\x04\x00" + bytes(10), b"\x40\x10" + bytes(30)),
    "L2-continuation-without-start": b"\x02" + chunks(b"\x40\x10" + bytes(8)),
    "L2-new-start-while-reassembling": b"\x02" + chunks(b"\x40\x20\x10\x00\x04\x00\x01", b"\x40\x20\x01\x00\x04\x00\x01"),
    "L2-over-maximum": b"\x03" + chunks(b"\x40\x20\xff\x00\x04\x00" + bytes(8)),
    "L2-header-split-over-fragments": b"\x02" + chunks(b"\x40\x20\x03", b"\x40\x10\x00\x04\x00\x01\x02\x03"),
    "H5-unknown-handle": b"\x02" + chunks(b"\xfe\x2e\x01\x00\x04\x00\x0a"),
    "acl-length-field-lies": b"\x00" + chunks(b"\x40\x20\x09\x00\x05\x00\x04\x00\x0a\x03\x00"),
}

# ---------------------------------------------------------------------------------- H4


def h4_framer_one_input(data: bytes) -> None:
    framer = h4.H4Framer()
    fed = bytearray()
    out = bytearray()
    for chunk in FuzzInput(data).chunks():
        fed += chunk
        try:
            packets = framer.feed(chunk)
        except h4.H4DesyncError as exc:
            packets = framer.take_ready()
            for ptype, payload in packets:
                out += h4.encode(ptype, payload)
            out.append(exc.byte)
            packets = []
        for ptype, payload in packets:
            out += h4.encode(ptype, payload)
        assert bytes(out) + bytes(fed[len(out) :]) == bytes(fed)
        assert len(out) + framer.pending == len(fed), (len(out), framer.pending, len(fed))


H4_SEEDS = {
    "h4-event-split": chunks(b"\x04\x0e", b"\x04\x01\x03\x0c\x00"),
    "h4-bad-indicator": chunks(b"\x04\x0e\x04\x01\x03\x0c\x00\x09\x04\x10\x01\x00"),
    "h4-acl-and-iso": chunks(b"\x02\x40\x20\x02\x00\xaa\xbb\x05\x01\x00\x02\x00\xcc\xdd"),
}

HARNESSES = [
    Harness("hci_events", "aioble_hci.hci.events.parse_event", hci_event_one_input,
            "HciDecodeError", EVENT_SEEDS),
    Harness("hci_acl", "aioble_hci.hci.acl.AclReassembler.feed", hci_acl_one_input,
            "HciDecodeError", ACL_SEEDS),
    Harness("h4_framer", "aioble_hci.hci.h4.H4Framer.feed", h4_framer_one_input,
            "H4DesyncError", H4_SEEDS),
]
