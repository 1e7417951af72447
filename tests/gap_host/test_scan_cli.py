"""`aioble-hci scan` in-process on a private fast air with two advertisers on their own hosts."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from aioble_hci.address import Address
from aioble_hci.cli.main import main
from aioble_hci.cli.scan import ScanView
from aioble_hci.controller import transport as controller_transport
from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.gap.ad import build_advertising_data
from aioble_hci.gap.scan_results import ScanReport
from aioble_hci.host.api import HostHandle, open_host
from aioble_hci.host.gap import attach_gap
from aioble_hci.uuid import UUID

ADVERTISERS = {"thermometer": UUID(0x1809), "heart-rate": UUID(0x180D)}


async def _advertise(handle: HostHandle, name: str, service: UUID) -> None:
    gap = await attach_gap(handle.host)
    await gap.advertise(bytes(build_advertising_data(name=name, services=[service])))


@pytest.fixture
def private_air(monkeypatch: pytest.MonkeyPatch) -> Iterator[Air]:
    """A fast air on its own thread, made the `virtual` transport's default, with two advertisers."""
    air = Air(fast=True)
    monkeypatch.setattr(controller_transport, "default_air", lambda: air)
    handles = []
    try:
        for name, service in ADVERTISERS.items():
            handle = open_host(VirtualTransport(air=air))
            handles.append(handle)
            handle.run(_advertise(handle, name, service), timeout=10)
        yield air
    finally:
        for handle in handles:
            handle.close()
        air.close()


def test_scan_json_lists_both_advertisers_with_names_and_services(private_air: Air,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "-t", "virtual", "--duration", "0.3", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_name = {line["name"]: line for line in lines}
    assert set(by_name) == set(ADVERTISERS)
    for name, service in ADVERTISERS.items():
        assert by_name[name]["services"] == [str(service)]
        Address.parse(by_name[name]["address"])


def test_scan_plain_output_has_a_header_and_a_row_per_update(private_air: Air,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "-t", "virtual", "--duration", "0.3", "--legacy", "--active"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("ADDRESS")
    assert any("thermometer" in line for line in out[1:]) and any("heart-rate" in line for line in out[1:])
    assert "\x1b[" not in "".join(out)  # not a terminal: no escapes


def test_live_table_redraws_in_place_with_one_row_per_device() -> None:
    out = io.StringIO()
    view = ScanView(out, live=True)
    device = Address.parse("c0:00:00:00:00:01/random")
    view.update(ScanReport(device, bytes(build_advertising_data(name="first")), rssi=-40))
    view.update(ScanReport(device, bytes(build_advertising_data(name="renamed")), rssi=-41))
    screen = out.getvalue()
    assert "\x1b[2F\x1b[J" in screen  # cursor back over header + one row, then cleared
    last_frame = screen.rsplit("\x1b[J", 1)[1].splitlines()
    assert len(last_frame) == 2 and "renamed" in last_frame[1] and "-41" in last_frame[1]
