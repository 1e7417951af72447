"""What the SMP bearer keeps per LE connection."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aioble_hci.address import Address, AddressType
from aioble_hci.host.connection import Connection
from aioble_hci.host.smp.state import KeyInfo, PairingResult
from aioble_hci.security import LinkSecurity
from aioble_hci.smp.bonds import Bond
from aioble_hci.smp.session import SmpSession

IDENTITY_KEY = "identity_address"
"""``Connection.data`` key: the peer's identity address (resolved from its RPA when bonded)."""
LOCAL_ADDRESS_KEY = "local_address"
"""``Connection.data`` key the GAP bearer sets: the address we used on air for this connection."""
SECURITY_KEY = "security"
"""``Connection.data`` key: the link's current :class:`LinkSecurity`."""

def without_resolution(address: Address) -> Address:
    """``address`` as public (0x00) or random (0x01): the controller's "resolved identity" types
    0x02/0x03 (Vol 4 Part E, 7.7.65.10) folded back."""
    return Address(address.value, AddressType(int(address.type) & 1))


def on_air_peer_address(conn: Connection) -> Address:
    """The address the peer used on air (its RPA if the controller resolved it), as c1/f5/f6 need."""
    if conn.peer_resolvable_address is not None:
        return conn.peer_resolvable_address
    return without_resolution(conn.peer_address)


@dataclass(eq=False)
class SmpLink:
    """Security of one connection: its SMP session, encryption state and waiting callers."""

    conn: Connection
    local_address: Address | None = None
    identity: Address | None = None
    bond: Bond | None = None
    session: SmpSession | None = None
    security: LinkSecurity = field(default_factory=LinkSecurity)
    pending_key: KeyInfo | None = None
    pairing: asyncio.Future[PairingResult] | None = None
    encrypting: asyncio.Future[LinkSecurity] | None = None
    timer: asyncio.TimerHandle | None = None
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    def waiting(self) -> list[asyncio.Future[Any]]:
        return [f for f in (self.pairing, self.encrypting) if f is not None and not f.done()]
