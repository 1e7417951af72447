"""The construct declarations of the capture formats (capture/layouts.py) and the struct
equivalents the per-record loops use must read the same bytes the same way."""

from __future__ import annotations

import struct

import pytest
from construct import Bytes, Int16ub, Int32ul, Struct

from aioble_hci.capture.layouts import (
    BtsnoopHeader,
    BtsnoopRecordHeader,
    PcapHeader,
    Pcapng,
    PcapRecordHeader,
    PklgRecordHeader,
    fixed_struct,
)


def test_btsnoop_header_is_16_bytes_big_endian() -> None:
    """btsnoop: 8-byte magic, version, datalink, big-endian (as Android's and btmon's files)."""
    header = BtsnoopHeader.parse(b"btsnoop\x00" + bytes.fromhex("00000001 000003ea"))
    assert (header.version, header.datalink) == (1, 1002)
    assert BtsnoopHeader.sizeof() == 16


def test_btsnoop_record_struct_reads_what_construct_reads() -> None:
    raw = bytes.fromhex("0000000a 00000008 00000003 00000000 00e03bb4 e5a0b1c0")
    parsed = BtsnoopRecordHeader.parse(raw)
    fast = fixed_struct(BtsnoopRecordHeader).unpack(raw)
    assert fast == (parsed.original_length, parsed.included_length, parsed.flags, parsed.cumulative_drops,
                    parsed.timestamp) == (10, 8, 3, 0, 0x00E03BB4E5A0B1C0)


@pytest.mark.parametrize("endian", ["<", ">"])
def test_pcap_layouts_follow_the_file_byte_order(endian: str) -> None:
    raw = struct.pack(endian + "IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 0xFFFF, 201)
    header = PcapHeader[endian].parse(raw)
    assert (header.magic, header.version_major, header.version_minor, header.linktype) == (0xA1B2C3D4, 2, 4, 201)
    record = struct.pack(endian + "IIII", 1, 2, 3, 4)
    assert fixed_struct(PcapRecordHeader[endian]).unpack(record) == (1, 2, 3, 4)


@pytest.mark.parametrize("endian", ["<", ">"])
def test_pcapng_enhanced_packet_block_header(endian: str) -> None:
    raw = struct.pack(endian + "IIIII", 0, 0x0005C1A2, 0x3B4C5D6E, 9, 9)
    parsed = Pcapng[endian]["epb"].parse(raw)
    assert fixed_struct(Pcapng[endian]["epb"]).unpack(raw) == (0, 0x0005C1A2, 0x3B4C5D6E, 9, 9)
    assert (parsed.ts_high, parsed.captured_length) == (0x0005C1A2, 9)


def test_pklg_record_header_is_length_seconds_microseconds_type() -> None:
    raw = struct.pack("<IIIB", 13, 1700000000, 250000, 0x02)
    assert fixed_struct(PklgRecordHeader["<"]).unpack(raw) == (13, 1700000000, 250000, 0x02)
    assert PklgRecordHeader[">"].parse(struct.pack(">IIIB", 13, 1, 2, 0x03)).type == 0x03


def test_only_fixed_size_numbers_of_one_byte_order_have_a_struct_equivalent() -> None:
    with pytest.raises(TypeError, match="not a fixed-size number"):
        fixed_struct(Struct("magic" / Bytes(8)))
    with pytest.raises(TypeError, match="mixed byte orders"):
        fixed_struct(Struct("a" / Int16ub, "b" / Int32ul))
