"""Capture reader harnesses: btsnoop, pcap, pcapng, Apple PacketLogger and raw H4 files.

The input becomes file bytes (after a valid header for the formats that need one, so the
fuzzer starts inside the record loop). Invariants: a reader raises only CaptureFormatError,
yields well-formed CaptureRecords, never more records than the file has bytes (every record
consumes input), and the capture decoder never raises on any record it is given.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator

from aioble_hci.capture.btsnoop import MAGIC as BTSNOOP_MAGIC
from aioble_hci.capture.btsnoop import read_btsnoop
from aioble_hci.capture.decoder import CaptureDecoder
from aioble_hci.capture.files import read_bytes
from aioble_hci.capture.h4stream import read_h4
from aioble_hci.capture.pcap import MAGIC_NS, MAGIC_US, SUPPORTED_LINKTYPES, read_pcap
from aioble_hci.capture.pcapng import BLOCK_IDB, BLOCK_SHB, BYTE_ORDER_MAGIC, read_pcapng
from aioble_hci.capture.pklg import read_pklg
from aioble_hci.capture.records import CaptureFormatError, CaptureRecord, RecordKind
from aioble_hci.hci.packets import Direction, PacketType

from .harness import Harness

Reader = Callable[[bytes, "str | None"], Iterator[CaptureRecord]]
DATALINKS = (1001, 1002, 2001)


def btsnoop_file(data: bytes) -> bytes:
    mode = data[0] if data else 0
    return BTSNOOP_MAGIC + struct.pack(">II", 1, DATALINKS[mode % 3]) + data[1:]


def pcap_file(data: bytes) -> bytes:
    mode = data[0] if data else 0
    endian = ">" if mode & 1 else "<"
    magic = MAGIC_NS if mode & 2 else MAGIC_US
    linktype = SUPPORTED_LINKTYPES[(mode >> 2) % len(SUPPORTED_LINKTYPES)]
    return struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, 0xFFFF, linktype) + data[1:]


def pcapng_file(data: bytes) -> bytes:
    mode = data[0] if data else 0
    if mode & 0x80:
        return data[1:]
    endian = ">" if mode & 1 else "<"
    linktype = SUPPORTED_LINKTYPES[(mode >> 1) % len(SUPPORTED_LINKTYPES)]
    shb = struct.pack(endian + "IIIHHqI", BLOCK_SHB, 28, BYTE_ORDER_MAGIC, 1, 0, -1, 28)
    idb = struct.pack(endian + "IIHHII", BLOCK_IDB, 20, linktype, 0, 0xFFFF, 20)
    return shb + idb + data[1:]


def check_reader(reader: Reader, file_bytes: bytes) -> None:
    decoder = CaptureDecoder()
    count = 0
    try:
        for record in reader(file_bytes, None):
            count += 1
            assert count <= len(file_bytes) + 1, "more records than bytes: reader is not advancing"
            assert isinstance(record, CaptureRecord)
            assert isinstance(record.payload, bytes)
            assert record.kind in RecordKind
            assert record.direction is None or isinstance(record.direction, Direction)
            if record.is_hci:
                assert isinstance(record.packet_type, PacketType)
            decoder.decode(record)
    except CaptureFormatError as exc:
        assert 0 <= exc.offset <= len(file_bytes), (exc.offset, len(file_bytes))


def capture_btsnoop_one_input(data: bytes) -> None:
    check_reader(read_btsnoop, btsnoop_file(data))


def capture_pcap_one_input(data: bytes) -> None:
    check_reader(read_pcap, pcap_file(data))


def capture_pcapng_one_input(data: bytes) -> None:
    check_reader(read_pcapng, pcapng_file(data))


def capture_pklg_one_input(data: bytes) -> None:
    check_reader(read_pklg, data)


def capture_h4_one_input(data: bytes) -> None:
    check_reader(read_h4, data)


def capture_any_one_input(data: bytes) -> None:
    """Format detection by content, as `aioble-hci capture` and `replay:` open files."""
    check_reader(read_bytes, data)


def _btsnoop_record(flags: int, body: bytes, incl: int | None = None) -> bytes:
    n = len(body) if incl is None else incl
    return struct.pack(">IIIIq", len(body), n, flags, 0, 0x00E03AB44A676000) + body


def _pcap_record(body: bytes, incl: int | None = None) -> bytes:
    return struct.pack("<IIII", 0, 0, len(body) if incl is None else incl, len(body)) + body


BTSNOOP_SEEDS = {
    "event-and-acl": b"\x01" + _btsnoop_record(1, b"\x04\x0e\x04\x01\x03\x0c\x00") + _btsnoop_record(1, b"\x02\x40\x20\x05\x00\x01\x00\x04\x00\x0a"),
    "H1-adv-report-length-lies": b"\x01" + _btsnoop_record(1, b"\x04\x3e\x0c\x02\x01\x00\x00" + bytes(6) + b"\xff\xc0"),
    "truncated-record": b"\x01" + _btsnoop_record(1, b"\x04\x0e", incl=200),
    "unencapsulated": b"\x00" + _btsnoop_record(3, b"\x0e\x04\x01\x03\x0c\x00"),
    "monitor-note": b"\x02" + _btsnoop_record(0x0000000C, b"hello\x00"),
    "L2-acl-continuation": b"\x01" + _btsnoop_record(1, b"\x02\x40\x20\x03\x00\x20\x00\x04") + _btsnoop_record(1, b"\x02\x40\x10\x30\x00" + bytes(48)),
}
PCAP_SEEDS = {
    "h4": b"\x00" + _pcap_record(b"\x04\x0e\x04\x01\x03\x0c\x00"),
    "h4-phdr": b"\x04" + _pcap_record(b"\x00\x00\x00\x01\x04\x0e\x04\x01\x03\x0c\x00"),
    "monitor": b"\x08" + _pcap_record(b"\x00\x00\x03\x00\x0e\x04\x01\x03\x0c\x00"),
    "huge-incl-len": b"\x00" + _pcap_record(b"", incl=0x7FFFFFFF),
}
PCAPNG_SEEDS = {
    "epb-h4": b"\x00" + struct.pack("<IIIIIII", 6, 40, 0, 0, 0, 7, 7) + b"\x04\x0e\x04\x01\x03\x0c\x00\x00" + struct.pack("<I", 40),
    "block-length-zero": b"\x00" + struct.pack("<II", 6, 0),
    "raw-bad-bom": b"\x80" + struct.pack("<III", BLOCK_SHB, 28, 0x12345678) + bytes(16),
}
PKLG_SEEDS = {
    "event": struct.pack(">Iq", 9 + 6, 0) + b"\x01" + b"\x0e\x04\x01\x03\x0c\x00",
    "length-below-header": struct.pack(">Iq", 2, 0) + b"\x01",
}
H4_SEEDS = {
    "event": b"\x04\x0e\x04\x01\x03\x0c\x00",
    "bad-indicator": b"\x04\x0e\x04\x01\x03\x0c\x00\x09",
    "truncated-acl": b"\x02\x40\x20\xff\x00\x01",
}
ANY_SEEDS = {name: btsnoop_file(seed) for name, seed in BTSNOOP_SEEDS.items()} | {
    "h4": H4_SEEDS["event"], "empty": b"", "unknown": b"\x00\x01\x02",
}

HARNESSES = [
    Harness("capture_btsnoop", "aioble_hci.capture.btsnoop.read_btsnoop + CaptureDecoder",
            capture_btsnoop_one_input, "CaptureFormatError", BTSNOOP_SEEDS),
    Harness("capture_pcap", "aioble_hci.capture.pcap.read_pcap + CaptureDecoder",
            capture_pcap_one_input, "CaptureFormatError", PCAP_SEEDS),
    Harness("capture_pcapng", "aioble_hci.capture.pcapng.read_pcapng + CaptureDecoder",
            capture_pcapng_one_input, "CaptureFormatError", PCAPNG_SEEDS),
    Harness("capture_pklg", "aioble_hci.capture.pklg.read_pklg + CaptureDecoder",
            capture_pklg_one_input, "CaptureFormatError", PKLG_SEEDS),
    Harness("capture_h4", "aioble_hci.capture.h4stream.read_h4 + CaptureDecoder",
            capture_h4_one_input, "CaptureFormatError", H4_SEEDS),
    Harness("capture_any", "aioble_hci.capture.files.read_bytes (format detection)",
            capture_any_one_input, "CaptureFormatError", ANY_SEEDS),
]
