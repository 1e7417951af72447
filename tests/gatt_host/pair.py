"""Two Hosts on a private fast Air, connected with raw HCI commands (until the GAP bearer lands)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aioble_hci.address import Address
from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.hci import commands as cmd
from aioble_hci.hci import events as ev
from aioble_hci.host.connection import Connection
from aioble_hci.host.gatt import Gatt
from aioble_hci.host.host import Host
from aioble_hci.host.l2cap import L2capBearer

WAIT = 5.0  # a guard against hangs, never a timing assertion


@dataclass
class Side:
    host: Host

    @property
    def connection(self) -> Connection:
        return next(iter(self.host.connections.values()))


async def start_host(air: Air) -> Host:
    host = Host(VirtualTransport("virtual", air=air))
    await host.start()
    return host


async def advertise(host: Host) -> Address:
    """Connectable undirected advertising (ADV_IND) from the controller's identity address."""
    own = await use_identity_address(host)
    await host.send_command(cmd.LeSetAdvertisingParameters(0x20, 0x20, 0, own))
    await host.send_command(cmd.LeSetAdvertisingData(b"\x02\x01\x06"))
    await host.send_command(cmd.LeSetAdvertisingEnable(1))
    address = host.controller_info.address
    assert address is not None
    return address


async def use_identity_address(host: Host) -> int:
    """Own_Address_Type for the controller's identity: public, else its static random address."""
    info = host.controller_info
    if info.has_public_address:
        return 0
    assert info.static_address is not None
    await host.send_command(cmd.LeSetRandomAddress(info.static_address))
    return 1


async def connect(central: Host, peripheral: Host) -> tuple[Connection, Connection]:
    """Advertise on `peripheral`, LE Create Connection from `central`; both Connections."""
    address = await advertise(peripheral)
    done = asyncio.ensure_future(
        asyncio.gather(
            central.wait_for_event(ev.LeMetaEvent, _is_connection, timeout=WAIT),
            peripheral.wait_for_event(ev.LeMetaEvent, _is_connection, timeout=WAIT),
        )
    )
    await asyncio.sleep(0)
    own = await use_identity_address(central)
    await central.send_command(cmd.LeCreateConnection(peer_address=address, own_address_type=own))
    await done
    return next(iter(central.connections.values())), next(iter(peripheral.connections.values()))


def _is_connection(event: object) -> bool:
    return isinstance(event, (ev.LeConnectionComplete, ev.LeEnhancedConnectionComplete))


@dataclass
class Stack:
    """A Host with its L2CAP and GATT bearers, and its side of the connection."""

    host: Host
    l2cap: L2capBearer
    gatt: Gatt
    connection: Connection


async def connected_stacks(central: Host, peripheral: Host, preferred_mtu: int = 256) -> tuple[Stack, Stack]:
    """Attach L2CAP and GATT to both Hosts and connect them: (central, peripheral)."""
    stacks = []
    for host in (central, peripheral):
        l2cap = L2capBearer(host).attach()
        stacks.append((host, l2cap, Gatt(host, l2cap, preferred_mtu).attach()))
    c_conn, p_conn = await connect(central, peripheral)
    return Stack(*stacks[0], c_conn), Stack(*stacks[1], p_conn)
