"""Recording from the command line (`--capture FILE`) and from AIOBLE_HCI_CAPTURE on every transport."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from aioble_hci.capture import CaptureRecord, read_all
from aioble_hci.cli.main import build_parser, main
from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.hci.packets import Direction, PacketType
from aioble_hci.host.host import Host
from aioble_hci.transport import open_transport
from aioble_hci.transport.base import Transport
from tests.conftest import require_tshark
from tests.scripted.controller import open_pty_controller

ENV = "AIOBLE_HCI_CAPTURE"
RESET = bytes.fromhex("030c00")


@pytest.fixture(autouse=True)
def no_capture_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start without AIOBLE_HCI_CAPTURE and restore it afterwards (--capture sets it)."""
    monkeypatch.delenv(ENV, raising=False)


def _read_start(path: Path) -> list[CaptureRecord]:
    records, error = read_all(path)
    assert error is None
    assert records and records[0].direction == Direction.HOST_TO_CONTROLLER
    assert (records[0].packet_type, records[0].payload) == (PacketType.COMMAND, RESET)
    assert sum(r.packet_type == PacketType.EVENT for r in records) >= 5
    return records


def _assert_wireshark_reads_clean(path: Path) -> None:
    tshark = require_tshark()
    frames = subprocess.run([tshark, "-r", str(path)], capture_output=True, text=True, check=True,
                            timeout=60).stdout
    malformed = subprocess.run([tshark, "-r", str(path), "-Y", "_ws.malformed"], capture_output=True,
                               text=True, check=True, timeout=60).stdout
    assert len(frames.splitlines()) >= 10 and malformed.strip() == ""


def test_info_with_capture_records_the_init_sequence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "info.btsnoop"
    assert main(["info", "-t", "virtual", "--capture", str(path)]) == 0
    assert "HCI version" in capsys.readouterr().out
    _read_start(path)
    _assert_wireshark_reads_clean(path)


def test_info_with_capture_to_pcap_writes_pcap_that_wireshark_reads(tmp_path: Path) -> None:
    path = tmp_path / "info.pcap"
    assert main(["info", "-t", "virtual", "--capture", str(path)]) == 0
    assert path.read_bytes()[:4] == bytes.fromhex("d4c3b2a1")  # pcap, little-endian
    _read_start(path)
    _assert_wireshark_reads_clean(path)


@pytest.mark.parametrize("command", [["info"], ["scan"], ["gatt", "aa:bb:cc:dd:ee:ff"]])
def test_every_controller_command_takes_capture(command: list[str], tmp_path: Path) -> None:
    args = build_parser().parse_args([*command, "--capture", str(tmp_path / "x.btsnoop")])
    assert args.capture_to == str(tmp_path / "x.btsnoop")


def test_capture_with_an_unknown_extension_is_refused_naming_the_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["info", "--capture", str(tmp_path / "x.txt")])
    assert exit_info.value.code == 2
    assert ".btsnoop" in capsys.readouterr().err


async def _start_and_close(transport: Transport) -> None:
    host = Host(transport)
    try:
        await host.start()
    finally:
        await host.close()


async def test_environment_variable_records_a_virtual_controller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "virtual.btsnoop"
    monkeypatch.setenv(ENV, str(path))
    await _start_and_close(VirtualTransport("virtual", air=Air(loop=asyncio.get_running_loop(), fast=True)))
    _read_start(path)


async def test_environment_variable_records_a_serial_controller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "serial.pcap"
    monkeypatch.setenv(ENV, str(path))
    controller, tty = open_pty_controller(None)
    try:
        await _start_and_close(open_transport(f"serial:{tty}"))
    finally:
        controller.close()
    _read_start(path)


async def test_environment_variable_records_a_replayed_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = tmp_path / "original.btsnoop"
    monkeypatch.setenv(ENV, str(original))
    await _start_and_close(VirtualTransport("virtual", air=Air(loop=asyncio.get_running_loop(), fast=True)))
    again = tmp_path / "again.btsnoop"
    monkeypatch.setenv(ENV, str(again))
    await _start_and_close(open_transport(f"replay:{original}"))
    recorded = [(r.direction, r.packet_type, r.payload) for r in _read_start(original)]
    assert [(r.direction, r.packet_type, r.payload) for r in _read_start(again)] == recorded
