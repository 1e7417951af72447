"""`--adverts`: every advertiser of the treadmill capture advertises its recorded data again."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aioble_hci.address import Address
from aioble_hci.capture import read_all
from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.emulate.adverts import AdvertReplay
from aioble_hci.emulate.builder import build_model
from aioble_hci.gap.scan_results import AdvertisingReport
from aioble_hci.hci.packets import PacketType
from aioble_hci.host.api import start_host
from aioble_hci.host.gap import attach_gap
from aioble_hci.host.gap.scanning import ScanParameters
from aioble_hci.host.host import HostConfig

ADV_IND, SCAN_RSP = 0x00, 0x04


def recorded_adv_ind_data(path: Path) -> dict[str, bytes]:
    """Address -> the last ADV_IND data, read from the raw LE Advertising Reports (Vol 4 Part E 7.7.65.2)."""
    out: dict[str, bytes] = {}
    records, _ = read_all(path)
    for rec in records:
        p = rec.payload
        if rec.packet_type != PacketType.EVENT or len(p) < 4 or p[0] != 0x3E or p[2] != 0x02:
            continue
        i = 4
        for _ in range(p[3]):
            event_type, address, length = p[i], Address(p[i + 2:i + 8]), p[i + 8]
            if event_type == ADV_IND:
                out[str(address)] = p[i + 9:i + 9 + length]
            i += 10 + length
    return out


async def test_every_recorded_advertiser_is_heard_again_with_its_data(shared_captures: Path) -> None:
    """Each advertiser's last ADV_IND payload reaches a scanner on the air (legacy PDUs, 7.8.7)."""
    path = shared_captures / "horizon-74-treadmill.btsnoop"
    expected = recorded_adv_ind_data(path)
    air = Air(loop=asyncio.get_running_loop(), fast=True)
    scanner = await start_host(VirtualTransport("virtual", air=air), HostConfig())
    heard: dict[str, bytes] = {}

    def on_report(report: AdvertisingReport) -> None:
        if not report.scan_response:
            heard[str(report.address)] = report.data

    replay = AdvertReplay(list(build_model(path).advertisers.values()), speed=10)
    try:
        gap = await attach_gap(scanner)
        gap.on_scan_report(on_report)
        await gap.start_scan(ScanParameters(interval=16, window=16))
        await replay.start(lambda: VirtualTransport("virtual", air=air))
        await asyncio.wait_for(replay.wait(), 60)
        await asyncio.sleep(0.3)
    finally:
        await replay.close()
        await scanner.close()
    assert expected and {a: heard.get(a) for a in expected} == expected
