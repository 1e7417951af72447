"""The serial transport through a real pseudo-terminal with a scripted controller on the master side."""

from __future__ import annotations

import asyncio

import pytest

from aioble_hci.hci.packets import PacketType
from aioble_hci.transport import TransportError, open_transport
from aioble_hci.transport.serial import SerialTransport
from tests.scripted.controller import open_pty_controller


class Collector:
    def __init__(self) -> None:
        self.packets: asyncio.Queue[tuple[PacketType, bytes]] = asyncio.Queue()
        self.lost: asyncio.Future[BaseException | None] = asyncio.get_running_loop().create_future()
        self.desyncs: list[BaseException] = []

    def sink(self, ptype: PacketType, payload: bytes) -> None:
        self.packets.put_nowait((ptype, payload))

    def on_lost(self, exc: BaseException | None) -> None:
        if not self.lost.done():
            self.lost.set_result(exc)


async def test_serial_transport_carries_a_command_and_its_event_over_a_pty() -> None:
    controller, path = open_pty_controller()
    transport = open_transport(f"serial:{path}")
    assert isinstance(transport, SerialTransport)
    got = Collector()
    transport.attach(got.sink, got.on_lost)
    await transport.open()
    try:
        transport.send(PacketType.COMMAND, bytes.fromhex("030c00"))
        ptype, payload = await asyncio.wait_for(got.packets.get(), 5)
        assert ptype == PacketType.EVENT
        assert payload == bytes.fromhex("0e0401030c00")
    finally:
        await transport.close()
        controller.close()


async def test_serial_transport_reports_a_stray_byte_and_keeps_the_following_packet() -> None:
    controller, path = open_pty_controller()
    transport = open_transport(f"serial:{path},nortscts")
    got = Collector()
    transport.attach(got.sink, got.on_lost, got.desyncs.append)
    await transport.open()
    try:
        controller.send_raw(b"\xff" + bytes.fromhex("040e0401030c00"))
        ptype, payload = await asyncio.wait_for(got.packets.get(), 5)
        assert payload == bytes.fromhex("0e0401030c00")
        assert len(got.desyncs) == 1
        assert "0xff" in str(got.desyncs[0])
    finally:
        await transport.close()
        controller.close()


async def test_serial_transport_reports_loss_when_the_pty_master_closes() -> None:
    controller, path = open_pty_controller()
    transport = open_transport(f"serial:{path}")
    got = Collector()
    transport.attach(got.sink, got.on_lost)
    await transport.open()
    controller.close()
    reason = await asyncio.wait_for(got.lost, 5)
    assert isinstance(reason, TransportError)
    await transport.close()


async def test_serial_transport_names_a_missing_device_and_lists_accepted_forms() -> None:
    transport = open_transport("serial:/dev/does-not-exist-aioble")
    with pytest.raises(TransportError) as err:
        await transport.open()
    assert "/dev/does-not-exist-aioble does not exist" in str(err.value)
    assert "tcp-client:HOST:PORT" in str(err.value)


async def test_serial_transport_explains_the_dialout_group_on_permission_denied(monkeypatch, tmp_path) -> None:
    import errno

    import serial

    device = tmp_path / "ttyFAKE"
    device.write_bytes(b"")

    def refuse(*args: object, **kwargs: object) -> None:
        raise serial.SerialException(errno.EACCES, f"could not open port {device}: Permission denied")

    monkeypatch.setattr(serial, "Serial", refuse)
    with pytest.raises(TransportError, match="dialout") as err:
        await open_transport(f"serial:{device}").open()
    assert "usermod -aG dialout" in str(err.value)
