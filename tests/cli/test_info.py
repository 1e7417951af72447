"""`aioble-hci info` against a scripted Zephyr controller on a pty, in-process and as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from aioble_hci.cli.main import main
from tests.scripted.controller import open_pty_controller

REPO = Path(__file__).resolve().parents[2]


def test_info_prints_version_manufacturer_and_static_address(capsys) -> None:
    controller, path = open_pty_controller()
    try:
        assert main(["info", "-t", f"serial:{path}"]) == 0
    finally:
        controller.close()
    out = capsys.readouterr().out
    assert "HCI version:   Bluetooth Core 5.4 (0x0d)" in out
    assert "The Linux Foundation" in out or "Zephyr" in out
    assert "(0x05f1)" in out
    assert "Static random: c0:ff:ee:12:34:56" in out
    assert "ACL buffers:   2 x 27 bytes" in out
    assert "LE_ENCRYPTION" in out
    assert "yes LE Create Connection" in out


def test_info_takes_the_transport_from_the_environment(capsys, monkeypatch) -> None:
    controller, path = open_pty_controller()
    monkeypatch.setenv("AIOBLE_HCI_TRANSPORT", f"serial:{path}")
    try:
        assert main(["info"]) == 0
    finally:
        controller.close()
    assert "Static random: c0:ff:ee:12:34:56" in capsys.readouterr().out


def test_info_with_a_bad_spec_prints_the_accepted_forms(capsys) -> None:
    assert main(["info", "-t", "serial"]) == 1
    err = capsys.readouterr().err
    assert "no serial device given" in err
    assert "usb[:VID:PID][#N]" in err


def test_info_as_a_subprocess_exits_cleanly() -> None:
    controller, path = open_pty_controller()
    try:
        env = dict(os.environ, PYTHONPATH=str(REPO))
        result = subprocess.run(
            [sys.executable, "-m", "aioble_hci", "info", "-t", f"serial:{path}"],
            capture_output=True, text=True, timeout=60, env=env, cwd=REPO,
        )
    finally:
        controller.close()
    assert result.returncode == 0, result.stderr
    assert "Static random: c0:ff:ee:12:34:56" in result.stdout
