"""A connection's security state as the SMP bearer sees it, and the pairing result."""

from __future__ import annotations

from dataclasses import dataclass

from aioble_hci.smp.methods import PairingMethod


def security_level(encrypted: bool, authenticated: bool, sc: bool, key_size: int) -> int:
    """LE Security Mode 1 level (Core Vol 3 Part C, 10.2.1): 1 none, 2 encrypted, 3 authenticated,
    4 authenticated LE Secure Connections with a 16-octet key."""
    if not encrypted:
        return 1
    if not authenticated:
        return 2
    return 4 if sc and key_size == 16 else 3


@dataclass(frozen=True)
class SecurityState:
    """Encryption of one link: what the GATT bearer checks permissions against."""

    encrypted: bool = False
    authenticated: bool = False
    bonded: bool = False
    key_size: int = 0
    sc: bool = False

    @property
    def level(self) -> int:
        return security_level(self.encrypted, self.authenticated, self.sc, self.key_size)


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
    security: SecurityState

    @property
    def level(self) -> int:
        return self.security.level
