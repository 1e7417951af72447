"""The application side of pairing: show a passkey, type one, confirm a number.

``Prompts`` is the interface (coroutines, awaited on the host loop); ``HeadlessPrompts`` are the
defaults for unattended use: log the passkey, type a configured passkey (or refuse), answer
Numeric Comparison by policy. ``CallbackPrompts`` suits a synchronous callback API such as
MicroPython's ``_IRQ_PASSKEY_ACTION`` + ``gap_passkey()``: it calls ``on_action(conn, action,
value)`` and waits for ``answer(conn, action, value)``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from enum import IntEnum
from typing import Any

from aioble_hci.host.connection import Connection

log = logging.getLogger(__name__)


class PasskeyAction(IntEnum):
    """MicroPython's passkey actions (``_PASSKEY_ACTION_*``)."""

    NONE = 0
    INPUT = 2
    DISPLAY = 3
    NUMERIC_COMPARISON = 4


class Prompts:
    """Override to ask a real user. All run on the host loop."""

    async def display_passkey(self, conn: Connection, passkey: int) -> None:
        """Show the six-digit passkey the peer's user must type (Vol 3 Part H, 2.3.5.3)."""

    async def enter_passkey(self, conn: Connection) -> int | None:
        """The passkey shown on the peer, or None to cancel (Passkey Entry Failed)."""
        return None

    async def confirm_numeric_comparison(self, conn: Connection, value: int) -> bool:
        """Whether both devices show ``value`` (Vol 3 Part H, 2.3.5.6.2)."""
        return False


class HeadlessPrompts(Prompts):
    """Unattended defaults: the passkey is logged, entry types ``passkey``, comparisons ``accept``."""

    def __init__(self, passkey: int | None = None, accept: bool = True) -> None:
        self.passkey = passkey
        self.accept = accept

    async def display_passkey(self, conn: Connection, passkey: int) -> None:
        log.warning("pairing with %s: passkey %06d", conn.peer_address, passkey)

    async def enter_passkey(self, conn: Connection) -> int | None:
        if self.passkey is None:
            log.warning("pairing with %s needs a passkey and none is configured: cancelling", conn.peer_address)
        return self.passkey

    async def confirm_numeric_comparison(self, conn: Connection, value: int) -> bool:
        log.warning("pairing with %s: numeric comparison %06d %s", conn.peer_address, value,
                    "accepted" if self.accept else "rejected")
        return self.accept


class CallbackPrompts(Prompts):
    """Prompts relayed to a synchronous callback; the answer comes back through :meth:`answer`.

    ``on_action(conn, action, value)`` runs on the host loop (value: the passkey to show or the
    number to compare, 0 for input). Displays need no answer.
    """

    def __init__(self, on_action: Callable[[Connection, PasskeyAction, int], None]) -> None:
        self.on_action = on_action
        self._waiting: dict[tuple[int, PasskeyAction], asyncio.Future[Any]] = {}

    async def display_passkey(self, conn: Connection, passkey: int) -> None:
        self.on_action(conn, PasskeyAction.DISPLAY, passkey)

    async def _ask(self, conn: Connection, action: PasskeyAction, value: int) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[(conn.handle, action)] = future
        try:
            self.on_action(conn, action, value)
            return await future
        finally:
            self._waiting.pop((conn.handle, action), None)

    async def enter_passkey(self, conn: Connection) -> int | None:
        result: int | None = await self._ask(conn, PasskeyAction.INPUT, 0)
        return result

    async def confirm_numeric_comparison(self, conn: Connection, value: int) -> bool:
        return bool(await self._ask(conn, PasskeyAction.NUMERIC_COMPARISON, value))

    def answer(self, conn: Connection, action: PasskeyAction | int, value: int | bool | None) -> bool:
        """Answer a pending prompt (passkey for INPUT, bool for NUMERIC_COMPARISON); False if none."""
        future = self._waiting.get((conn.handle, PasskeyAction(action)))
        if future is None or future.done():
            return False
        future.set_result(value)
        return True
