"""`import aioble` (which makes the process's `bluetooth.BLE()` and sets its IRQ handler) loads no
part of the host: the stack loads when the radio is first used. Every `aioble-hci run` script and
multitest instance starts with that import, so its cost is start-up cost (see `make bench`)."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    probe = f"{code}; import sys; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_import_aioble_loads_no_host_and_no_protocol_core() -> None:
    loaded = _modules_after("import aioble")
    heavy = {"aioble_hci.host.host", "aioble_hci.facade.runtime", "aioble_hci.hci.commands",
             "aioble_hci.att.server", "aioble_hci.smp.session", "aioble_hci.l2cap.manager", "cryptography"}
    assert not heavy & loaded, sorted(heavy & loaded)


def test_the_first_call_on_the_radio_builds_the_stack() -> None:
    loaded = _modules_after("import aioble; aioble.core.ble.config('mtu')")
    assert {"aioble_hci.facade.runtime", "aioble_hci.host.host"} <= loaded
