"""SPSM registry and the security policy checked before accepting a channel.

A server registers an SPSM with its receive parameters, the security the link must have
(Core Vol 3 Part C, 10.2; results of Vol 3 Part A, 4.23) and an optional acceptor callback
that may refuse (e.g. for authorization). The link's security is passed in by the host.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from aioble_hci.security import LinkSecurity

from .coc import LE_MAX_MPS, LE_MIN_MPS, LE_MIN_MTU
from .pdus import LeCreditBasedConnectionResult, is_valid_le_spsm


@dataclass(frozen=True)
class SecurityRequirement:
    """What an SPSM demands of the link before a channel may be opened on it."""

    encryption: bool = False
    authentication: bool = False
    authorization: bool = False
    min_key_size: int = 7

    def check(self, link: LinkSecurity) -> LeCreditBasedConnectionResult | None:
        """The refusal result for `link`, or None when the link is good enough.

        Authentication before encryption before key size (L2CAP/LE/CFC/BV-11/15/25-C).
        Authorization is the acceptor's decision (BV-13-C).
        """
        if self.authentication and not link.authenticated:
            return LeCreditBasedConnectionResult.INSUFFICIENT_AUTHENTICATION
        needs_encryption = self.encryption or self.authentication
        if needs_encryption and not link.encrypted:
            return LeCreditBasedConnectionResult.INSUFFICIENT_ENCRYPTION
        if needs_encryption and link.key_size < self.min_key_size:
            return LeCreditBasedConnectionResult.ENCRYPTION_KEY_SIZE_TOO_SHORT
        return None


@dataclass(frozen=True)
class ConnectionRequestInfo:
    """What an acceptor learns about an incoming channel request.

    ``connection_handle`` names the ACL link the request came on (None when the manager was
    made without one). ``local_cids[i]`` is the CID this host allocates to ``peer_cids[i]``
    if the request is accepted (Vol 3 Part A, 4.23: the Destination CID of the response);
    empty when no CID is free (the request is then refused with No Resources Available).
    """

    spsm: int
    peer_mtu: int
    peer_mps: int
    peer_cids: tuple[int, ...]
    enhanced: bool
    connection_handle: int | None = None
    local_cids: tuple[int, ...] = ()


Acceptor = Callable[[ConnectionRequestInfo], LeCreditBasedConnectionResult | None]
"""Returns None to accept, or the refusal result (e.g. INSUFFICIENT_AUTHORIZATION)."""


@dataclass(frozen=True)
class CocServer:
    """A registered SPSM and the parameters its channels receive with."""

    spsm: int
    mtu: int = 512
    mps: int = 247
    initial_credits: int = 8
    security: SecurityRequirement = field(default_factory=SecurityRequirement)
    acceptor: Acceptor | None = None
    auto_credits: bool = True
    """Return credits automatically as K-frames arrive; False leaves it to give_credits()."""

    def __post_init__(self) -> None:
        if not is_valid_le_spsm(self.spsm):
            raise ValueError(f"SPSM 0x{self.spsm:04X} is outside the LE range 0x0001-0x00FF")
        if self.mtu < LE_MIN_MTU or not LE_MIN_MPS <= self.mps <= LE_MAX_MPS:
            raise ValueError(
                f"MTU {self.mtu} / MPS {self.mps}: need MTU >= {LE_MIN_MTU} and "
                f"{LE_MIN_MPS} <= MPS <= {LE_MAX_MPS}"
            )
        if not 0 <= self.initial_credits <= 65535:
            raise ValueError(f"initial credits {self.initial_credits} outside 0-65535")

    def decide(
        self, link: LinkSecurity, info: ConnectionRequestInfo
    ) -> LeCreditBasedConnectionResult | None:
        """Security first, then authorization and the application's acceptor."""
        refusal = self.security.check(link)
        if refusal is not None:
            return refusal
        if self.acceptor is not None:
            decision = self.acceptor(info)
            if decision == LeCreditBasedConnectionResult.CONNECTION_SUCCESSFUL:
                return None
            return decision
        if self.security.authorization:
            return LeCreditBasedConnectionResult.INSUFFICIENT_AUTHORIZATION
        return None


class SpsmRegistry:
    """The SPSMs this host listens on."""

    def __init__(self) -> None:
        self._servers: dict[int, CocServer] = {}

    def register(self, server: CocServer) -> None:
        """Listen on `server.spsm`; registering twice replaces the first server."""
        self._servers[server.spsm] = server

    def unregister(self, spsm: int) -> None:
        self._servers.pop(spsm, None)

    def get(self, spsm: int) -> CocServer | None:
        """The server for `spsm`, or None when it is invalid or not registered."""
        if not is_valid_le_spsm(spsm):
            return None
        return self._servers.get(spsm)
