"""The process-wide runtime: transport selection, one BLE per process, prompt exit."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest

from aioble_hci.facade import runtime


def _run(code: str, **env: str) -> str:
    """Run `code` in a fresh process, in its own working directory (aioble keeps ble_secrets.json there)."""
    environment = {k: v for k, v in os.environ.items() if k != runtime.ENV_TRANSPORT}
    environment.update(env)
    with tempfile.TemporaryDirectory() as cwd:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                              env=environment, cwd=cwd)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout.strip()


def test_use_chooses_the_transport_of_the_process_wide_ble() -> None:
    out = _run("from aioble_hci.facade import use, selected_spec\n"
               "use('virtual')\n"
               "import bluetooth\n"
               "b = bluetooth.BLE()\n"
               "print(selected_spec(), b is bluetooth.BLE(), b.active(True), b.config('mac')[0])\n")
    assert out == "virtual True True 1"


def test_aioble_hci_use_is_the_documented_way_to_choose_a_dongle() -> None:
    out = _run("import aioble_hci\n"
               "aioble_hci.use('virtual')\n"
               "import aioble\n"
               "print(aioble.config('mac')[0])\n")
    assert out == "1"


def test_the_environment_variable_chooses_the_transport_and_the_process_exits_while_advertising() -> None:
    out = _run("import bluetooth\n"
               "b = bluetooth.BLE()\n"
               "b.active(1)\n"
               "b.gap_advertise(100_000, b'\\x02\\x01\\x06')\n"
               "print(b.active())\n", AIOBLE_HCI_TRANSPORT="virtual")
    assert out == "True"


def test_without_use_or_environment_the_shared_air_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(runtime.ENV_TRANSPORT, raising=False)
    monkeypatch.setattr(runtime, "_chosen_spec", None)
    assert runtime.selected_spec() == "air"


def test_use_rejects_an_empty_spec() -> None:
    with pytest.raises(ValueError, match="transport spec"):
        runtime.use("")


def test_aioble_stop_after_asyncio_run_lets_the_process_exit_promptly_and_silently() -> None:
    code = (
        "import asyncio, aioble, bluetooth\n"
        "service = aioble.Service(bluetooth.UUID(0x181A))\n"
        "aioble.Characteristic(service, bluetooth.UUID(0x2A6E), read=True, notify=True)\n"
        "aioble.register_services(service)\n"
        "async def main():\n"
        "    async with aioble.scan(50) as scanner:\n"
        "        async for _ in scanner:\n"
        "            pass\n"
        "    try:\n"
        "        await aioble.advertise(20000, name='x', timeout_ms=50)\n"
        "    except asyncio.TimeoutError:\n"
        "        print('timed out')\n"
        "try:\n"
        "    asyncio.run(main())\n"
        "finally:\n"
        "    aioble.stop()\n"
    )
    environment = {k: v for k, v in os.environ.items() if k != runtime.ENV_TRANSPORT}
    environment["AIOBLE_HCI_TRANSPORT"] = "virtual"
    # A generous bound on exiting at all (a hang fails here), not a timing measurement.
    with tempfile.TemporaryDirectory() as cwd:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=10,
                              env=environment, cwd=cwd)
    assert (done.returncode, done.stdout, done.stderr) == (0, "timed out\n", "")


def test_host_log_records_stay_off_stderr_unless_the_application_configures_logging() -> None:
    code = ("import logging, bluetooth.ble\n"
            "logging.getLogger('aioble_hci.facade.stack').warning('should not be seen')\n"
            "print('ok')\n")
    assert _run(code) == "ok"  # _run asserts stderr is empty
