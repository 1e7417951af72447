"""Pairing in both roles (Core Vol 3 Part H, 2.3 and 3.5-3.6) through the Host.

The central sends the Pairing Request, the peripheral a Security Request (Vol 3 Part H, 2.4.6);
the link's session runs the phases. Its events are acted on here: starting encryption with the STK
or LTK, answering the LTK request, asking the application (passkey entry, numeric comparison) and,
at the end, storing the bond and settling ``pair()`` and the :meth:`Smp.on_pairing_finished`
subscribers.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from aioble_hci.host.connection import Connection, Role
from aioble_hci.host.smp.errors import (
    BondDowngradeError,
    BondOverwriteError,
    PairingFailedError,
    SmpError,
)
from aioble_hci.host.smp.link import IDENTITY_KEY, SmpLink, on_air_peer_address
from aioble_hci.host.smp.links import SmpLinks
from aioble_hci.host.smp.state import KeyInfo, PairingResult
from aioble_hci.security import LinkSecurity
from aioble_hci.smp.bonds import Bond
from aioble_hci.smp.events import (
    NumericComparison,
    PairingAborted,
    PairingComplete,
    PasskeyDisplay,
    PasskeyRequest,
    PeerKeypress,
    ReplyLtk,
    SecurityRequested,
    SmpEvent,
    StartEncryption,
)
from aioble_hci.smp.pdus import AuthReq, IoCapability
from aioble_hci.smp.secure_connections import LocalOob, OobData

log = logging.getLogger(__name__)


class SmpPairing(SmpLinks):
    """Pairing: ``pair()``, OOB data, the session's events and the end of a pairing."""

    # -- application API -----------------------------------------------------------------------
    async def pair(
        self,
        conn: Connection,
        *,
        bond: bool | None = None,
        mitm: bool | None = None,
        mitm_requested: bool | None = None,
        sc: bool | None = None,
        io: IoCapability | int | None = None,
        sc_only: bool | None = None,
        min_key_size: int | None = None,
        oob: OobData | None = None,
        timeout: float | None = None,
    ) -> PairingResult:
        """Pair (central: Pairing Request; peripheral: Security Request) and wait for the result.

        Options left None keep the configured policy. ``mitm`` requires an authenticated method;
        ``mitm_requested`` only sets the MITM flag (Just Works still accepted). Raises :class:`PairingFailedError`,
        :class:`LinkLostError` or :class:`EncryptionError`.
        """
        link = self._link(conn)
        if link.pairing is not None and not link.pairing.done():
            return await asyncio.wait_for(asyncio.shield(link.pairing), timeout)
        session = self._session(link)
        changes: dict[str, Any] = {}
        for name, value in (("bonding", bond), ("mitm", mitm), ("mitm_requested", mitm_requested),
                            ("secure_connections", sc), ("sc_only", sc_only),
                            ("min_key_size", min_key_size)):
            if value is not None:
                changes[name] = value
        if io is not None:
            changes["io_capability"] = IoCapability(io)
        if sc is False:
            changes["sc_only"] = False
        if not session.in_progress:
            session.config = self._bond_floor(link, replace(self._base_security(), **changes))
            if oob is not None:
                session.peer_oob = oob
            if self.local_oob is not None:
                session.local_oob = self.local_oob
        future: asyncio.Future[PairingResult] = asyncio.get_running_loop().create_future()
        link.pairing = future
        now = self._now()
        if conn.role is Role.CENTRAL:
            session.pair(now)
        else:
            session.request_security(now)
        self._pump(link)
        return await asyncio.wait_for(asyncio.shield(future), timeout)

    def generate_oob(self) -> LocalOob:
        """Fresh LE SC OOB data (r, C) to hand to the peer; used by the next pairings."""
        self.local_oob = LocalOob.generate(self.config.key_pair, self.config.random)
        return self.local_oob

    def set_oob(self, conn: Connection, *, local: LocalOob | None = None, peer: OobData | None = None) -> None:
        """OOB data for the next pairing on this connection (before the Pairing Request arrives)."""
        session = self._session(self._link(conn))
        if local is not None:
            session.local_oob = local
        if peer is not None:
            session.peer_oob = peer

    # -- session events ------------------------------------------------------------------------
    def _handle(self, link: SmpLink, event: SmpEvent) -> None:
        conn = link.conn
        if isinstance(event, StartEncryption):
            link.pending_key = KeyInfo()
            self._spawn(link, self._start_pairing_encryption(link, event))
        elif isinstance(event, ReplyLtk):
            link.pending_key = KeyInfo() if event.ltk is not None else None
            self._spawn(link, self._reply_ltk(conn, event.ltk))
        elif isinstance(event, PasskeyDisplay):
            self._spawn(link, self.prompts.display_passkey(conn, event.passkey))
        elif isinstance(event, PasskeyRequest):
            self._spawn(link, self._ask_passkey(link))
        elif isinstance(event, NumericComparison):
            self._spawn(link, self._ask_comparison(link, event.value))
        elif isinstance(event, SecurityRequested):
            self._spawn(link, self._answer_security_request(link, event.auth_req))
        elif isinstance(event, PeerKeypress):
            log.debug("peer keypress on %r: %s", conn, event.notification_type)
        elif isinstance(event, PairingComplete):
            self._on_pairing_complete(link, event)
        elif isinstance(event, PairingAborted):
            error = PairingFailedError(event.reason, remote=event.remote, timed_out=event.timed_out)
            log.info("%r: %s", conn, error)
            self._finish_pairing(link, None, error)

    async def _ask_passkey(self, link: SmpLink) -> None:
        passkey = await self.prompts.enter_passkey(link.conn)
        if link.session is not None and self._links.get(link.conn.handle) is link:
            link.session.passkey_reply(passkey, self._now())
            self._pump(link)

    async def _ask_comparison(self, link: SmpLink, value: int) -> None:
        accept = await self.prompts.confirm_numeric_comparison(link.conn, value)
        if link.session is not None and self._links.get(link.conn.handle) is link:
            link.session.numeric_comparison_reply(bool(accept), self._now())
            self._pump(link)

    async def _answer_security_request(self, link: SmpLink, auth_req: AuthReq) -> None:
        """Central: encrypt with a bond good enough for what the peripheral asks, else pair (Vol 3 Part H, 2.4.6)."""
        if link.encrypting is not None and not link.encrypting.done():
            return
        wanted = 2
        if AuthReq.MITM in auth_req:
            wanted = 4 if AuthReq.SC in auth_req and self.config.security.secure_connections else 3
        bond = link.bond
        if bond is not None and bond.satisfies(wanted, self.config.security.min_key_size):
            await self.encrypt(link.conn)
        elif self.config.accept_security_request:
            await self.pair(link.conn)
        else:
            log.info("Security Request from %r ignored by policy", link.conn)

    # -- end of a pairing ----------------------------------------------------------------------
    def _on_pairing_complete(self, link: SmpLink, complete: PairingComplete) -> None:
        conn = link.conn
        link.security = LinkSecurity(
            encrypted=link.security.encrypted, authenticated=complete.authenticated,
            bonded=complete.bonded, key_size=complete.key_size, sc=complete.sc)
        if complete.bonded:
            bond = Bond.from_pairing(link.identity or on_air_peer_address(conn), complete)
            existing = self.bonds.get(bond.peer)
            refusal: SmpError | None = None
            if existing is not None and not self.config.allow_security_downgrade and _weaker(bond, existing):
                # The identity was only learnt from the keys just distributed (the peer was not
                # recognised at connection time), so phase 1 could not refuse the downgrade.
                refusal = BondDowngradeError(
                    f"pairing distributed identity {bond.peer}, whose bond has stronger keys (level "
                    f"{existing.security_level}, {existing.key_size} octets): keys not stored "
                    "(allow_security_downgrade=True, or delete the bond, to pair again)")
            elif existing is not None and not self.config.allow_bond_overwrite:
                refusal = BondOverwriteError(f"pairing distributed identity {bond.peer}, which already has a bond: "
                                             "keys not stored (delete the bond to pair again)")
            if refusal is not None:
                link.security = replace(link.security, bonded=False)
                self._notify_security(link)
                log.error("%r: %s", conn, refusal)
                self._finish_pairing(link, None, refusal)
                return
            self.bonds.put(bond)
            link.bond = bond
            link.identity = bond.peer
            conn.data[IDENTITY_KEY] = bond.peer
            if self.config.resolving_list and bond.peer_irk is not None:
                self._spawn(link, self.resolving_list.add(bond))
            log.info("bonded with %s (level %d)", bond.peer, bond.security_level)
        self._notify_security(link)
        self._finish_pairing(link, PairingResult(complete.method, link.security), None)

    def _finish_pairing(self, link: SmpLink, result: PairingResult | None, error: SmpError | None) -> None:
        future, link.pairing = link.pairing, None
        if future is not None and not future.done():
            if error is not None:
                future.set_exception(error)
                future.exception()  # retrieved: the caller may have stopped waiting (cancelled)
            else:
                future.set_result(result)  # type: ignore[arg-type]
        if result is not None and result.method is None:
            return  # encryption with a stored key: not a pairing
        self._notify_pairing(link.conn, result, error)


def _weaker(new: Bond, old: Bond) -> bool:
    """Whether ``new`` keys give less than ``old`` ones: a lower security level or a shorter key."""
    return new.security_level < old.security_level or new.key_size < old.key_size
