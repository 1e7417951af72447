"""Our stack for the benchmarks: Hosts on a private fast Air, with their bearers, as users build them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aioble_hci.att.gatt import Characteristic, Service
from aioble_hci.att.gatt import CharacteristicProperties as P
from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.hci.packets import PacketType
from aioble_hci.host.connection import Connection
from aioble_hci.host.gap import attach_gap
from aioble_hci.host.gap.advertising import AdvertisingParameters
from aioble_hci.host.gatt import Gatt, attach_gatt
from aioble_hci.host.host import Host
from aioble_hci.uuid import UUID

SERVICE = UUID("6e400001-b5a3-f393-e0a9-e50e24dcca9e")
NOTIFY_CHAR = UUID("6e400003-b5a3-f393-e0a9-e50e24dcca9e")
WRITE_CHAR = UUID("6e400002-b5a3-f393-e0a9-e50e24dcca9e")


async def start_host(air: Air) -> Host:
    host = Host(VirtualTransport("virtual", air=air))
    await host.start()
    return host


def feed(host: Host, packet_type: PacketType, payload: bytes) -> None:
    """Hand a packet to the Host exactly as the transport does with one from the controller."""
    host.transport._deliver(packet_type, payload)


@dataclass
class Link:
    """Two connected Hosts with GAP and GATT bearers; the peripheral serves one notify and one write characteristic."""

    air: Air
    central: Host
    peripheral: Host
    central_gatt: Gatt
    peripheral_gatt: Gatt
    central_conn: Connection
    peripheral_conn: Connection
    notify_char: Characteristic
    write_char: Characteristic

    async def close(self) -> None:
        await self.central.close()
        await self.peripheral.close()


async def connected_pair(mtu_exchange: bool = True) -> Link:
    """Connect a central to a peripheral on a private fast Air through the GAP and GATT bearers."""
    air = Air(loop=asyncio.get_running_loop(), fast=True)
    central, peripheral = await start_host(air), await start_host(air)
    c_gap, p_gap = await attach_gap(central), await attach_gap(peripheral)
    c_gatt, p_gatt = attach_gatt(central), attach_gatt(peripheral)
    notify_char = Characteristic(NOTIFY_CHAR, P.READ | P.NOTIFY, value=b"\x00")
    write_char = Characteristic(WRITE_CHAR, P.READ | P.WRITE, value=b"")
    p_gatt.server.register_services([Service(SERVICE, [notify_char, write_char])])
    await p_gap.advertise(b"\x02\x01\x06", params=AdvertisingParameters(interval_min=32))
    address = p_gap.identity_address
    assert address is not None
    waiting = asyncio.ensure_future(p_gap.wait_for_connection(timeout=10))
    c_conn = await c_gap.connect(address)
    p_conn = await waiting
    if mtu_exchange:
        await c_gatt.client(c_conn).exchange_mtu()
    return Link(air, central, peripheral, c_gatt, p_gatt, c_conn, p_conn, notify_char, write_char)
