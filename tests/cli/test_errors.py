"""The CLI's error boundary: every expected failure is one line on stderr and a non-zero exit.

Rule (issue 16, DEVELOPERS.md "a misconfiguration says what was wrong and how to fix it"): no
traceback without -v, the line names the problem and its fix; -v adds the traceback.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from aioble_hci.cli.main import main
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.transport import register_scheme
from aioble_hci.transport.base import Transport

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def no_capture_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """--capture exports AIOBLE_HCI_CAPTURE for the process; keep it from leaking between tests."""
    monkeypatch.delenv("AIOBLE_HCI_CAPTURE", raising=False)


def error_line(err: str) -> str:
    """The stderr of a failed command: exactly one line, starting with the program's name."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("aioble-hci: error: ")
    return lines[0]


def run_cli(*argv: str, env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aioble_hci.cli.main", *argv], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60, **kwargs)


@pytest.fixture
def silent_pty() -> Iterator[str]:
    """A serial port where nothing answers: the other end of a pty that nobody reads."""
    leader, follower = os.openpty()
    try:
        yield os.ttyname(follower)
    finally:
        os.close(leader)
        os.close(follower)


def test_a_silent_serial_port_names_baud_rate_firmware_and_modemmanager(silent_pty: str, capsys) -> None:
    assert main(["info", "-t", f"serial:{silent_pty}", "--timeout", "0.3"]) == 1
    line = error_line(capsys.readouterr().err)
    assert "did not answer HCI Reset within 0.3 s" in line
    assert "baud rate" in line and "flow control" in line
    assert "hci_uart" in line and "ModemManager" in line


def test_verbose_after_the_subcommand_adds_the_traceback(silent_pty: str, capsys) -> None:
    assert main(["info", "-t", f"serial:{silent_pty}", "--timeout", "0.3", "-v"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "HciTimeoutError" in err
    assert err.strip().splitlines()[-1].startswith("aioble-hci: error: ")


def test_gatt_to_an_address_nobody_advertises(capsys) -> None:
    assert main(["gatt", "-t", "virtual", "12:34:56:78:9a:bc/random", "--timeout", "0.5"]) == 1
    line = error_line(capsys.readouterr().err)
    assert "timed out after 0.5 s" in line and "advertising" in line and "aioble-hci scan" in line


def test_tcp_server_without_a_client_gives_up_after_timeout(capsys) -> None:
    started = time.monotonic()
    assert main(["info", "-t", "tcp-server:127.0.0.1:0", "--timeout", "0.5"]) == 1
    assert time.monotonic() - started < 10  # the --timeout, not the 30 s default
    line = error_line(capsys.readouterr().err)
    assert "no controller connected to 127.0.0.1:" in line and "within 0.5 s" in line


def test_a_peer_closing_the_tcp_connection(capsys) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def accept_and_close() -> None:
        conn, _ = server.accept()
        conn.recv(16)  # the HCI Reset
        conn.close()

    thread = threading.Thread(target=accept_and_close, daemon=True)
    thread.start()
    try:
        assert main(["info", "-t", f"tcp-client:127.0.0.1:{port}", "--timeout", "5"]) == 1
    finally:
        thread.join(5)
        server.close()
    line = error_line(capsys.readouterr().err)
    assert "controller lost" in line and "closed the connection" in line


def test_capture_show_on_a_directory(tmp_path: Path, capsys) -> None:
    assert main(["capture", "show", str(tmp_path)]) == 1
    assert error_line(capsys.readouterr().err) == f"aioble-hci: error: {tmp_path} is a directory: give a file"


def test_capture_to_an_unwritable_path_is_refused_before_starting(tmp_path: Path, capsys) -> None:
    opened: list[str] = []

    def counting(spec: str) -> Transport:
        opened.append(spec)
        return VirtualTransport(spec)

    register_scheme("counting-virtual", counting)
    target = tmp_path / "missing" / "run.btsnoop"
    assert main(["info", "-t", "counting-virtual", "--capture", str(target)]) == 1
    line = error_line(capsys.readouterr().err)
    assert f"--capture {target}" in line and "does not exist" in line and "nothing was started" in line
    assert opened == []


def test_replay_divergence_is_reported_once_without_traceback(tmp_path: Path, user_env) -> None:
    capture = tmp_path / "info.btsnoop"
    recorded = run_cli("info", "-t", "virtual", "--capture", str(capture), env=user_env)
    assert recorded.returncode == 0, recorded.stderr
    replayed = run_cli("scan", "-t", f"replay:{capture}", "--duration", "1", env=user_env)
    assert replayed.returncode == 1
    assert "Traceback" not in replayed.stderr
    assert replayed.stderr.count(f"replay of {capture}") == 1, replayed.stderr
    assert replayed.stderr.startswith("aioble-hci: error: ")


@pytest.mark.parametrize("argv", [["info", "-t", "virtual"], ["capture", "show", "{treadmill}"]],
                         ids=["info", "capture-show"])
def test_a_closed_pipe_ends_quietly(argv: list[str], user_env, shared_captures: Path) -> None:
    """`aioble-hci ... | head`: the reader leaving is normal use, not an error."""
    args = [a.format(treadmill=shared_captures / "horizon-74-treadmill.btsnoop") for a in argv]
    process = subprocess.Popen([sys.executable, "-m", "aioble_hci.cli.main", *args], cwd=REPO, env=user_env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `head` exiting before the program writes
    err = process.stderr.read()
    assert process.wait(60) == 0
    assert err == ""


class LosingTransport(VirtualTransport):
    """A virtual controller that goes away 0.3 s after the host turns scanning on."""

    def send(self, packet_type: Any, payload: bytes) -> None:
        super().send(packet_type, payload)
        if bytes(payload[:2]) in (b"\x0c\x20", b"\x42\x20") and payload[3:4] == b"\x01":  # scan enable
            loop = asyncio.get_running_loop()
            loop.call_later(0.3, self._lost, ConnectionError("USB controller unplugged"))


def test_scan_exits_non_zero_when_the_controller_is_lost(capsys) -> None:
    register_scheme("losing-virtual", LosingTransport)
    assert main(["scan", "-t", "losing-virtual", "--duration", "10"]) == 1
    line = error_line(capsys.readouterr().err)
    assert "controller lost" in line and "unplugged" in line


# --- USB: which of the three problems it is -------------------------------------------------


def test_usb_without_any_backend_says_to_install_one(monkeypatch, capsys) -> None:
    import usb.backend.libusb1

    monkeypatch.setitem(sys.modules, "libusb_package", None)  # `import libusb_package` fails
    monkeypatch.setattr(usb.backend.libusb1, "get_backend", lambda *a, **k: None)
    monkeypatch.setattr("ctypes.util.find_library", lambda name: None)
    assert main(["info", "-t", "usb"]) == 1
    line = error_line(capsys.readouterr().err)
    assert "no USB backend" in line and "pip install libusb-package" in line


def test_usb_backend_that_fails_to_start_says_so_not_install(monkeypatch, capsys) -> None:
    import libusb_package

    from aioble_hci.transport import usb as usb_transport

    monkeypatch.setattr(libusb_package, "get_libusb1_backend", lambda: None)
    monkeypatch.setattr(libusb_package, "get_library_path", lambda: Path("/opt/libusb-1.0.so"))
    monkeypatch.setattr(usb_transport, "_libusb_init_problem", lambda path: "LIBUSB_ERROR_ACCESS")
    assert main(["info", "-t", "usb"]) == 1
    line = error_line(capsys.readouterr().err)
    assert "libusb is installed (/opt/libusb-1.0.so) but failed to start (LIBUSB_ERROR_ACCESS)" in line
    assert "pip install" not in line


def test_usb_without_an_hci_device_lists_the_devices_seen(monkeypatch, capsys) -> None:
    from aioble_hci.transport import usb as usb_transport

    hub = SimpleNamespace(idVendor=0x1D6B, idProduct=0x0002, bDeviceClass=0x09, bDeviceSubClass=0,
                          bDeviceProtocol=1, get_active_configuration=lambda: [])
    mouse = SimpleNamespace(idVendor=0x046D, idProduct=0xC077, bDeviceClass=0, bDeviceSubClass=0,
                            bDeviceProtocol=0, get_active_configuration=lambda: [])
    monkeypatch.setattr(usb_transport, "default_finder", lambda: [hub, mouse])
    assert main(["info", "-t", "usb"]) == 1
    line = error_line(capsys.readouterr().err)
    assert "no USB Bluetooth controller (class E0/01/01) found" in line
    assert "1d6b:0002, 046d:c077" in line and "2fe3:000b" in line


def test_a_bad_transport_spec_is_one_line_then_the_accepted_forms(capsys) -> None:
    assert main(["info", "-t", "bluetooth:0"]) == 1
    err = capsys.readouterr().err
    first, *forms = err.strip().splitlines()
    assert first.startswith("aioble-hci: error: bad transport spec 'bluetooth:0': unknown scheme 'bluetooth'")
    assert forms[0] == "accepted transport specs:" and any(f.strip().startswith("usb[") for f in forms)
    assert "Traceback" not in err
