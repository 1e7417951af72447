"""Capture readers: every shared capture reads fully; damage keeps what came before it."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from aioble_hci.capture import CaptureFormatError, RecordKind, detect_format, read_all, read_bytes
from aioble_hci.capture.btsnoop import EPOCH_DELTA_US
from aioble_hci.hci.packets import Direction, PacketType
from tests.capture.capture_testdata import CAPTURES, EXPECTED_RECORDS, SHARED


def _read_bytes_all(data: bytes, name: str):
    records = []
    try:
        for record in read_bytes(data, name):
            records.append(record)
    except CaptureFormatError as exc:
        return records, exc
    return records, None


@pytest.mark.parametrize("name", CAPTURES)
def test_shared_capture_reads_every_record_the_readme_counts(name: str) -> None:
    records, error = read_all(SHARED / name)
    assert error is None
    assert len(records) == EXPECTED_RECORDS[name]


@pytest.mark.parametrize("name", CAPTURES)
def test_truncated_capture_keeps_earlier_records_and_names_the_offset(name: str) -> None:
    data = (SHARED / name).read_bytes()
    full, _ = read_all(SHARED / name)
    for k in range(1, 8):
        cut = len(data) * k // 8 + 3
        records, error = _read_bytes_all(data[:cut], name)
        assert error is not None, f"cut at {cut} gave no error"
        assert error.offset <= cut
        assert f"at byte offset {error.offset}" in str(error)
        assert records == full[: len(records)]
        assert len(records) >= len(full) * (k - 1) // 8 - 5


@pytest.mark.parametrize("name", CAPTURES)
def test_format_is_detected_by_magic_not_extension(name: str) -> None:
    data = (SHARED / name).read_bytes()
    expected = {"btsnoop": "btsnoop", "pcapng": "pcapng", "pklg": "pklg"}[name.rsplit(".", 1)[1]]
    assert detect_format(data, "renamed.bin") == expected


def test_btsnoop_times_are_unix_seconds_and_directions_come_from_flags() -> None:
    records, _ = read_all(SHARED / "horizon-74-treadmill.btsnoop")
    first = records[0]
    assert first.packet_type == PacketType.COMMAND and first.payload == bytes.fromhex("030c00")
    assert first.direction == Direction.HOST_TO_CONTROLLER
    assert 1.5e9 < (first.timestamp or 0) < 1.8e9
    assert (
        records[1].packet_type == PacketType.EVENT
        and records[1].direction == Direction.CONTROLLER_TO_HOST
    )


def _btsnoop(records: list[tuple[int, bytes]], datalink: int = 1002) -> bytes:
    out = b"btsnoop\x00" + struct.pack(">II", 1, datalink)
    for flags, body in records:
        out += struct.pack(">IIIIq", len(body), len(body), flags, 0, EPOCH_DELTA_US) + body
    return out


def test_btsnoop_bad_length_is_an_error_at_that_record_after_the_good_ones() -> None:
    good = _btsnoop([(2, b"\x01\x03\x0c\x00")])
    bad = struct.pack(">IIIIq", 10, 5000, 0, 0, EPOCH_DELTA_US) + b"\x02" * 10
    records, error = _read_bytes_all(good + bad, "x.btsnoop")
    assert len(records) == 1
    assert error is not None and error.offset == len(good)


def test_btsnoop_unknown_h4_indicator_is_an_error_naming_its_record() -> None:
    data = _btsnoop([(2, b"\x01\x03\x0c\x00"), (0, b"\x09\x00")])
    records, error = _read_bytes_all(data, "x.btsnoop")
    assert len(records) == 1
    assert error is not None and "0x09" in str(error) and error.offset == 16 + 24 + 4


def test_btsnoop_unencapsulated_uses_flag_bit_1_for_command_or_event() -> None:
    data = _btsnoop(
        [(2, b"\x03\x0c\x00"), (3, b"\x0e\x04\x01\x03\x0c\x00"), (1, b"\x40\x00\x00\x00")], 1001
    )
    records, error = _read_bytes_all(data, "x.btsnoop")
    assert error is None
    assert [r.packet_type for r in records] == [
        PacketType.COMMAND,
        PacketType.EVENT,
        PacketType.ACL,
    ]


def test_linux_monitor_records_keep_index_and_turn_notes_into_text() -> None:
    records, _ = read_all(SHARED / "bluez-btmon-poweroff.btsnoop")
    assert records[0].kind is RecordKind.NOTE and records[0].text.startswith("Linux version")
    hci = [r for r in records if r.kind is RecordKind.HCI]
    assert len(hci) == 111 and all(r.index == 0 for r in hci)
    assert any(r.kind is RecordKind.SYSTEM and r.text == "New Index" for r in records)


def test_linux_monitor_unknown_opcode_is_kept_as_other_record() -> None:
    data = _btsnoop([(0x0000_0063, b"\xaa\xbb")], 2001)
    records, error = _read_bytes_all(data, "x.btsnoop")
    assert error is None
    assert records[0].kind is RecordKind.OTHER and records[0].payload == b"\xaa\xbb"


def test_pklg_notes_and_unknown_types_are_non_hci_records() -> None:
    records, _ = read_all(SHARED / "macos-scan-cancel.pklg")
    assert records[0].kind is RecordKind.SYSTEM and records[0].text == "Power: OFF->ON+"
    assert any(r.kind is RecordKind.OTHER and "Set BTLP GPIO" in (r.text or "") for r in records)
    assert sum(r.kind is RecordKind.HCI for r in records) == 2052


def test_little_endian_pklg_reads_like_big_endian() -> None:
    body = b"\x01\x03\x0c\x00"
    le = struct.pack("<IIIB", 9 + len(body), 100, 5, 0x00) + body
    records, error = _read_bytes_all(le, "x.pklg")
    assert error is None
    assert records[0].packet_type == PacketType.COMMAND and records[0].payload == body
    assert records[0].timestamp == pytest.approx(100.000005)


def test_pcapng_reads_direction_from_the_pseudo_header() -> None:
    records, _ = read_all(SHARED / "darkelf-h4-phdr.pcapng")
    assert {r.direction for r in records} == {
        Direction.HOST_TO_CONTROLLER,
        Direction.CONTROLLER_TO_HOST,
    }
    assert all(r.packet_type == PacketType.ACL for r in records)


def test_pcapng_unknown_block_is_skipped() -> None:
    data = (SHARED / "darkelf-h4-phdr.pcapng").read_bytes()
    shb_len = struct.unpack_from("<I", data, 4)[0]
    custom = struct.pack("<II", 0x0BAD, 16) + b"abcd" + struct.pack("<I", 16)
    records, error = _read_bytes_all(data[:shb_len] + custom + data[shb_len:], "x.pcapng")
    assert error is None and len(records) == 122


def test_raw_h4_stream_splits_packets_and_reports_desync_offset(tmp_path: Path) -> None:
    stream = b"\x01\x03\x0c\x00" + b"\x04\x0e\x04\x01\x03\x0c\x00" + b"\x07\x00"
    records, error = _read_bytes_all(stream, "x.h4")
    assert [r.packet_type for r in records] == [PacketType.COMMAND, PacketType.EVENT]
    assert error is not None and error.offset == 11


def test_unknown_format_says_so() -> None:
    with pytest.raises(CaptureFormatError, match="unknown capture format"):
        list(read_bytes(b"hello world, not a capture", "x.txt"))
