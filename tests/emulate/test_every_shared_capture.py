"""Every capture in shared/captures either emulates or says precisely why not (issue 20).

The facts each verdict is checked against are read from the raw HCI bytes here (Core Vol 4 Part E
7.7.65: LE Meta subevents), not from the emulation's model.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from aioble_hci.capture import read_all
from aioble_hci.emulate.builder import build_model
from aioble_hci.emulate.summary import NothingToEmulate, choose
from aioble_hci.hci.packets import Direction, PacketType
from tests.conftest import shared_captures_dir

CAPTURES = sorted(p.name for p in shared_captures_dir().iterdir()
                  if p.is_file() and p.suffix not in (".csv", ".md"))
LE_META = 0x3E
CONNECTION_COMPLETE = (0x01, 0x0A, 0x29)  # LE (Enhanced v1/v2) Connection Complete
ADVERTISING_REPORTS = (0x02, 0x0B, 0x0D)  # legacy, directed, extended
WAIT = 15.0


def raw_facts(path: Path) -> dict[str, object]:
    """Connections made and failed, advertising reports, and the primary services discovered
    (Read By Group Type Responses, Vol 3 Part F 3.4.4.10, in single-fragment ACL packets)."""
    records, _ = read_all(path)
    made = failed = reports = 0
    services: set[tuple[int, int]] = set()
    for rec in records:
        p = rec.payload
        if rec.packet_type == PacketType.EVENT and len(p) > 3 and p[0] == LE_META:
            if p[2] in CONNECTION_COMPLETE:
                made, failed = (made + 1, failed) if p[3] == 0 else (made, failed + 1)
            elif p[2] in ADVERTISING_REPORTS:
                reports += 1
        elif (rec.packet_type == PacketType.ACL and rec.direction == Direction.CONTROLLER_TO_HOST
              and len(p) > 10 and p[1] >> 4 & 0x3 == 0x2 and p[6:8] == b"\x04\x00" and p[8] == 0x11):
            size = p[9]
            for i in range(10, len(p), size):
                services.add((int.from_bytes(p[i:i + 2], "little"), int.from_bytes(p[i + 2:i + 4], "little")))
    return {"made": made, "failed": failed, "reports": reports, "services": services}


@pytest.mark.parametrize("name", CAPTURES)
def test_a_shared_capture_emulates_or_says_why_not(name: str, recorded_device) -> None:
    path = shared_captures_dir() / name
    facts = raw_facts(path)
    try:
        choose(build_model(path), None)
    except NothingToEmulate as refusal:
        reason = str(refusal)
        assert not facts["services"], f"{name} has discovery but was refused: {reason}"
        if facts["made"] == 0:
            assert "no LE connection" in reason
        if facts["failed"]:
            assert f"{facts['failed']} LE connection attempt(s) failed" in reason
        assert ("--adverts" in reason) == bool(facts["reports"]), reason
        assert ("no advertising report" in reason) == (not facts["reports"]), reason
        return
    address = recorded_device(path)
    assert facts["services"]
    assert asyncio.run(asyncio.wait_for(discover(recorded_device, address), WAIT)) == facts["services"]


async def discover(devices, address) -> set[tuple[int, int]]:
    from aioble_hci.controller.transport import VirtualTransport
    from aioble_hci.host.api import start_host
    from aioble_hci.host.gap import attach_gap
    from aioble_hci.host.gatt import attach_gatt
    from aioble_hci.host.host import HostConfig

    host = await start_host(VirtualTransport("virtual", air=devices.air), HostConfig())
    try:
        connection = await (await attach_gap(host)).connect(address, timeout=WAIT)
        found = await attach_gatt(host).client(connection).discover_services()
        return {(s.start_handle, s.end_handle) for s in found}
    finally:
        await host.close()

