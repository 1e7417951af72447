"""`aioble-hci emulate`: the listing, the refusals, and a served treadmill that `aioble-hci gatt` explores."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aioble_hci.cli.main import main
from tests.emulate.tshark_csv import read_treadmill_csv

TREADMILL = "horizon-74-treadmill.btsnoop"
CSV = "horizon-74-treadmill.att_raw.tshark.csv"


def test_list_counts_what_the_capture_holds(shared_captures: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The --list line gives the discovery, write and notification counts TShark sees in the capture."""
    expected = read_treadmill_csv(shared_captures / CSV)
    assert main(["emulate", str(shared_captures / TREADMILL), "--list"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    notifications = sum(len(n) for _, _, n in expected.steps)
    assert first.startswith("fa:e4:e3:24:20:09/random")
    assert (f"{len(expected.services)} services, {len(expected.characteristics)} characteristics, 0 reads, "
            f"{len(expected.steps)} writes, {notifications} notifications, 1 connection(s)") in first


def test_a_capture_without_a_peripheral_is_refused_in_one_line(shared_captures: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A user error is one line naming why (DEVELOPERS.md): this capture has no connection, no adverts."""
    assert main(["emulate", str(shared_captures / "bluez-btmon-poweroff.btsnoop"), "-t", "virtual"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith("aioble-hci: error: nothing to emulate: the capture holds no LE connection")


def test_a_device_not_in_the_capture_is_refused_naming_those_that_are(shared_captures: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["emulate", str(shared_captures / TREADMILL), "--device", "11:22:33:44:55:66", "-t", "virtual"]) == 1
    err = capsys.readouterr().err
    assert "no peripheral 11:22:33:44:55:66 in the capture" in err and "fa:e4:e3:24:20:09/random" in err


def test_the_served_treadmill_is_explored_by_the_gatt_command(shared_captures: Path, user_env: dict[str, str],
                                                              tmp_path: Path) -> None:
    """Two processes on the default shared air: `emulate` serves, `gatt` prints the recorded handles."""
    expected = read_treadmill_csv(shared_captures / CSV)
    cli = [sys.executable, "-m", "aioble_hci"]
    server = subprocess.Popen([*cli, "emulate", str(shared_captures / TREADMILL), "--duration", "60"],
                              env=user_env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert server.stdout is not None
        lines = []
        for line in server.stdout:
            lines.append(line)
            if line.startswith("serving "):
                break
        assert lines and lines[-1].startswith("serving fa:e4:e3:24:20:09/random on air"), "".join(lines)
        explored = subprocess.run([*cli, "gatt", "fa:e4:e3:24:20:09", "--no-values"], env=user_env, cwd=tmp_path,
                                  capture_output=True, text=True, timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert explored.returncode == 0, explored.stderr
    tree = explored.stdout
    for start, end, uuid in expected.services:
        assert f"Service 0x{uuid.upper()}" in tree and f"[0x{start:04X}-0x{end:04X}]" in tree, (uuid, tree)


def test_emulating_a_capture_never_records_into_it(tmp_path: Path, shared_captures: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The capture is emulate's input: the run must not export it as the --capture target, which
    every Host then writes (it once overwrote the treadmill capture)."""
    monkeypatch.delenv("AIOBLE_HCI_CAPTURE", raising=False)
    copy = tmp_path / TREADMILL
    copy.write_bytes((shared_captures / TREADMILL).read_bytes())
    assert main(["emulate", str(copy), "-t", "virtual", "--duration", "0.2"]) == 0
    assert "AIOBLE_HCI_CAPTURE" not in __import__("os").environ
    assert copy.read_bytes() == (shared_captures / TREADMILL).read_bytes()
