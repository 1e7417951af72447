"""Every ATT PDU the decoder finds agrees with TShark's view: frame, direction, handle, raw payload."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pytest

from aioble_hci.capture.decoder import decode_file
from tests.capture.capture_testdata import CAPTURES, SHARED, TREADMILL, TREADMILL_CSV

AttRow = tuple[int, int, int, str]


def decoded_att_rows(path: Path) -> list[AttRow]:
    """(frame, direction, handle, L2CAP payload hex) for every whole frame on CID 0x0004."""
    rows = []
    for packet in decode_file(path).packets:
        l2cap = packet.layer("l2cap")
        if l2cap is not None and l2cap.fields["cid"] == 4:
            direction = packet.record.direction
            assert direction is not None and packet.handle is not None
            rows.append((packet.frame, int(direction), packet.handle, l2cap.fields["payload"]))
    return rows


def tshark_rows(lines: list[str]) -> list[AttRow]:
    rows = []
    for row in csv.DictReader(lines):
        rows.append(
            (
                int(row["frame.number"]),
                int(row["hci_h4.direction"], 16),
                int(row["bthci_acl.chandle"], 16),
                row["btl2cap.payload"].replace(":", ""),
            )
        )
    return rows


def test_treadmill_att_pdus_agree_with_the_stored_tshark_csv() -> None:
    expected = tshark_rows(TREADMILL_CSV.read_text().splitlines())
    assert len(expected) == 1659
    assert decoded_att_rows(TREADMILL) == expected


def _live_tshark(tshark: str, path: Path) -> list[AttRow]:
    fields = ["frame.number", "hci_h4.direction", "bthci_acl.chandle", "btl2cap.payload"]
    cmd = [
        tshark,
        "-r",
        str(path),
        "--disable-protocol",
        "btatt",
        "-Y",
        "btl2cap.cid == 0x0004",
        "-T",
        "fields",
        "-E",
        "header=y",
        "-E",
        "separator=,",
        "-E",
        "quote=d",
    ]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=60).stdout
    return tshark_rows(out.splitlines())


@pytest.mark.parametrize("name", CAPTURES)
def test_att_pdus_agree_with_live_tshark(name: str, tshark: str) -> None:
    assert decoded_att_rows(SHARED / name) == _live_tshark(tshark, SHARED / name)


@pytest.mark.parametrize("name", CAPTURES)
def test_no_packet_of_a_shared_capture_makes_the_decoder_fail(name: str) -> None:
    result = decode_file(SHARED / name)
    assert result.error is None
    assert all(packet.layers for packet in result.packets)
    assert not [p.frame for p in result.packets if p.has_layer("error")]
