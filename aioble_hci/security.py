"""The one link-security type every layer reads: what an LE link offers right now.

SMP produces it (pairing, encryption with a bond), ATT checks attribute permissions against it
(Core Vol 3 Part F 3.2.5, Vol 3 Part C 10.3.1) and L2CAP checks an SPSM's requirements against it
(Vol 3 Part A 4.23, Vol 3 Part C 10.2). One frozen value, so a layer never holds a stale copy of
another layer's idea of the link.
"""

from __future__ import annotations

from dataclasses import dataclass


def security_level(encrypted: bool, authenticated: bool, sc: bool, key_size: int) -> int:
    """LE Security Mode 1 level (Core Vol 3 Part C, 10.2.1): 1 none, 2 encrypted, 3 authenticated,
    4 authenticated LE Secure Connections with a 16-octet key."""
    if not encrypted:
        return 1
    if not authenticated:
        return 2
    return 4 if sc and key_size == 16 else 3


@dataclass(frozen=True, slots=True)
class LinkSecurity:
    """What the link offers: encryption, MITM authentication, key size, authorization, bond, LE SC.

    ``authenticated`` is an authenticated (MITM-protected) key; ``key_size`` the negotiated
    encryption key size in octets (0 when not encrypted). ``authorized`` is the application's
    authorization of the peer (ATT permission checks; never set by SMP). ``bonded`` means an LTK
    is known for the peer: an unencrypted link then gets Insufficient Encryption rather than
    Insufficient Authentication (Vol 3 Part C 10.3.1). ``sc`` is an LE Secure Connections key.
    """

    encrypted: bool = False
    authenticated: bool = False
    key_size: int = 0
    authorized: bool = False
    bonded: bool = False
    sc: bool = False

    @property
    def level(self) -> int:
        """The LE Security Mode 1 level this link gives (Vol 3 Part C, 10.2.1)."""
        return security_level(self.encrypted, self.authenticated, self.sc, self.key_size)


__all__ = ["LinkSecurity", "security_level"]
