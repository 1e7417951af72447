"""Pairing on both stacks: Bumble's PairingConfig/PairingDelegate and our Prompts, sharing one
'screen' so that what one side displays is what the other side's user types."""

from __future__ import annotations

import asyncio

from bumble.device import Device
from bumble.pairing import PairingConfig, PairingDelegate

from aioble_hci.host.connection import Connection
from aioble_hci.host.smp import Prompts


class Screen:
    """The passkey one device shows, for the other device's user to type."""

    def __init__(self) -> None:
        self.shown: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.compared: list[tuple[str, int]] = []  # (who, value) of numeric comparisons


class OurUser(Prompts):
    """The user at our device."""

    def __init__(self, screen: Screen) -> None:
        self.screen = screen

    async def display_passkey(self, conn: Connection, passkey: int) -> None:
        if not self.screen.shown.done():
            self.screen.shown.set_result(passkey)

    async def enter_passkey(self, conn: Connection) -> int | None:
        return await self.screen.shown

    async def confirm_numeric_comparison(self, conn: Connection, value: int) -> bool:
        self.screen.compared.append(("ours", value))
        return True


class BumbleUser(PairingDelegate):
    """The user at the Bumble device."""

    def __init__(self, screen: Screen, io_capability: int) -> None:
        super().__init__(io_capability=io_capability)  # type: ignore[arg-type]
        self.screen = screen

    async def display_number(self, number: int, digits: int) -> None:
        if not self.screen.shown.done():
            self.screen.shown.set_result(number)

    async def get_number(self) -> int | None:
        return await self.screen.shown

    async def compare_numbers(self, number: int, digits: int) -> bool:
        self.screen.compared.append(("bumble", number))
        return True


def configure_bumble_pairing(device: Device, screen: Screen, *, sc: bool, mitm: bool, io_capability: int,
                             bonding: bool = True) -> None:
    """What the Bumble device answers or asks in every pairing from now on."""
    device.pairing_config_factory = lambda _conn: PairingConfig(
        sc=sc, mitm=mitm, bonding=bonding, delegate=BumbleUser(screen, io_capability))
