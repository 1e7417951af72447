"""Apple PacketLogger (.pklg) reader.

Records are a 4-byte length (of what follows it), seconds, microseconds and a
1-byte type, then the packet without H4 indicator. Old files are big-endian, newer
ones little-endian; the first record's length tells which. layouts.py declares the header.
"""

from __future__ import annotations

from collections.abc import Iterator

from aioble_hci.capture.layouts import PklgRecordHeader, fixed_struct
from aioble_hci.capture.records import CaptureFormatError, CaptureRecord, RecordKind
from aioble_hci.hci.packets import Direction, PacketType

_HCI_TYPES: dict[int, tuple[PacketType, Direction]] = {
    0x00: (PacketType.COMMAND, Direction.HOST_TO_CONTROLLER),
    0x01: (PacketType.EVENT, Direction.CONTROLLER_TO_HOST),
    0x02: (PacketType.ACL, Direction.HOST_TO_CONTROLLER),
    0x03: (PacketType.ACL, Direction.CONTROLLER_TO_HOST),
    0x08: (PacketType.SCO, Direction.HOST_TO_CONTROLLER),
    0x09: (PacketType.SCO, Direction.CONTROLLER_TO_HOST),
    0x12: (PacketType.ISO, Direction.HOST_TO_CONTROLLER),
    0x13: (PacketType.ISO, Direction.CONTROLLER_TO_HOST),
}
NOTE_TYPES = {0xFB: "Power", 0xFC: "Note", 0xFD: "Kernel", 0xFE: "Kernel debug", 0xFF: "Error"}
_MIN_LEN = 9  # seconds + microseconds + type
_MAX_LEN = 0x20000
_HEADER = {endian: fixed_struct(layout) for endian, layout in PklgRecordHeader.items()}  # per record


def looks_like_pklg(data: bytes) -> bool:
    """True when the first record's length is plausible in either byte order and fits the file."""
    return _byte_order(data) is not None


def _byte_order(data: bytes) -> str | None:
    if len(data) < 13:
        return None
    for endian in (">", "<"):
        length = _HEADER[endian].unpack_from(data)[0]
        if _MIN_LEN <= length <= min(_MAX_LEN, len(data) - 4):
            return endian
    return None


def read_pklg(data: bytes, path: str | None = None) -> Iterator[CaptureRecord]:
    """Yield every record; HCI packets as HCI records, notes as text, other types raw."""
    endian = _byte_order(data)
    if endian is None:
        raise CaptureFormatError(
            "not a PacketLogger file (implausible first record length)", 0, path
        )
    header = _HEADER[endian]
    offset = 0
    while offset < len(data):
        if len(data) - offset < header.size:
            raise CaptureFormatError(
                f"truncated PacketLogger record header ({len(data) - offset} of {header.size} bytes)",
                offset,
                path,
            )
        length, secs, usecs, rtype = header.unpack_from(data, offset)
        if not _MIN_LEN <= length <= _MAX_LEN:
            raise CaptureFormatError(f"bad PacketLogger record length {length}", offset, path)
        end = offset + 4 + length
        if end > len(data):
            raise CaptureFormatError(
                f"truncated PacketLogger record: {length} bytes announced, {len(data) - offset - 4} left",
                offset,
                path,
            )
        body = data[offset + header.size : end]
        timestamp = secs + usecs / 1e6
        hci = _HCI_TYPES.get(rtype)
        if hci is not None:
            yield CaptureRecord(timestamp, hci[1], hci[0], body, source_type=rtype)
        elif rtype in NOTE_TYPES:
            text = body.rstrip(b"\x00").decode("utf-8", "replace").rstrip("\n")
            kind = RecordKind.SYSTEM if rtype == 0xFB else RecordKind.NOTE
            yield CaptureRecord(
                timestamp,
                None,
                None,
                body,
                kind,
                text=f"{NOTE_TYPES[rtype]}: {text}",
                source_type=rtype,
            )
        else:
            yield CaptureRecord(
                timestamp,
                None,
                None,
                body,
                RecordKind.OTHER,
                text=_describe(rtype, body),
                source_type=rtype,
            )
        offset = end


def _describe(rtype: int, body: bytes) -> str:
    """Name an unknown record type, with its text when the body is printable (as 0xF8 records are)."""
    name = f"PacketLogger record type 0x{rtype:02x}"
    try:
        text = body.rstrip(b"\x00").decode("utf-8").rstrip("\n")
    except UnicodeDecodeError:
        return name
    return f"{name}: {text}" if text.isprintable() and text else name
