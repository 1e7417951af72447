"""The command line people expect (issue 16): --version, -v anywhere, --json shapes (docs/cli.md),
a status line only on a terminal, decoded SIG values, and one address-type rule for every command."""

from __future__ import annotations

import asyncio
import io
import json
import tomllib
from pathlib import Path

import pytest

from aioble_hci.address import Address, AddressType
from aioble_hci.cli import peer as peer_cli
from aioble_hci.cli.main import build_parser, main
from aioble_hci.cli.status import StatusLine
from aioble_hci.cli.values import decode_value
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.host.gatt import attach_gatt
from aioble_hci.host.host import Host
from aioble_hci.host.smp.bond_file import FileBondStore
from aioble_hci.smp.bonds import Bond
from aioble_hci.uuid import UUID
from tests.gatt_host.gattdb import make_db
from tests.scripted.controller import open_pty_controller
from tests.smp_host.world import advertise, until

REPO = Path(__file__).resolve().parents[2]
PUBLIC_PERIPHERAL = Address.parse("00:1b:dc:44:55:66/public")


async def run_cli(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


def test_version_prints_the_package_version(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert capsys.readouterr().out.strip() == f"aioble-hci {version}"


@pytest.mark.parametrize("argv", [["-v", "info"], ["info", "-v"], ["info", "--log-level", "debug"],
                                  ["capture", "stats", "x.btsnoop", "-vv"]])
def test_logging_options_before_or_after_the_subcommand(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert args.verbose >= 1 or args.log_level == "debug"


def test_info_json_carries_the_controller_facts(capsys) -> None:
    controller, path = open_pty_controller()
    try:
        assert main(["info", "-t", f"serial:{path}", "--json"]) == 0
    finally:
        controller.close()
    info = json.loads(capsys.readouterr().out)
    assert info["transport"] == f"serial:{path}"
    assert info["manufacturer"] == 0x05F1 and info["hci_version"] == 0x0D
    assert info["static_addresses"] == ["c0:ff:ee:12:34:56"]
    assert info["acl_buffers"]["count"] == 2 and info["acl_buffers"]["size"] == 27
    assert "LE_ENCRYPTION" in info["le_feature_names"]
    assert info["le_commands"]["LE Create Connection"] is True


def test_bonds_json_lists_which_keys_are_held_never_the_keys(tmp_path: Path, capsys) -> None:
    store = FileBondStore(tmp_path / "bonds.json")
    ltk = bytes(range(16))
    store.put(Bond(peer=PUBLIC_PERIPHERAL, key_size=16, authenticated=False, sc=True, ltk=ltk))
    assert main(["bonds", "--bonds", str(tmp_path / "bonds.json"), "--json"]) == 0
    out = capsys.readouterr().out
    listing = json.loads(out)
    assert listing["store"] == str(tmp_path / "bonds.json")
    [bond] = listing["bonds"]
    assert bond["address"] == "00:1b:dc:44:55:66" and bond["address_type"] == "public"
    assert bond["keys"] == ["LTK"] and bond["secure_connections"] is True and bond["key_size"] == 16
    assert ltk.hex() not in out


@pytest.mark.parametrize(("uuid", "value", "expected"), [
    (0x2A6E, (2314).to_bytes(2, "little", signed=True), "23.14 °C"),  # GSS 3.204: sint16, 0.01 degC
    (0x2A6E, (-550).to_bytes(2, "little", signed=True), "-5.50 °C"),
    (0x2A19, bytes([87]), "87 %"),  # Battery Level: uint8 percentage
    (0x2A6F, (4512).to_bytes(2, "little"), "45.12 %"),  # Humidity: uint16, 0.01 %
    (0x2A37, bytes([0x01, 0x2C, 0x01]), "300 bpm"),  # Heart Rate Measurement, uint16 flag set
    (0x2902, bytes([0x02, 0x00]), "indications on"),  # CCCD, Vol 3 Part G 3.3.3.3
    (0x2A04, bytes.fromhex("18002800000090 01".replace(" ", "")),
     "interval 30-50 ms, latency 0, supervision timeout 4000 ms"),
])
def test_sig_values_are_decoded_where_the_format_is_known(uuid: int, value: bytes, expected: str) -> None:
    assert decode_value(UUID(uuid), value) == expected


def test_unknown_formats_and_wrong_lengths_stay_hex_only() -> None:
    assert decode_value(UUID(0x2A6E), b"\x01") is None  # a Temperature must be 2 octets
    assert decode_value(UUID("6E400001-B5A3-F393-E0A9-E50E24DCCA9E"), b"\x01\x02") is None


def test_status_line_is_silent_when_piped_and_cleared_on_a_terminal() -> None:
    piped = io.StringIO()
    StatusLine(piped).show("Connecting to 00:1b:dc:44:55:66...")
    assert piped.getvalue() == ""
    terminal = io.StringIO()
    line = StatusLine(terminal, enabled=True)
    line.show("Connecting...")
    line.clear()
    assert terminal.getvalue().startswith("\rConnecting...") and terminal.getvalue().endswith("\r")


# --- the address type rule ---------------------------------------------------------------------


async def test_an_explicit_type_wins_over_a_recent_scan() -> None:
    peer_cli.remember([Address.parse("00:1b:dc:44:55:66/random")])
    resolved = await peer_cli.resolve_peer(None, "00:1b:dc:44:55:66/public")
    assert resolved.type == AddressType.PUBLIC


async def test_a_recent_scan_gives_the_type_and_an_old_one_does_not(tmp_path: Path) -> None:
    path = tmp_path / "seen.json"
    peer_cli.remember([PUBLIC_PERIPHERAL], path, now=1000.0)
    assert peer_cli.recently_seen("00:1B:DC:44:55:66", path, now=1000.0 + 60) == PUBLIC_PERIPHERAL
    assert peer_cli.recently_seen("00:1b:dc:44:55:66", path, now=1000.0 + peer_cli.RECENT_SECONDS) is None


async def public_gatt_peripheral() -> Host:
    """A peripheral with a public address advertising on the process's shared air (`-t virtual`)."""
    host = Host(VirtualTransport("virtual", address=PUBLIC_PERIPHERAL))
    await host.start()
    attach_gatt(host).server.register_services(make_db().services, device_name="cli-public")
    await advertise(host)
    return host


async def test_gatt_to_a_public_address_learns_its_type_by_a_short_scan(capsys) -> None:
    """The issue's case: `gatt` used to assume random and failed with 0x3E on public peripherals."""
    peripheral = await public_gatt_peripheral()
    try:
        code = await run_cli("gatt", "-t", "virtual", "00:1b:dc:44:55:66", "--json", "--timeout", "10")
        await until(lambda: not peripheral.connections)
    finally:
        await peripheral.close()
    captured = capsys.readouterr()
    assert code == 0, captured.err
    database = json.loads(captured.out)
    assert (database["address"], database["address_type"]) == ("00:1b:dc:44:55:66", "public")
    assert captured.err == ""  # no status line when stderr is not a terminal
    gap_service = database["services"][0]
    assert gap_service["uuid"] == "0x1800" and gap_service["name"] == "Generic Access"
    name = next(c for c in gap_service["characteristics"] if c["uuid"] == "0x2A00")
    assert name["properties"] == ["read"] and bytes.fromhex(name["value"]) == b"cli-public"
    assert name["decoded"] == '"cli-public"'
    assert peer_cli.recently_seen("00:1b:dc:44:55:66") == PUBLIC_PERIPHERAL  # remembered for next time


async def test_a_silent_address_without_a_type_says_to_give_one(capsys) -> None:
    code = await run_cli("gatt", "-t", "virtual", "00:1b:dc:99:99:99", "--timeout", "2")
    assert code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("aioble-hci: error: 00:1b:dc:99:99:99 was not heard advertising")
    assert "ADDRESS/public" in err and len(err.splitlines()) == 1


async def test_pair_json_reports_method_level_and_bond(tmp_path: Path, capsys) -> None:
    from aioble_hci.host.smp import SmpHostConfig, attach_smp

    peripheral = Host(VirtualTransport("virtual", address=PUBLIC_PERIPHERAL))
    await peripheral.start()
    await attach_smp(peripheral, SmpHostConfig(bond_path=tmp_path / "p.json", irk_path=tmp_path / "irk.json"))
    await advertise(peripheral)
    try:
        code = await run_cli("pair", "-t", "virtual", "00:1b:dc:44:55:66", "--bond", "--bonds",
                             str(tmp_path / "cli-bonds.json"), "--timeout", "10", "--json")
        await until(lambda: not peripheral.connections)
    finally:
        await peripheral.close()
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = json.loads(captured.out)
    assert result["address"] == "00:1b:dc:44:55:66" and result["address_type"] == "public"
    assert result["method"] == "just-works" and result["secure_connections"] is True
    assert result["security_level"] == 2 and result["bonded"] is True and result["key_size"] == 16


# --- capture show: UUIDs in their usual order ---------------------------------------------------


def test_capture_show_prints_service_and_characteristic_uuids_as_written(shared_captures: Path, capsys) -> None:
    assert main(["capture", "show", str(shared_captures / "horizon-74-treadmill.btsnoop"), "--filter", "att"]) == 0
    out = capsys.readouterr().out
    assert "[[1, 1, '0x1801'], [2, 8, '0x1800'], [9, 25, '0xFFF0']]" in out  # not '0118', '0018'
    assert "{'properties': 2, 'value_handle': 4, 'uuid': '0x2A00'}" in out


def test_a_128_bit_service_uuid_reads_big_endian() -> None:
    """ATT_READ_BY_GROUP_TYPE_RSP (Vol 3 Part F, 3.4.4.10) carries the UUID little-endian."""
    from aioble_hci.capture.decode.l2cap import L2capState, decode_l2cap
    from aioble_hci.hci.packets import Direction

    nus = UUID("6E400001-B5A3-F393-E0A9-E50E24DCCA9E")
    att_pdu = bytes([0x11, 20]) + (0x0010).to_bytes(2, "little") + (0x0015).to_bytes(2, "little") + nus.to_le_bytes()
    frame = len(att_pdu).to_bytes(2, "little") + (0x0004).to_bytes(2, "little") + att_pdu
    layers = decode_l2cap(frame, Direction.CONTROLLER_TO_HOST, L2capState())
    assert layers[-1].fields["attribute_data"] == [[0x10, 0x15, "6E400001-B5A3-F393-E0A9-E50E24DCCA9E"]]


# --- devices -------------------------------------------------------------------------------------


def test_devices_lists_ports_and_hci_controllers_with_their_specs(monkeypatch, capsys) -> None:
    from types import SimpleNamespace

    from serial.tools import list_ports

    from aioble_hci.transport import usb as usb_transport
    from tests.transport.fake_usb import hid_mouse, zephyr_hci_usb

    board = zephyr_hci_usb()
    board.serial_number, board.bus, board.port_numbers = "E1A2B3C4D5E6", 1, (1, 2)
    twin = zephyr_hci_usb()
    port = SimpleNamespace(device="/dev/ttyACM0", description="J-Link - CDC", vid=0x1366, pid=0x1015,
                           serial_number="000683012345")
    monkeypatch.setattr(list_ports, "comports", lambda: [port])
    monkeypatch.setattr(usb_transport, "default_finder", lambda: [hid_mouse(), board, twin])
    assert main(["devices", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["serial"] == [{"device": "/dev/ttyACM0", "description": "J-Link - CDC", "vid_pid": "1366:1015",
                                "serial_number": "000683012345", "spec": "serial:/dev/ttyACM0"}]
    assert [u["spec"] for u in found["usb"]] == ["usb:2fe3:000b", "usb:2fe3:000b#1"]  # the mouse is left out
    assert found["usb"][0]["spec_by_serial"] == "usb:serial=E1A2B3C4D5E6"
    assert found["usb"][0]["spec_by_port"] == "usb:bus=1,port=1.2"
    assert found["problems"] == []
    assert main(["devices"]) == 0
    text = capsys.readouterr().out
    assert "serial:/dev/ttyACM0" in text and "usb:2fe3:000b#1" in text and "usb:serial=E1A2B3C4D5E6" in text


def test_devices_still_lists_serial_ports_when_libusb_fails(monkeypatch, capsys) -> None:
    from serial.tools import list_ports

    from aioble_hci.transport import usb as usb_transport
    from aioble_hci.transport.base import TransportError

    def broken() -> list[object]:
        raise TransportError("libusb is installed but failed to start")

    monkeypatch.setattr(list_ports, "comports", lambda: [])
    monkeypatch.setattr(usb_transport, "default_finder", broken)
    assert main(["devices"]) == 0
    out = capsys.readouterr().out
    assert "Serial ports:\n  none" in out and "Problem: USB: libusb is installed but failed to start" in out
