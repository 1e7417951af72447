"""What the SMP bearer knows of a pending key, and the pairing result (the link's security itself
is the one :class:`aioble_hci.security.LinkSecurity`)."""

from __future__ import annotations

from dataclasses import dataclass

from aioble_hci.security import LinkSecurity
from aioble_hci.smp.methods import PairingMethod


@dataclass(frozen=True)
class KeyInfo:
    """What is known of the key a pending encryption uses (set before the Encryption Change)."""

    authenticated: bool = False
    bonded: bool = False
    key_size: int = 16
    sc: bool = False


@dataclass(frozen=True)
class PairingResult:
    """How a pairing (or re-encryption with a bond, ``method`` None) ended up."""

    method: PairingMethod | None
    security: LinkSecurity

    @property
    def level(self) -> int:
        return self.security.level
