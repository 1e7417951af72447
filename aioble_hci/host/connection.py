"""What the host tracks per LE connection (created on LE (Enhanced) Connection Complete)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from aioble_hci.address import Address


class Role(IntEnum):
    """The local device's role on the connection (Vol 4 Part E, 7.7.65.1)."""

    CENTRAL = 0x00
    PERIPHERAL = 0x01


@dataclass(eq=False)
class Connection:
    """One LE ACL connection. `data` is free for the layer bearers (GAP, GATT, SMP) to keep state in."""

    handle: int
    role: Role
    peer_address: Address
    interval: int = 0  # units of 1.25 ms
    latency: int = 0
    supervision_timeout: int = 0  # units of 10 ms
    local_resolvable_address: Address | None = None
    peer_resolvable_address: Address | None = None
    encrypted: bool = False
    disconnect_reason: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    closed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def connected(self) -> bool:
        return not self.closed.is_set()

    def __repr__(self) -> str:
        return f"<Connection 0x{self.handle:03x} {self.role.name.lower()} peer={self.peer_address!r}>"
