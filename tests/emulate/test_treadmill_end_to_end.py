"""Issue 20's done criterion: an aioble program against the emulated treadmill of a real capture.

Expected values come from TShark's reading of the same capture (tshark_csv.py), never from the
emulation's own model.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.emulate.tshark_csv import Expected, read_treadmill_csv

HERE = Path(__file__).resolve().parent
TREADMILL_ADDRESS = "fa:e4:e3:24:20:09"  # the LE Connection Complete's peer in the capture
RANDOM = 1


def plan(expected: Expected, address: str) -> dict[str, object]:
    """Subscribe as the recorded client did (its first write, to a CCCD), then make its second write."""
    (cccd, cccd_value, after_cccd), (handle, value, after_write) = expected.steps[0], expected.steps[1]
    assert cccd_value == b"\x01\x00"  # the capture's client enabled notifications first
    owner = next(c for c in expected.characteristics if (cccd, "2902") in expected.descriptors_of(c[2]))
    written = next(c for c in expected.characteristics if c[2] == handle)

    def service_of(h: int) -> str:
        return next(u for s, e, u in expected.services if s <= h <= e)

    return {"address": address, "type": RANDOM,
            "subscribe": {"service": service_of(owner[2]), "char": owner[3], "expect": len(after_cccd)},
            "write": {"service": service_of(handle), "char": written[3], "value": value.hex(),
                      "expect": len(after_write)}}


def test_an_aioble_client_meets_the_recorded_treadmill(shared_captures: Path, recorded_device, tmp_path: Path) -> None:
    """Vol 3 Part G 4.4-4.7 discovery returns the recorded layout; after the CCCD write (3.3.3.3) and
    the recorded Write Request (4.9.3) the client gets the recorded notifications (4.10), in order."""
    expected = read_treadmill_csv(shared_captures / "horizon-74-treadmill.att_raw.tshark.csv")
    address = recorded_device(shared_captures / "horizon-74-treadmill.btsnoop")
    assert str(address) == TREADMILL_ADDRESS and address.is_random

    run = subprocess.run([sys.executable, str(HERE / "treadmill_client.py"), json.dumps(plan(expected, str(address)))],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])

    # aioble hands discovery results over last-first (as MicroPython's does): compare in handle order
    services = sorted((s["start"], s["end"], s["uuid"]) for s in got["database"])
    assert services == sorted(expected.services)
    characteristics = sorted((c["value_handle"], c["properties"], c["uuid"])
                             for s in got["database"] for c in s["characteristics"])
    assert characteristics == sorted((v, p, u) for _, p, v, u in expected.characteristics)
    # aioble guesses a characteristic's end when the stack gives none, so its descriptor search may
    # run into the next declaration: every attribute it found must have the type the capture shows
    # at that handle, and every descriptor the capture shows must be found.
    types = expected.types_by_handle()
    for s in got["database"]:
        for c in s["characteristics"]:
            found = {tuple(d) for d in c["descriptors"]}
            assert all(types.get(h) == u for h, u in found), c
            assert set(expected.descriptors_of(c["value_handle"])) <= found, c

    after_subscribe, after_write = expected.steps[0][2], expected.steps[1][2]
    assert got["steps"][0] == [[h, v.hex()] for h, v in after_subscribe]
    assert got["steps"][1] == [[h, v.hex()] for h, v in after_write]
    assert len(after_write) > 10  # the recorded burst of notifications, not a trivial one
