"""Bumble for the benchmarks: Devices with their own Hosts and Controllers on a LocalLink."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from bumble import gatt as bgatt
from bumble.controller import Controller
from bumble.device import Connection, Device, Peer
from bumble.hci import Address
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport.common import AsyncPipeSink

SERVICE = "6E400001-B5A3-F393-E0A9-E50E24DCCA9E"
NOTIFY_CHAR = "6E400003-B5A3-F393-E0A9-E50E24DCCA9E"
WRITE_CHAR = "6E400002-B5A3-F393-E0A9-E50E24DCCA9E"


async def bumble_device(link: LocalLink, address: str, name: str) -> Device:
    controller = Controller(name, link=link, public_address=address)
    host = Host(controller, AsyncPipeSink(controller))
    device = Device(name=name, address=Address(address), host=host)
    await device.power_on()
    return device


def feed(device: Device, packet: bytes) -> None:
    """Hand an H4 packet (indicator byte first) to Bumble's Host as its controller does."""
    device.host.on_packet(packet)


@dataclass
class Link:
    link: LocalLink
    central: Device
    peripheral: Device
    central_conn: Connection
    peripheral_conn: Connection
    peer: Peer
    notify_char: bgatt.Characteristic
    write_char: bgatt.Characteristic
    remote_notify: Any
    remote_write: Any


async def connected_pair(mtu_exchange: bool = True) -> Link:
    link = LocalLink()
    central = await bumble_device(link, "F0:F1:F2:F3:F4:F5", "central")
    peripheral = await bumble_device(link, "F1:F2:F3:F4:F5:F6", "peripheral")
    notify_char = bgatt.Characteristic(
        NOTIFY_CHAR, bgatt.Characteristic.Properties.READ | bgatt.Characteristic.Properties.NOTIFY,
        bgatt.Characteristic.READABLE, b"\x00")
    write_char = bgatt.Characteristic(
        WRITE_CHAR, bgatt.Characteristic.Properties.READ | bgatt.Characteristic.Properties.WRITE,
        bgatt.Characteristic.READABLE | bgatt.Characteristic.WRITEABLE, b"")
    peripheral.add_service(bgatt.Service(SERVICE, [notify_char, write_char]))
    await peripheral.start_advertising()  # from its random address: LocalLink routes by it
    accepted: asyncio.Future[Connection] = asyncio.get_running_loop().create_future()
    peripheral.once("connection", accepted.set_result)
    central_conn = await central.connect(peripheral.random_address)
    peripheral_conn = await asyncio.wait_for(accepted, 10)
    peer = Peer(central_conn)
    if mtu_exchange:
        await peer.request_mtu(256)
    await peer.discover_services()
    service = peer.get_services_by_uuid(bgatt.UUID(SERVICE))[0]
    await service.discover_characteristics()
    remote_notify = service.get_characteristics_by_uuid(bgatt.UUID(NOTIFY_CHAR))[0]
    remote_write = service.get_characteristics_by_uuid(bgatt.UUID(WRITE_CHAR))[0]
    await remote_notify.discover_descriptors()
    return Link(link, central, peripheral, central_conn, peripheral_conn, peer, notify_char, write_char,
                remote_notify, remote_write)
