"""Issue 4: `aioble-hci scan -t air` lists advertisers running in other processes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import air_socket
from tests.e2e.conftest import python

ADVERTISER = '''
import asyncio
import aioble
import bluetooth

async def main():
    await aioble.advertise(100000, name={name!r}, services=[bluetooth.UUID({service:#x})], timeout_ms=60000)

asyncio.run(main())
'''


def test_scan_lists_two_advertisers_from_other_processes(tmp_path: Path, unconfigured_env) -> None:
    adverts = {"thermo-one": 0x181A, "heart-two": 0x180D}
    procs = []
    for name, service in adverts.items():
        script = tmp_path / f"{name}.py"
        script.write_text(ADVERTISER.format(name=name, service=service))
        procs.append(python(script, unconfigured_env, tmp_path))
    try:
        sock = air_socket(unconfigured_env)
        deadline = time.monotonic() + 20
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        scan = subprocess.run(
            [sys.executable, "-m", "aioble_hci", "scan", "-t", "air", "--duration", "3", "--json"],
            env=unconfigured_env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
        )
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
    assert scan.returncode == 0, scan.stderr
    rows = [json.loads(line) for line in scan.stdout.splitlines() if line.strip()]
    seen = {row.get("name"): row for row in rows}
    for name, service in adverts.items():
        assert name in seen, scan.stdout
        services = " ".join(str(s).lower() for s in seen[name].get("services", []))
        assert f"{service:04x}" in services, seen[name]
