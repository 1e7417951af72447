"""Two real Hosts with SMP bearers on a private fast virtual air, connected with raw HCI commands."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aioble_hci.address import Address
from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.hci.commands import (
    Disconnect,
    LeCreateConnection,
    LeSetAdvertisingData,
    LeSetAdvertisingEnable,
    LeSetAdvertisingParameters,
)
from aioble_hci.hci.constants import StatusCode
from aioble_hci.hci.events import DisconnectionComplete
from aioble_hci.host.connection import Connection
from aioble_hci.host.host import Host
from aioble_hci.host.smp import LinkSecurity, Prompts, Smp, SmpHostConfig, attach_smp
from aioble_hci.smp.config import SecurityConfig
from aioble_hci.smp.pdus import IoCapability

CENTRAL_ADDRESS = Address.parse("11:11:11:11:11:11/public")
PERIPHERAL_ADDRESS = Address.parse("22:22:22:22:22:22/public")
WAIT = 10.0  # generous upper bound so a broken test fails instead of hanging; never a timing check


class Board:
    """What the two users see: the passkey one device displays, for the other user to type."""

    def __init__(self) -> None:
        self.shown: int | None = None
        self.changed = asyncio.Event()


class User(Prompts):
    """A user at one device: types what the other device shows (or ``typed``), answers comparisons."""

    def __init__(self, board: Board, typed: int | None = None, accept: bool = True) -> None:
        self.board = board
        self.typed = typed
        self.accept = accept
        self.displayed: list[int] = []
        self.entered: list[int | None] = []
        self.compared: list[int] = []

    async def display_passkey(self, conn: Connection, passkey: int) -> None:
        self.displayed.append(passkey)
        self.board.shown = passkey
        self.board.changed.set()

    async def enter_passkey(self, conn: Connection) -> int | None:
        if self.typed is None:
            await self.board.changed.wait()
            value = self.board.shown
        else:
            value = self.typed
        self.entered.append(value)
        return value

    async def confirm_numeric_comparison(self, conn: Connection, value: int) -> bool:
        self.compared.append(value)
        return self.accept


@dataclass
class Station:
    host: Host
    smp: Smp
    user: User
    address: Address
    security_updates: list[LinkSecurity] = field(default_factory=list)
    pairings: list[tuple[Any, Any]] = field(default_factory=list)

    @property
    def conn(self) -> Connection:
        (conn,) = self.host.connections.values()
        return conn


class World:
    """One air, two stations. ``central``/``peripheral`` are the roles of the first connection."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.air = Air(loop=asyncio.get_running_loop(), fast=True)
        self.board = Board()
        self.stations: list[Station] = []
        self.hosts: list[Host] = []

    async def station(
        self,
        name: str,
        address: Address,
        *,
        io: IoCapability = IoCapability.NO_INPUT_NO_OUTPUT,
        security: SecurityConfig | None = None,
        typed: int | None = None,
        accept: bool = True,
        headless: bool = False,
        transport: type[VirtualTransport] = VirtualTransport,
        **config: Any,
    ) -> Station:
        host = Host(transport("virtual", air=self.air, address=address))
        await host.start()
        user = User(self.board, typed, accept)
        smp_config = SmpHostConfig(
            security=security or SecurityConfig(io_capability=io),
            bond_path=self.tmp_path / f"{name}-bonds.json",
            irk_path=self.tmp_path / f"{name}-irk.json",
            **config,
        )
        smp = await attach_smp(host, smp_config, None if headless else user)
        station = Station(host, smp, user, address)
        smp.on_security_changed(lambda conn, state: station.security_updates.append(state))
        smp.on_pairing_finished(lambda conn, result, error: station.pairings.append((result, error)))
        self.stations.append(station)
        return station

    async def bare_host(self, address: Address) -> Host:
        """A Host with no SMP bearer: the test plays its SMP peer with raw PDUs."""
        host = Host(VirtualTransport("virtual", air=self.air, address=address))
        await host.start()
        self.hosts.append(host)
        return host

    async def close(self) -> None:
        for host in self.hosts:
            await host.close()
        for station in self.stations:
            await station.host.close()


async def advertise(host: Host, own_address_type: int = 0) -> None:
    await host.send_command(LeSetAdvertisingParameters(
        advertising_interval_min=0x20, advertising_interval_max=0x20, own_address_type=own_address_type))
    await host.send_command(LeSetAdvertisingData(advertising_data=b"\x02\x01\x06"))
    await host.send_command(LeSetAdvertisingEnable(advertising_enable=1))


async def until(condition: Callable[[], bool]) -> None:
    """Let the loop run until ``condition()`` holds (bounded by WAIT so failures do not hang)."""

    async def spin() -> None:
        while not condition():
            await asyncio.sleep(0.005)

    await asyncio.wait_for(spin(), WAIT)


async def connect(
    central: Station, peripheral: Station, *, target: Address | None = None, central_own_type: int = 0,
    peripheral_own_type: int = 0,
) -> tuple[Connection, Connection]:
    """Peripheral advertises, central initiates to ``target`` (default the peripheral's address)."""
    await advertise(peripheral.host, peripheral_own_type)
    await central.host.send_command(LeCreateConnection(
        peer_address=target or peripheral.address, own_address_type=central_own_type))
    await until(lambda: bool(central.host.connections and peripheral.host.connections))
    return central.conn, peripheral.conn


async def disconnect(central: Station, peripheral: Station) -> int:
    conn = central.conn
    gone: asyncio.Future[DisconnectionComplete] = asyncio.get_running_loop().create_future()

    def on_gone(event: DisconnectionComplete) -> None:
        if not gone.done():
            gone.set_result(event)

    # Subscribed before the command goes out: the peer's event can arrive before a task would start.
    unsubscribe = peripheral.host.on_event(DisconnectionComplete, on_gone)
    try:
        await central.host.send_command(Disconnect(
            connection_handle=conn.handle, reason=StatusCode.REMOTE_USER_TERMINATED_CONNECTION))
        event = await asyncio.wait_for(gone, WAIT)
    finally:
        unsubscribe()
    await until(lambda: not central.host.connections and not peripheral.host.connections)
    return int(event.reason)
