"""Rules of the capture formats, written from the formats and built byte by byte here, so they
hold for any reader implementation.

- btsnoop (Symbian/Android; the record layout of RFC 1761 snoop): each record header is
  Original Length, Included Length, Packet Flags, Cumulative Drops, Timestamp, all big-endian.
  The included octets are a prefix of the original packet, so Included Length > Original Length
  is a damaged record.
- Apple PacketLogger (.pklg): each record is Length, seconds, microseconds, Type, packet.
  Type 0x00 is an HCI command, 0x01 an HCI event, 0x02 ACL data sent by the host
  (host to controller), 0x03 ACL data received (controller to host).
"""

from __future__ import annotations

import struct

import pytest

from aioble_hci.capture import CaptureFormatError, read_bytes
from aioble_hci.hci.packets import Direction, PacketType

BTSNOOP_EPOCH_US = 0x00DCDDB30F2F8000  # 0000-01-01 to 1970-01-01 in microseconds
ACL_OUT = bytes.fromhex("4000 0700 0300 0400 0a0100")  # handle 0x040, ATT Read Request, host -> controller
ACL_IN = bytes.fromhex("4020 0600 0200 0400 0b41")  # handle 0x040, ATT Read Response, controller -> host


def _read(data: bytes, name: str) -> tuple[list, CaptureFormatError | None]:
    records = []
    try:
        for record in read_bytes(data, name):
            records.append(record)
    except CaptureFormatError as exc:
        return records, exc
    return records, None


def _btsnoop_header() -> bytes:
    return b"btsnoop\x00" + struct.pack(">II", 1, 1002)  # version 1, datalink 1002 (H4)


def _btsnoop_record(body: bytes, flags: int, original: int | None = None, included: int | None = None) -> bytes:
    original = len(body) if original is None else original
    included = len(body) if included is None else included
    return struct.pack(">IIIIq", original, included, flags, 0, BTSNOOP_EPOCH_US) + body


def test_btsnoop_record_whose_included_length_exceeds_its_original_length_is_damage() -> None:
    """Included Length counts the octets of the original packet kept in the file, so it can never
    be larger than Original Length: such a record is reported as damage at its offset, and the
    records before it are kept."""
    good = _btsnoop_header() + _btsnoop_record(b"\x01\x03\x0c\x00", flags=2)
    bad = _btsnoop_record(b"\x02" + ACL_OUT, flags=0, original=4)  # all its octets are in the file
    records, error = _read(good + bad, "x.btsnoop")
    assert [r.payload for r in records] == [b"\x03\x0c\x00"]
    assert error is not None and error.offset == len(good)


def test_btsnoop_record_keeping_part_of_a_longer_packet_is_read() -> None:
    """The reverse is allowed: a snapshot length keeps Included < Original octets."""
    data = _btsnoop_header() + _btsnoop_record(b"\x02" + ACL_OUT[:6], flags=0, original=1 + len(ACL_OUT))
    records, error = _read(data, "x.btsnoop")
    assert error is None and records[0].payload == ACL_OUT[:6]


def _pklg(records: list[tuple[int, bytes]], endian: str) -> bytes:
    out = b""
    for rtype, body in records:
        out += struct.pack(endian + "IIIB", 9 + len(body), 1_700_000_000, 250_000, rtype) + body
    return out


@pytest.mark.parametrize("endian", [">", "<"], ids=["big-endian", "little-endian"])
def test_pklg_acl_type_02_is_sent_by_the_host_and_03_received_from_the_controller(endian: str) -> None:
    """PacketLogger record types 0x02 (ACL sent) and 0x03 (ACL received) give the direction."""
    data = _pklg([(0x00, b"\x03\x0c\x00"), (0x02, ACL_OUT), (0x03, ACL_IN), (0x01, b"\x0e\x04\x01\x03\x0c\x00")],
                 endian)
    records, error = _read(data, "x.pklg")
    assert error is None
    assert [(r.packet_type, r.direction, r.payload) for r in records] == [
        (PacketType.COMMAND, Direction.HOST_TO_CONTROLLER, b"\x03\x0c\x00"),
        (PacketType.ACL, Direction.HOST_TO_CONTROLLER, ACL_OUT),
        (PacketType.ACL, Direction.CONTROLLER_TO_HOST, ACL_IN),
        (PacketType.EVENT, Direction.CONTROLLER_TO_HOST, b"\x0e\x04\x01\x03\x0c\x00"),
    ]
