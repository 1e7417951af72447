"""pcap reader and writer for Bluetooth link types.

Link type 201 (BLUETOOTH_HCI_H4_WITH_PHDR) puts a 4-byte big-endian direction
(0 = sent by the host, 1 = received) before the H4 packet; link type 187 has the
H4 packet alone; link type 254 (BLUETOOTH_LINUX_MONITOR) has a big-endian adapter
index and monitor opcode before the packet. layouts.py declares the headers.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import BinaryIO

from aioble_hci.capture.btsnoop import _monitor_record
from aioble_hci.capture.layouts import (
    H4DirectionHeader,
    MonitorHeader,
    PcapHeader,
    PcapRecordHeader,
    fixed_struct,
)
from aioble_hci.capture.records import (
    CaptureFormatError,
    CaptureRecord,
    default_direction,
)
from aioble_hci.hci.packets import Direction, PacketType

LINKTYPE_BLUETOOTH_HCI_H4 = 187
LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR = 201
LINKTYPE_BLUETOOTH_LINUX_MONITOR = 254
SUPPORTED_LINKTYPES = (
    LINKTYPE_BLUETOOTH_HCI_H4,
    LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR,
    LINKTYPE_BLUETOOTH_LINUX_MONITOR,
)
MAGIC_US = 0xA1B2C3D4
MAGIC_NS = 0xA1B23C4D
HEADER_SIZE = PcapHeader["<"].sizeof()
# Per-record headers go through struct equivalents of the construct definitions (layouts.py).
_DIRECTION = fixed_struct(H4DirectionHeader)
_MONITOR = fixed_struct(MonitorHeader)
_RECORD = {endian: fixed_struct(layout) for endian, layout in PcapRecordHeader.items()}


def decode_frame(
    linktype: int, frame: bytes, timestamp: float, offset: int, path: str | None
) -> CaptureRecord:
    """Turn one frame of a supported link type into a record (shared with pcapng)."""
    if linktype == LINKTYPE_BLUETOOTH_LINUX_MONITOR:
        if len(frame) < 4:
            raise CaptureFormatError(
                "Linux monitor frame shorter than its 4-byte header", offset, path
            )
        index, opcode = _MONITOR.unpack_from(frame)
        return _monitor_record(timestamp, (index << 16) | opcode, frame[4:])
    direction: Direction | None = None
    if linktype == LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR:
        if len(frame) < 5:
            raise CaptureFormatError("H4-with-direction frame shorter than 5 bytes", offset, path)
        direction = Direction(_DIRECTION.unpack_from(frame)[0] & 1)
        frame = frame[4:]
    elif not frame:
        raise CaptureFormatError("empty H4 frame", offset, path)
    try:
        ptype = PacketType(frame[0])
    except ValueError:
        raise CaptureFormatError(
            f"unknown H4 packet indicator 0x{frame[0]:02x}", offset, path
        ) from None
    if direction is None:
        direction = default_direction(ptype)
    return CaptureRecord(timestamp, direction, ptype, frame[1:])


def read_pcap(data: bytes, path: str | None = None) -> Iterator[CaptureRecord]:
    """Yield every packet of a classic pcap file; raise CaptureFormatError at the first damaged one."""
    if len(data) < HEADER_SIZE:
        raise CaptureFormatError("truncated pcap header", 0, path)
    for endian in ("<", ">"):
        header = PcapHeader[endian].parse(data[:HEADER_SIZE])
        if header.magic in (MAGIC_US, MAGIC_NS):
            break
    else:
        raise CaptureFormatError("not a pcap file (bad magic)", 0, path)
    scale = 1e-9 if header.magic == MAGIC_NS else 1e-6
    linktype = header.linktype & 0x0FFFFFFF
    if linktype not in SUPPORTED_LINKTYPES:
        raise CaptureFormatError(f"unsupported pcap link type {linktype}", 20, path)
    record = _RECORD[endian]
    offset = HEADER_SIZE
    while offset < len(data):
        if len(data) - offset < record.size:
            raise CaptureFormatError("truncated pcap record header", offset, path)
        sec, frac, incl_len, orig_len = record.unpack_from(data, offset)
        start = offset + record.size
        if incl_len > 0x40000:
            raise CaptureFormatError(f"bad pcap record length {incl_len}", offset, path)
        if start + incl_len > len(data):
            raise CaptureFormatError(
                f"truncated pcap record: {incl_len} bytes announced, {len(data) - start} left",
                offset,
                path,
            )
        yield decode_frame(
            linktype, data[start : start + incl_len], sec + frac * scale, offset, path
        )
        offset = start + incl_len


class PcapWriter:
    """Writes HCI records as pcap link type 201, flushing after each one."""

    extension = ".pcap"

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        stream.write(PcapHeader["<"].build({
            "magic": MAGIC_US, "version_major": 2, "version_minor": 4, "thiszone": 0, "sigfigs": 0,
            "snaplen": 0xFFFF, "linktype": LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR,
        }))
        stream.flush()

    def write(self, record: CaptureRecord) -> bool:
        """Write one record; non-HCI records cannot be stored in link type 201 and are skipped (False)."""
        if not record.is_hci or record.packet_type is None:
            return False
        direction = (
            record.direction
            if record.direction is not None
            else default_direction(record.packet_type)
        )
        ts = record.timestamp if record.timestamp is not None else time.time()
        micros = round(ts * 1e6)
        frame = _DIRECTION.pack(int(direction)) + bytes((record.packet_type,)) + record.payload
        header = _RECORD["<"].pack(micros // 1_000_000, micros % 1_000_000, len(frame), len(frame))
        self._stream.write(header + frame)
        self._stream.flush()
        return True

    def close(self) -> None:
        self._stream.close()
