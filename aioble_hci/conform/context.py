"""What a running case sees: the tester, its link to the IUT, the IXIT, the discovered profile,
and an optional upper tester (the IUT's application, for actions only it can start)."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from aioble_hci.address import Address

from .case import Case
from .discovery import Characteristic, IutProfile
from .ixit import Ixit
from .link import TesterLink
from .tester import LowerTester
from .verdicts import NotApplicable


class UpperTester(Protocol):
    """IUT actions a lower tester cannot cause over the air. Every method is optional: a case
    needing one the upper tester lacks is not applicable. Methods are awaited on the host loop.

    - `notify(value_handle)`: make the IUT send a notification or indication of that value;
    - `passkey()`: the passkey the IUT displays (int);
    - `connect(address)`: make the IUT central connect to the tester at `address`;
    - `pair()`: make the IUT central start pairing on its current connection;
    - `send_coc(data)`: make the IUT send `data` on its open LE credit-based channel.
    """


class CaseContext:
    def __init__(self, case: Case, tester: LowerTester, iut: Address | None, ixit: Ixit,
                 profile: IutProfile | None = None, upper: Any = None) -> None:
        self.case = case
        self.tester = tester
        self.iut = iut
        self.ixit = ixit
        self._profile = profile
        self.upper = upper
        self.links: list[TesterLink] = []
        self.notes: list[str] = []

    @property
    def link(self) -> TesterLink:
        if not self.links:
            raise RuntimeError(f"{self.case.id} has no link: it connects itself (connect=False)")
        return self.links[-1]

    @property
    def silence(self) -> float:
        return self.ixit.timing.silence

    @property
    def profile(self) -> IutProfile:
        if self._profile is None:
            raise NotApplicable("the IUT's GATT database could not be discovered")
        return self._profile

    def note(self, text: str) -> None:
        self.notes.append(text)

    # --- what the IUT offers --------------------------------------------------------------

    def need(self, value: Any, what: str) -> Any:
        """`value`, or not applicable because the IUT does not offer `what`."""
        if value is None or value is False or (isinstance(value, list | tuple) and not value):
            raise NotApplicable(f"the IUT offers no {what}")
        return value

    def characteristic(self, handle: int | None) -> Characteristic | None:
        if handle is None:
            return None
        return next((c for c in self.profile.characteristics if c.value_handle == handle), None) or Characteristic(
            0, 0xFF, handle, self.profile.absent_uuid())

    async def upper_action(self, name: str, *args: Any) -> Any:
        action = getattr(self.upper, name, None)
        if action is None:
            raise NotApplicable(f"the case needs the IUT to {name.replace('_', ' ')}: give an upper tester for it")
        return await action(*args)

    # --- links ----------------------------------------------------------------------------

    async def connect(self) -> TesterLink:
        """A new link to the peripheral IUT."""
        if self.iut is None:
            raise NotApplicable("no IUT address given")
        link = await self.tester.connect(self.iut, self.ixit.link.parameters())
        self.links.append(link)
        return link

    async def accept(self, timeout: float = 10.0) -> TesterLink:
        """Advertise and wait for the IUT central (asking the upper tester to connect, if there is one)."""
        waiting = asyncio.ensure_future(self.tester.accept(timeout))
        connect = getattr(self.upper, "connect", None)
        if connect is not None:
            await asyncio.sleep(0)
            await connect(self.tester.gap.address)
        link = await waiting
        self.links.append(link)
        return link

    async def reconnect(self) -> TesterLink:
        """Drop the current link and open a new one in the same roles."""
        await self.link.disconnect()
        return await (self.connect() if self.case.iut_role == "peripheral" else self.accept())
