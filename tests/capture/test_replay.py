"""The replay:FILE transport feeds recorded controller packets as the host repeats its recorded packets."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from aioble_hci.capture import CaptureRecord, open_writer, read_all
from aioble_hci.capture.replay import ReplayMismatchError, ReplayTransport
from aioble_hci.capture.testing import ReplayFactory
from aioble_hci.hci.packets import Direction, PacketType
from aioble_hci.transport import open_transport
from tests.capture.capture_testdata import SHARED, TREADMILL

H2C, C2H = Direction.HOST_TO_CONTROLLER, Direction.CONTROLLER_TO_HOST
RESET = bytes.fromhex("030c00")
RESET_DONE = bytes.fromhex("0e0401030c00")
SET_RANDOM = bytes.fromhex("052006c0ffee123456")


class FakeHost:
    """Collects what the transport delivers, as the Host's sink and loss callback would."""

    def __init__(self, transport: ReplayTransport) -> None:
        self.received: list[tuple[PacketType, bytes]] = []
        self.lost: list[BaseException | None] = []
        transport.attach(lambda t, p: self.received.append((t, p)), self.lost.append)


def _session(tmp_path: Path, records: list[tuple[Direction, PacketType, bytes]]) -> Path:
    path = tmp_path / "session.btsnoop"
    writer = open_writer(path)
    for i, (direction, ptype, payload) in enumerate(records):
        writer.write(CaptureRecord(1000.0 + i, direction, ptype, payload))
    writer.close()
    return path


async def _settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


async def test_replaying_a_real_session_gives_back_every_controller_packet_in_order() -> None:
    records, _ = read_all(TREADMILL)
    transport = open_transport(f"replay:{TREADMILL}")
    assert isinstance(transport, ReplayTransport)
    host = FakeHost(transport)
    await transport.open()
    for record in records:
        if record.direction == H2C:
            await _settle()
            assert record.packet_type is not None
            transport.send(record.packet_type, record.payload)
    await _settle()
    assert host.received == [(r.packet_type, r.payload) for r in records if r.direction == C2H]
    assert transport.finished and not host.lost
    transport.check()


async def test_controller_packets_wait_for_the_host_packet_recorded_before_them(
    tmp_path: Path,
) -> None:
    path = _session(
        tmp_path, [(H2C, PacketType.COMMAND, RESET), (C2H, PacketType.EVENT, RESET_DONE)]
    )
    transport = ReplayTransport(f"replay:{path}")
    host = FakeHost(transport)
    await transport.open()
    await _settle()
    assert host.received == []
    transport.send(PacketType.COMMAND, RESET)
    await _settle()
    assert host.received == [(PacketType.EVENT, RESET_DONE)]


async def test_a_different_host_packet_stops_the_replay_with_a_decoded_diff(tmp_path: Path) -> None:
    path = _session(
        tmp_path, [(H2C, PacketType.COMMAND, RESET), (C2H, PacketType.EVENT, RESET_DONE)]
    )
    transport = ReplayTransport(f"replay:{path}")
    host = FakeHost(transport)
    await transport.open()
    transport.send(PacketType.COMMAND, bytes.fromhex("011000"))
    await _settle()
    assert host.received == []
    (error,) = host.lost
    assert isinstance(error, ReplayMismatchError)
    message = str(error)
    assert "frame 1" in message and "HCI Command: RESET" in message
    assert (
        "READ_LOCAL_VERSION_INFORMATION" in message
        and "first difference at payload byte 0" in message
    )


async def test_random_address_is_masked_unless_strict(tmp_path: Path) -> None:
    path = _session(
        tmp_path,
        [
            (H2C, PacketType.COMMAND, SET_RANDOM),
            (C2H, PacketType.EVENT, bytes.fromhex("0e0401052000")),
        ],
    )
    other_address = SET_RANDOM[:3] + bytes.fromhex("d1d2d3d4d5d6")
    masked = ReplayTransport(f"replay:{path}")
    FakeHost(masked)
    await masked.open()
    masked.send(PacketType.COMMAND, other_address)
    assert masked.error is None and masked.finished
    strict = ReplayTransport(f"replay:{path},strict")
    FakeHost(strict)
    await strict.open()
    strict.send(PacketType.COMMAND, other_address)
    assert strict.error is not None and "first difference at payload byte 3" in str(strict.error)


async def test_host_sending_after_the_recording_ends_is_a_mismatch(tmp_path: Path) -> None:
    path = _session(tmp_path, [(H2C, PacketType.COMMAND, RESET)])
    transport = ReplayTransport(f"replay:{path}")
    FakeHost(transport)
    await transport.open()
    transport.send(PacketType.COMMAND, RESET)
    transport.send(PacketType.COMMAND, RESET)
    with pytest.raises(ReplayMismatchError, match="after the recorded session ended"):
        transport.check()


async def test_check_names_the_first_host_packet_never_sent(tmp_path: Path) -> None:
    path = _session(
        tmp_path,
        [
            (H2C, PacketType.COMMAND, RESET),
            (C2H, PacketType.EVENT, RESET_DONE),
            (H2C, PacketType.COMMAND, SET_RANDOM),
        ],
    )
    transport = ReplayTransport(f"replay:{path}")
    FakeHost(transport)
    await transport.open()
    transport.send(PacketType.COMMAND, RESET)
    with pytest.raises(ReplayMismatchError, match="before frame 3.*LE_SET_RANDOM_ADDRESS"):
        transport.check()
    transport.check(require_finished=False)


async def test_fixture_checks_the_replay_at_teardown(
    tmp_path: Path, hci_replay: ReplayFactory
) -> None:
    path = _session(
        tmp_path, [(H2C, PacketType.COMMAND, RESET), (C2H, PacketType.EVENT, RESET_DONE)]
    )
    transport = hci_replay(path)
    host = FakeHost(transport)
    await transport.open()
    transport.send(PacketType.COMMAND, RESET)
    await _settle()
    assert host.received == [(PacketType.EVENT, RESET_DONE)]


def test_replay_of_a_missing_file_says_which_file() -> None:
    from aioble_hci.transport.base import TransportError

    with pytest.raises(TransportError, match="no-such.btsnoop"):
        open_transport("replay:/nonexistent/no-such.btsnoop")


def test_replay_of_a_damaged_capture_names_the_offset(tmp_path: Path) -> None:
    from aioble_hci.transport.base import TransportError

    cut = tmp_path / "cut.btsnoop"
    cut.write_bytes((SHARED / "android-broadcom.btsnoop").read_bytes()[:1000])
    with pytest.raises(TransportError, match="byte offset"):
        open_transport(f"replay:{cut}")
