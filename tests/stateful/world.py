"""Two full stacks (GAP, L2CAP, GATT, SMP) on a private fast virtual air, for the stateful fuzzer.

`World.create()` builds them on the running loop: host A is the one the fuzzer drives, host B
a cooperative peer that advertises whenever it is free, drains every CoC SDU it gets, answers
pairing headlessly and serves the same GATT database as A. Protocol timers that the spec puts
at 30 s (ATT transaction, SMP, L2CAP RTX) are shortened to `PROTOCOL_TIMEOUT` so a peer that
stops answering (after raw PDUs confused it) ends an operation quickly, and anything running
past `OP_BOUND` is a hang, not patience.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from aioble_hci.address import Address
from aioble_hci.att import client as att_client
from aioble_hci.att import server as att_server
from aioble_hci.att.gatt import Characteristic, Service
from aioble_hci.att.gatt import CharacteristicProperties as P
from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.host.connection import Connection
from aioble_hci.host.gap import Gap, GapConfig, attach_gap
from aioble_hci.host.gatt import Gatt, attach_gatt
from aioble_hci.host.host import Host
from aioble_hci.host.l2cap import CocChannel, L2capBearer, attach_l2cap
from aioble_hci.host.smp import Smp, SmpHostConfig, attach_smp
from aioble_hci.smp.config import SecurityConfig
from aioble_hci.uuid import UUID

PROTOCOL_TIMEOUT = 1.0
"""Seconds for the ATT transaction timer, the SMP timer and the L2CAP RTX (30 s in the spec)."""
OP_BOUND = 6.0
"""Seconds any operation may take before it counts as hung (several protocol timeouts)."""
PASSKEY = 123456
SPSM = 0x0080
SERVICE = UUID("5f5a0001-0000-1000-8000-00805f9b34fb")
CHAR = UUID("5f5a0002-0000-1000-8000-00805f9b34fb")
LONG_CHAR = UUID("5f5a0003-0000-1000-8000-00805f9b34fb")
A_ADDRESS = Address.parse("c0:00:00:00:00:0a/random")
B_ADDRESS = Address.parse("c0:00:00:00:00:0b/random")


def services() -> list[Service]:
    """One short characteristic that notifies and indicates, one long one (long reads and writes)."""
    props = P.READ | P.WRITE | P.WRITE_WITHOUT_RESPONSE | P.NOTIFY | P.INDICATE
    return [Service(SERVICE, [
        Characteristic(CHAR, props, value=b"stateful"),
        Characteristic(LONG_CHAR, P.READ | P.WRITE, value=bytes(range(200)), max_len=512),
    ])]


@contextlib.contextmanager
def short_protocol_timers(seconds: float = PROTOCOL_TIMEOUT) -> Iterator[None]:
    """Shorten the ATT transaction timeouts (module constants read at each use) for the block."""
    saved = att_client.TRANSACTION_TIMEOUT, att_server.TRANSACTION_TIMEOUT
    att_client.TRANSACTION_TIMEOUT = att_server.TRANSACTION_TIMEOUT = seconds
    try:
        yield
    finally:
        att_client.TRANSACTION_TIMEOUT, att_server.TRANSACTION_TIMEOUT = saved


@dataclass
class Stack:
    """One Host with its four bearers, and the CoC channels seen on it."""

    name: str
    host: Host
    gap: Gap
    l2cap: L2capBearer
    gatt: Gatt
    smp: Smp
    channels: list[CocChannel] = field(default_factory=list)
    seen: list[Connection] = field(default_factory=list)

    @property
    def live(self) -> list[Connection]:
        return list(self.host.connections.values())


async def make_stack(name: str, air: Air, address: Address, directory: Path) -> Stack:
    """A Host on `air` with GAP, L2CAP (short RTX), GATT and SMP (headless, files in `directory`)."""
    host = Host(VirtualTransport("virtual", air=air, address=address))
    await host.start()
    gap = await attach_gap(host, GapConfig())
    l2cap = attach_l2cap(host, rtx_timeout=PROTOCOL_TIMEOUT)  # wired to `gap`, attached above
    gatt = attach_gatt(host)
    security = replace(SecurityConfig(), timeout=PROTOCOL_TIMEOUT)
    smp = await attach_smp(host, SmpHostConfig(
        security=security, bond_path=directory / f"{name}-bonds.json", irk_path=directory / f"{name}-irk.json",
        passkey=PASSKEY, repeated_attempts_interval=0.0))
    gatt.server.register_services(services())
    stack = Stack(name, host, gap, l2cap, gatt, smp)
    gap.on_connected(stack.seen.append)
    l2cap.on_channel_event(lambda kind, channel, _status: _on_channel(stack, kind, channel))
    l2cap.listen(SPSM)
    return stack


def _on_channel(stack: Stack, kind: str, channel: CocChannel) -> None:
    if kind == "connect":
        stack.channels.append(channel)
    elif kind == "recv" and stack.name == "B":  # the peer drains at once so credits keep flowing
        while channel.available():
            channel.recvinto(bytearray(channel.available()))


def value_handles(stack: Stack) -> tuple[int, int, int]:
    """(short value handle, its CCCD handle, long value handle) in the stack's own database."""
    short, long = stack.gatt.server.services[-1].characteristics
    return short.value_handle, short.cccd_handle, long.value_handle


class World:
    """Air, the driven stack A and the peer stack B, on the running loop."""

    def __init__(self, air: Air, a: Stack, b: Stack, directory: Path) -> None:
        self.air = air
        self.a = a
        self.b = b
        self.directory = directory
        self._advertising: asyncio.Task[None] | None = None
        self.closing = False

    @classmethod
    async def create(cls) -> World:
        directory = Path(tempfile.mkdtemp(prefix="aioble-stateful-"))
        air = Air(loop=asyncio.get_running_loop(), fast=True)
        a = await make_stack("A", air, A_ADDRESS, directory)
        b = await make_stack("B", air, B_ADDRESS, directory)
        world = cls(air, a, b, directory)
        b.gap.on_disconnected(lambda _conn, _reason: world.peer_advertise_soon())
        await world.peer_advertise()
        return world

    async def peer_advertise(self) -> None:
        """B advertises (connectable, undirected) unless it already does."""
        if not self.b.gap.advertiser.active_sets and self.b.host.lost is None:
            await self.b.gap.advertise(b"\x02\x01\x06")

    def peer_advertise_soon(self) -> None:
        if self.closing:
            return
        if self._advertising is None or self._advertising.done():
            self._advertising = asyncio.get_running_loop().create_task(self._readvertise())

    async def _readvertise(self) -> None:
        with contextlib.suppress(Exception):
            await self.peer_advertise()

    async def close(self) -> None:
        """Disconnect everything, detach the bearers, close both hosts, remove the files."""
        self.closing = True
        for stack in (self.a, self.b):
            for conn in stack.live:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(stack.gap.disconnect(conn), OP_BOUND)
        if self._advertising is not None:
            self._advertising.cancel()
            with contextlib.suppress(BaseException):
                await self._advertising
        for stack in (self.a, self.b):
            stack.gap.close()
            stack.smp.detach()
            await stack.host.close()
        shutil.rmtree(self.directory, ignore_errors=True)
