"""IUT 1: our own peripheral (Host + GAP, GATT server, L2CAP echo server, SMP) on a fast virtual air.

It advertises again after every disconnection, so the lower tester can connect once per case,
and it offers an upper tester (the IUT's application: notify, show the passkey, connect, pair).
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from aioble_hci.address import Address
from aioble_hci.att.errors import AttError
from aioble_hci.att.gatt import gap_service
from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.host.connection import Connection
from aioble_hci.host.gap import GapConfig, attach_gap
from aioble_hci.host.gap.advertising import AdvertisingParameters
from aioble_hci.host.gatt import attach_gatt
from aioble_hci.host.host import Host
from aioble_hci.host.smp import Prompts, SmpHostConfig, attach_smp
from aioble_hci.host.smp.identity import load_or_create_irk
from aioble_hci.l2cap.spsm import SecurityRequirement
from aioble_hci.smp.config import SecurityConfig
from aioble_hci.smp.pdus import IoCapability
from tests.conform.faulty import FaultyTransport
from tests.gatt_host.gattdb import make_db

IUT_ADDRESS = Address.parse("c0:de:00:00:00:01/public")
TESTER_ADDRESS = Address.parse("c0:de:00:00:00:02/public")
ECHO_SPSM = 0x0080
ENCRYPTED_SPSM = 0x0081
AUTHENTICATED_SPSM = 0x0082
ADV_DATA = b"\x02\x01\x06" + b"\x04\x09iut"

IXIT = {
    "gatt": {"max_length": 512},
    "l2cap": {"spsm": ECHO_SPSM, "echo": True, "encrypted_spsm": ENCRYPTED_SPSM,
              "authenticated_spsm": AUTHENTICATED_SPSM},
    "sm": {"min_key_size": 16},
    "timing": {"timeout": 2.0, "silence": 0.2},
}


class Display(Prompts):
    """The IUT's display: the passkeys it shows, for the upper tester."""

    def __init__(self) -> None:
        self.shown: asyncio.Queue[int] = asyncio.Queue()

    async def display_passkey(self, conn: Connection, passkey: int) -> None:
        self.shown.put_nowait(passkey)


class OurIut:
    def __init__(self, host: Host, display: Display, ppcp: bool = False) -> None:
        self.host = host
        self.display = display
        self.gap = host.gap
        self.gatt = host.gatt
        self.smp = host.smp
        self.db = make_db()
        gap = gap_service("iut", peripheral_preferred_connection_parameters=(24, 40, 0, 400)) if ppcp else None
        self.gatt.server.register_services(self.db.services, device_name="iut", gap=gap)
        l2cap = self.gatt.l2cap
        self.echo = l2cap.listen(ECHO_SPSM, mtu=512, mps=200, credits=4)
        self.secure = l2cap.listen(ENCRYPTED_SPSM, security=SecurityRequirement(encryption=True))
        self.authenticated = l2cap.listen(AUTHENTICATED_SPSM, security=SecurityRequirement(encryption=True,
                                                                                        authentication=True))
        self._tasks: list[asyncio.Task[Any]] = [asyncio.ensure_future(self._serve_echo())]
        self.gap.on_disconnected(lambda conn, reason: self._spawn(self.advertise()))
        self.last_interval: int | None = None  # of the last link, in 1.25 ms units
        self.gap.on_connected(lambda conn: setattr(self, "last_interval", conn.interval))
        self.counter = 0
        self.adv_data, self.scan_response = ADV_DATA, b""
        self.transport: FaultyTransport | None = None

    @classmethod
    async def start(cls, air: Air, directory: Path, address: Address = IUT_ADDRESS,
                    io: IoCapability = IoCapability.DISPLAY_ONLY, ppcp: bool = False,
                    private: bool = False, inner: Any = None) -> OurIut:
        """Our peripheral on `air`, its HCI through a FaultyTransport (no rules: it behaves).
        `ppcp` adds the GAP PPCP characteristic; `private` advertises with RPAs from its IRK;
        `inner` replaces the virtual controller's transport (e.g. an AirTransport to a hub)."""
        transport = FaultyTransport(inner or VirtualTransport("virtual", air=air, address=address))
        host = Host(transport)  # type: ignore[arg-type]
        await host.start()
        irk_path = directory / "iut-irk.json"
        privacy = {"address_mode": "rpa", "irk": load_or_create_irk(irk_path)} if private else {}
        await attach_gap(host, GapConfig(device_name="iut", **privacy))  # type: ignore[arg-type]
        display = Display()
        await attach_smp(host, SmpHostConfig(security=SecurityConfig(io_capability=io),
                                             bond_path=directory / "iut-bonds.json",
                                             irk_path=irk_path), display)
        attach_gatt(host, preferred_mtu=517)
        iut = cls(host, display, ppcp)
        iut.transport = transport
        await iut.advertise()
        return iut

    def _spawn(self, coro: Any) -> None:
        self._tasks.append(asyncio.ensure_future(coro))

    async def advertise(self) -> None:
        if self.host.lost is None and not self.host.connections:
            with contextlib.suppress(Exception):
                await self.gap.advertise(self.adv_data, self.scan_response, params=AdvertisingParameters(interval_min=0x20))

    async def _serve_echo(self) -> None:
        while True:
            channel = await self.echo.accept()
            self._spawn(self._echo(channel))

    async def _echo(self, channel: Any) -> None:
        with contextlib.suppress(Exception):
            while True:
                await channel.send(await channel.receive())

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.smp.detach()
        self.gap.close()
        await self.host.close()

    # --- the upper tester ---------------------------------------------------------------------

    @property
    def connection(self) -> Connection:
        return next(iter(self.host.connections.values()))

    async def notify(self, value_handle: int) -> None:
        self.counter += 1
        self.gatt.server.write(value_handle, bytes([self.counter]), send_update=True)

    async def passkey(self) -> int:
        value = await asyncio.wait_for(self.display.shown.get(), 5.0)
        while not self.display.shown.empty():
            value = self.display.shown.get_nowait()
        return value

    async def connect(self, address: Address) -> None:
        with contextlib.suppress(Exception):
            await self.gap.stop_advertising()
        self._spawn(self.gap.connect(address))

    async def read(self, handle: int) -> bytes | int:
        """Our client reads `handle` on the IUT's link: the value, or the ATT error code it reports."""
        try:
            return await self.gatt.client(self.connection).read(handle)
        except AttError as error:
            return int(error.code)

    async def pair(self) -> None:
        self._spawn(self.smp.pair(self.connection))
