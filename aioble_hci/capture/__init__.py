"""Captures: read and write HCI capture files, decode them, replay them.

Readers (by content): btsnoop 1001/1002/2001, pcap and pcapng link types 187/201/254,
Apple PacketLogger, raw H4. Writers (by extension): btsnoop 1002, pcap 201.
"""

from aioble_hci.capture.files import (
    CaptureWriter,
    convert,
    detect_format,
    open_reader,
    open_writer,
    read_all,
    read_bytes,
)
from aioble_hci.capture.records import CaptureFormatError, CaptureRecord, RecordKind

__all__ = [
    "CaptureFormatError",
    "CaptureRecord",
    "CaptureWriter",
    "RecordKind",
    "convert",
    "detect_format",
    "open_reader",
    "open_writer",
    "read_all",
    "read_bytes",
]
