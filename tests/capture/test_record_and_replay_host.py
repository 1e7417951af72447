"""A Host session recorded with capture_path replays on the replay: transport with no controller."""

from __future__ import annotations

from pathlib import Path

from aioble_hci.capture import read_all
from aioble_hci.capture.testing import ReplayFactory
from aioble_hci.hci.packets import Direction, PacketType
from aioble_hci.host.host import Host, HostConfig
from aioble_hci.transport import open_transport
from tests.scripted.controller import open_pty_controller


async def _record_start(path: Path) -> object:
    controller, tty = open_pty_controller(None)
    host = Host(open_transport(f"serial:{tty}"), HostConfig(capture_path=str(path)))
    try:
        info = await host.start()
    finally:
        await host.close()
        controller.close()
    return info


async def test_host_start_records_every_packet_with_direction(tmp_path: Path) -> None:
    path = tmp_path / "start.btsnoop"
    await _record_start(path)
    records, error = read_all(path)
    assert error is None
    assert (
        records[0].packet_type == PacketType.COMMAND
        and records[0].direction == Direction.HOST_TO_CONTROLLER
    )
    assert records[0].payload == bytes.fromhex("030c00")  # HCI Reset first
    commands = sum(r.packet_type == PacketType.COMMAND for r in records)
    events = sum(r.packet_type == PacketType.EVENT for r in records)
    assert commands >= 5 and events == commands


async def test_recorded_host_start_replays_without_a_controller(
    tmp_path: Path, hci_replay: ReplayFactory
) -> None:
    path = tmp_path / "start.pcap"
    recorded_info = await _record_start(path)
    transport = hci_replay(path)
    host = Host(transport)
    try:
        info = await host.start()
    finally:
        await host.close()
    assert info == recorded_info
    assert transport.finished
