"""Capture writers: what they write reads back identically, and Wireshark opens it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from aioble_hci.capture import (
    CaptureRecord,
    RecordKind,
    convert,
    open_writer,
    read_all,
)
from aioble_hci.hci.packets import Direction, PacketType
from tests.capture.capture_testdata import SHARED, TREADMILL


def _hci(records: list[CaptureRecord]) -> list[CaptureRecord]:
    return [r for r in records if r.kind is RecordKind.HCI]


def _same_packets(a: list[CaptureRecord], b: list[CaptureRecord]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert (x.direction, x.packet_type, x.payload) == (y.direction, y.packet_type, y.payload)
        assert x.timestamp == pytest.approx(y.timestamp, abs=1e-6)


@pytest.mark.parametrize("suffix", [".btsnoop", ".pcap", ".log"])
def test_write_then_read_gives_identical_packets(tmp_path: Path, suffix: str) -> None:
    original, _ = read_all(TREADMILL)
    out = tmp_path / f"copy{suffix}"
    writer = open_writer(out)
    for record in original:
        assert writer.write(record)
    writer.close()
    again, error = read_all(out)
    assert error is None
    _same_packets(again, original)


def test_btsnoop_round_trip_keeps_timestamps_exactly(tmp_path: Path) -> None:
    original, _ = read_all(TREADMILL)
    convert(TREADMILL, tmp_path / "copy.btsnoop")
    again, _ = read_all(tmp_path / "copy.btsnoop")
    assert again == original


def test_each_record_is_on_disk_before_the_writer_is_closed(tmp_path: Path) -> None:
    out = tmp_path / "live.pcap"
    writer = open_writer(out)
    writer.write(
        CaptureRecord(1.5, Direction.HOST_TO_CONTROLLER, PacketType.COMMAND, b"\x03\x0c\x00")
    )
    writer.write(
        CaptureRecord(
            2.0, Direction.CONTROLLER_TO_HOST, PacketType.EVENT, b"\x0e\x04\x01\x03\x0c\x00"
        )
    )
    records, error = read_all(out)  # as if the process had crashed here
    assert error is None and [r.packet_type for r in records] == [
        PacketType.COMMAND,
        PacketType.EVENT,
    ]
    writer.close()


def test_notes_are_skipped_when_converting_to_a_packet_only_format(tmp_path: Path) -> None:
    written, skipped, error = convert(
        SHARED / "bluez-btmon-poweroff.btsnoop", tmp_path / "out.pcap"
    )
    assert (written, skipped, error) == (111, 443, None)


def test_record_without_direction_or_time_gets_the_direction_its_type_implies(
    tmp_path: Path,
) -> None:
    out = tmp_path / "x.btsnoop"
    writer = open_writer(out)
    writer.write(CaptureRecord(None, None, PacketType.EVENT, b"\x0e\x04\x01\x03\x0c\x00"))
    writer.close()
    records, _ = read_all(out)
    assert records[0].direction == Direction.CONTROLLER_TO_HOST and records[0].timestamp is not None


def test_unknown_writer_extension_names_the_accepted_ones(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.btsnoop.*\.pcap"):
        open_writer(tmp_path / "x.pcapng")


@pytest.mark.parametrize("suffix", [".btsnoop", ".pcap"])
def test_tshark_opens_what_the_writers_write(tmp_path: Path, suffix: str, tshark: str) -> None:
    out = tmp_path / f"copy{suffix}"
    convert(TREADMILL, out)
    result = subprocess.run(
        [
            tshark,
            "-r",
            str(out),
            "-Y",
            "_ws.malformed || _ws.expert.severity >= error",
            "-T",
            "fields",
            "-e",
            "frame.number",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
    count = subprocess.run(
        [tshark, "-r", str(out), "-T", "fields", "-e", "frame.number"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert len(count.stdout.split()) == 2572
