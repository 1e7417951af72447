"""`aioble-hci capture show|stats|convert` on the shared captures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aioble_hci.capture import read_all
from aioble_hci.cli.main import main
from tests.capture.capture_testdata import CAPTURES, SHARED, TREADMILL


def test_show_on_the_largest_capture_prints_known_packets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    largest = max((SHARED / name for name in CAPTURES), key=lambda p: p.stat().st_size)
    assert largest == TREADMILL
    assert main(["capture", "show", str(largest)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("#1 ")
    assert "#1 1612150" in out and "HCI Command: RESET" in out.splitlines()[0]
    lines = out.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("#554 ")))
    assert "ACL handle 0x0200" in lines[at]
    assert (
        "ATT READ_BY_GROUP_TYPE_REQ" in lines[at + 2]
        and "attribute_group_type=0x2800" in lines[at + 2]
    )
    assert any(line.startswith("#2572 ") for line in lines)


def test_show_json_with_att_filter_lists_every_att_pdu(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["capture", "show", str(TREADMILL), "--filter", "att", "--json"]) == 0
    packets = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(packets) == 1659
    assert (
        packets[0]["frame"] == 554
        and packets[0]["layers"][-1]["summary"] == "ATT READ_BY_GROUP_TYPE_REQ"
    )


def test_show_handle_filter_keeps_only_that_connection(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "capture",
                "show",
                str(SHARED / "android-extadv-jieli.btsnoop"),
                "--handle",
                "0x0005",
                "--json",
            ]
        )
        == 0
    )
    packets = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert packets and all(p["handle"] == 5 for p in packets)


def test_show_adv_filter_prints_advertising_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["capture", "show", str(TREADMILL), "--filter", "adv"]) == 0
    out = capsys.readouterr().out
    assert "LE_ADVERTISING_REPORT" in out and "'name': 'GVH5072_6FAB'" in out


def test_stats_counts_packets_connections_and_att_opcodes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["capture", "stats", str(TREADMILL), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["packets"] == {"COMMAND": 95, "EVENT": 818, "ACL": 1659}
    assert stats["att"]["WRITE_REQ"] == 261 and stats["att"]["HANDLE_VALUE_NTF"] == 1047
    assert [c["handle"] for c in stats["connections"]] == [0x0200]


def test_stats_follows_pairing_to_encryption_on_the_recorded_session(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # captures/README.md: one connection, LE Secure Connections Just Works with bonding
    session = Path(__file__).parents[2] / "captures" / "virtual_session.btsnoop"
    assert main(["capture", "stats", str(session), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["pairing"] == {"0x0000": "encrypted after pairing"}
    # SC: both sides send a public key, a random and a DHKey check; only the responder a confirm
    assert stats["smp"]["Pairing Public Key"] == stats["smp"]["Pairing DHKey Check"] == 2
    assert stats["smp"]["Pairing Confirm"] == 1
    assert stats["smp"]["Pairing Request"] == stats["smp"]["Pairing Response"] == 1


def test_convert_writes_a_readable_pcap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "treadmill.pcap"
    assert main(["capture", "convert", str(TREADMILL), str(out)]) == 0
    assert "wrote 2572 packets" in capsys.readouterr().out
    records, error = read_all(out)
    assert error is None and len(records) == 2572


def test_show_on_a_truncated_capture_prints_what_it_read_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cut = tmp_path / "cut.btsnoop"
    cut.write_bytes(TREADMILL.read_bytes()[:5000])
    assert main(["capture", "show", str(cut)]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("#1 ") and "byte offset" in captured.err
