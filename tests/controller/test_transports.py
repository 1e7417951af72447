"""The `virtual` and `air` transports, and the real host's init sequence over the virtual controller."""

from __future__ import annotations

import asyncio
import struct
from pathlib import Path

import pytest

from aioble_hci.controller.air import Air
from aioble_hci.controller.hub import default_socket_path
from aioble_hci.controller.transport import (
    AirTransport,
    VirtualTransport,
    make_air_transport,
    make_virtual_transport,
)
from aioble_hci.hci.packets import PacketType
from aioble_hci.transport import open_transport
from aioble_hci.transport.base import TransportError


def test_registry_builds_virtual_and_air_transports_from_specs():
    assert isinstance(open_transport("virtual"), VirtualTransport)
    air = open_transport("air:/tmp/somewhere/air.sock")
    assert isinstance(air, AirTransport) and air.path == Path("/tmp/somewhere/air.sock")


def test_air_without_path_uses_the_per_user_default_socket():
    transport = make_air_transport("air")
    assert isinstance(transport, AirTransport) and transport.path == default_socket_path()


def test_virtual_with_options_is_a_clear_error():
    with pytest.raises(TransportError, match="virtual"):
        make_virtual_transport("virtual:what")


async def test_virtual_transport_on_an_air_with_its_own_thread_delivers_on_the_host_loop():
    air = Air()
    try:
        transport = VirtualTransport("virtual", air=air)
        received: asyncio.Queue[tuple[PacketType, bytes, bool]] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def sink(packet_type: PacketType, payload: bytes) -> None:
            received.put_nowait((packet_type, payload, asyncio.get_running_loop() is loop))

        transport.attach(sink, lambda exc: None)
        await transport.open()
        transport.send(PacketType.COMMAND, struct.pack("<HB", 0x0C03, 0))
        packet_type, payload, on_host_loop = await asyncio.wait_for(received.get(), 5)
        assert packet_type == PacketType.EVENT and payload[0] == 0x0E and on_host_loop
        await transport.close()
        with pytest.raises(TransportError):
            transport.send(PacketType.COMMAND, struct.pack("<HB", 0x0C03, 0))
    finally:
        air.close()


async def test_closing_a_virtual_transport_is_a_vanished_controller_for_its_peers():
    air = Air(loop=asyncio.get_running_loop(), fast=True)
    transport = VirtualTransport("virtual", air=air)
    await transport.open()
    assert transport.controller in air.controllers
    controller = transport.controller
    await transport.close()
    await asyncio.sleep(0)
    assert controller not in air.controllers


async def test_air_transport_without_hub_and_no_autostart_says_how_to_start_one(tmp_path):
    transport = AirTransport("air:x", tmp_path / "none.sock", start_hub=False)
    with pytest.raises(TransportError, match="aioble-hci air"):
        await transport.open()


async def test_real_host_initialises_over_the_virtual_transport():
    from aioble_hci.host.host import Host

    air = Air(loop=asyncio.get_running_loop(), fast=True)
    host = Host(VirtualTransport("virtual", air=air))
    info = await host.start()
    try:
        assert info.manufacturer == 0x05F1 and info.hci_version == 0x0D
        assert info.acl_data_packet_length == 251 and info.total_num_acl_data_packets == 8
        assert info.le_features >> 12 & 1
        assert info.static_addresses and info.static_addresses[0].is_static
    finally:
        await host.close()
