"""The host records every HCI packet to a capture file when asked to."""

from __future__ import annotations

from aioble_hci.capture import read_all
from aioble_hci.hci import commands as cmd
from aioble_hci.hci.packets import Direction, PacketType


async def test_capture_path_records_the_init_sequence_both_ways(scripted_host, tmp_path) -> None:
    path = tmp_path / "session.btsnoop"
    host, _ = await scripted_host(capture_path=str(path))
    await host.close()
    records, error = read_all(path)
    assert error is None
    first = records[0]
    assert (first.direction, first.packet_type, first.payload) == (Direction.HOST_TO_CONTROLLER, PacketType.COMMAND, bytes.fromhex("030c00"))
    assert records[1].direction == Direction.CONTROLLER_TO_HOST
    assert records[1].payload == bytes.fromhex("0e0401030c00")


async def test_capture_environment_variable_enables_capture(scripted_host, tmp_path, monkeypatch) -> None:
    path = tmp_path / "env.pcap"
    monkeypatch.setenv("AIOBLE_HCI_CAPTURE", str(path))
    host, controller = await scripted_host()
    await host.close()
    records, error = read_all(path)
    assert error is None
    assert sum(r.packet_type == PacketType.COMMAND for r in records) == len(controller.commands)


async def test_unwritable_capture_format_is_skipped_with_a_warning(scripted_host, tmp_path, caplog) -> None:
    host, _ = await scripted_host(capture_path=str(tmp_path / "capture.unknown-ext"))
    assert host.controller_info.manufacturer == 0x05F1
    assert "capture to" in caplog.text and "skipped" in caplog.text


async def test_a_capture_file_that_fails_mid_session_is_closed_and_dropped(scripted_host, tmp_path) -> None:
    host, _ = await scripted_host(capture_path=str(tmp_path / "session.btsnoop"))
    hook = host._capture
    writer = hook._writer
    closed = []

    def full_disk(_record: object) -> None:
        raise OSError("no space left on device")

    writer.write = full_disk
    real_close = writer.close
    writer.close = lambda: (closed.append(True), real_close())
    assert (await host.send_command(cmd.ReadBdAddr())).bd_addr.value == bytes(6)
    assert host._capture is None and hook._writer is None and closed == [True]
