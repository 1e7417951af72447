"""btsnoop files: reader for datalinks 1001, 1002 and 2001, writer for 1002.

The format (RFC 1761 style, as Android and btmon write it) is big-endian: a 16-byte
header (magic, version 1, datalink) then records of original length, included length,
flags, cumulative drops and a timestamp in microseconds since year 0 (layouts.py declares both).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import BinaryIO

from aioble_hci.capture.layouts import (
    BTSNOOP_MAGIC,
    BtsnoopHeader,
    BtsnoopRecordHeader,
    fixed_struct,
)
from aioble_hci.capture.records import (
    CaptureFormatError,
    CaptureRecord,
    RecordKind,
    default_direction,
)
from aioble_hci.hci.packets import Direction, PacketType

MAGIC = BTSNOOP_MAGIC
DATALINK_HCI_UNENCAPSULATED = 1001
DATALINK_HCI_UART = 1002  # H4: the packet indicator byte precedes each packet
DATALINK_LINUX_MONITOR = 2001
EPOCH_DELTA_US = 0x00DCDDB30F2F8000  # microseconds from year 0 to 1970-01-01
HEADER_SIZE = BtsnoopHeader.sizeof()
_RECORD = fixed_struct(BtsnoopRecordHeader)  # per record: struct, not a construct parse (layouts.py)

# Linux monitor opcodes (low 16 bits of the flags) that carry HCI packets.
_MONITOR_HCI: dict[int, tuple[PacketType, Direction]] = {
    2: (PacketType.COMMAND, Direction.HOST_TO_CONTROLLER),
    3: (PacketType.EVENT, Direction.CONTROLLER_TO_HOST),
    4: (PacketType.ACL, Direction.HOST_TO_CONTROLLER),
    5: (PacketType.ACL, Direction.CONTROLLER_TO_HOST),
    6: (PacketType.SCO, Direction.HOST_TO_CONTROLLER),
    7: (PacketType.SCO, Direction.CONTROLLER_TO_HOST),
    18: (PacketType.ISO, Direction.HOST_TO_CONTROLLER),
    19: (PacketType.ISO, Direction.CONTROLLER_TO_HOST),
}
MONITOR_OPCODE_NAMES = {
    0: "New Index",
    1: "Delete Index",
    8: "Open Index",
    9: "Close Index",
    10: "Index Info",
    11: "Vendor Diagnostic",
    12: "System Note",
    13: "User Logging",
    14: "Control Open",
    15: "Control Close",
    16: "Control Command",
    17: "Control Event",
}
_MONITOR_NOTES = {12}  # System Note: plain text
_MONITOR_TEXTUAL = {13}  # User Logging: priority, ident length, ident, message


def to_unix(timestamp_us: int) -> float:
    return (timestamp_us - EPOCH_DELTA_US) / 1e6


def from_unix(timestamp: float) -> int:
    return round(timestamp * 1e6) + EPOCH_DELTA_US


def read_btsnoop(data: bytes, path: str | None = None) -> Iterator[CaptureRecord]:
    """Yield every record; raise CaptureFormatError at the first damaged one."""
    if len(data) < HEADER_SIZE or data[:8] != MAGIC:
        raise CaptureFormatError("not a btsnoop file (bad magic or short header)", 0, path)
    header = BtsnoopHeader.parse(data[:HEADER_SIZE])
    version, datalink = header.version, header.datalink
    if version != 1:
        raise CaptureFormatError(f"unsupported btsnoop version {version}", 8, path)
    if datalink not in (DATALINK_HCI_UNENCAPSULATED, DATALINK_HCI_UART, DATALINK_LINUX_MONITOR):
        raise CaptureFormatError(f"unsupported btsnoop datalink {datalink}", 12, path)
    offset = HEADER_SIZE
    while offset < len(data):
        if len(data) - offset < _RECORD.size:
            raise CaptureFormatError(
                f"truncated record header ({len(data) - offset} of {_RECORD.size} bytes)",
                offset,
                path,
            )
        orig_len, incl_len, flags, _drops, ts = _RECORD.unpack_from(data, offset)
        body_start = offset + _RECORD.size
        if incl_len > orig_len and orig_len != 0:
            raise CaptureFormatError(
                f"bad record length: included {incl_len} > original {orig_len}", offset, path
            )
        if body_start + incl_len > len(data):
            raise CaptureFormatError(
                f"truncated record: {incl_len} bytes announced, {len(data) - body_start} left",
                offset,
                path,
            )
        body = data[body_start : body_start + incl_len]
        timestamp = to_unix(ts)
        if datalink == DATALINK_HCI_UART:
            if not body:
                raise CaptureFormatError("empty H4 record (no packet indicator)", offset, path)
            try:
                ptype = PacketType(body[0])
            except ValueError:
                raise CaptureFormatError(
                    f"unknown H4 packet indicator 0x{body[0]:02x}", offset, path
                ) from None
            direction = Direction(flags & 1)
            yield CaptureRecord(timestamp, direction, ptype, body[1:])
        elif datalink == DATALINK_HCI_UNENCAPSULATED:
            direction = Direction(flags & 1)
            if flags & 2:
                ptype = (
                    PacketType.EVENT
                    if direction == Direction.CONTROLLER_TO_HOST
                    else PacketType.COMMAND
                )
            else:
                ptype = PacketType.ACL
            yield CaptureRecord(timestamp, direction, ptype, body)
        else:
            yield _monitor_record(timestamp, flags, body)
        offset = body_start + incl_len


def _monitor_record(timestamp: float, flags: int, body: bytes) -> CaptureRecord:
    """One Linux monitor record: HCI packets keep their adapter index; the rest are notes/system."""
    index, opcode = flags >> 16, flags & 0xFFFF
    hci = _MONITOR_HCI.get(opcode)
    if hci is not None:
        return CaptureRecord(timestamp, hci[1], hci[0], body, index=index, source_type=opcode)
    name = MONITOR_OPCODE_NAMES.get(opcode, f"Monitor opcode {opcode}")
    if opcode in _MONITOR_NOTES:
        text = body.rstrip(b"\x00").decode("utf-8", "replace")
        return CaptureRecord(timestamp, None, None, body, RecordKind.NOTE, index, text, opcode)
    if opcode in _MONITOR_TEXTUAL and len(body) >= 2:
        ident_len = body[1]
        ident = body[2 : 2 + ident_len].rstrip(b"\x00").decode("utf-8", "replace")
        message = body[2 + ident_len :].rstrip(b"\x00").decode("utf-8", "replace")
        return CaptureRecord(
            timestamp, None, None, body, RecordKind.NOTE, index, f"{ident}: {message}", opcode
        )
    kind = RecordKind.SYSTEM if opcode in MONITOR_OPCODE_NAMES else RecordKind.OTHER
    return CaptureRecord(timestamp, None, None, body, kind, index, name, opcode)


class BtsnoopWriter:
    """Writes HCI records as btsnoop datalink 1002, flushing after each one."""

    extension = ".btsnoop"

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        stream.write(BtsnoopHeader.build({"magic": MAGIC, "version": 1, "datalink": DATALINK_HCI_UART}))
        stream.flush()

    def write(self, record: CaptureRecord) -> bool:
        """Write one record; non-HCI records have no place in datalink 1002 and are skipped (False)."""
        if not record.is_hci or record.packet_type is None:
            return False
        direction = record.direction
        if direction is None:
            direction = default_direction(record.packet_type)
        flags = int(direction)
        if record.packet_type in (PacketType.COMMAND, PacketType.EVENT):
            flags |= 2
        ts = record.timestamp if record.timestamp is not None else time.time()
        body = bytes((record.packet_type,)) + record.payload
        self._stream.write(_RECORD.pack(len(body), len(body), flags, 0, from_unix(ts)) + body)
        self._stream.flush()
        return True

    def close(self) -> None:
        self._stream.close()
