"""Encryption of a link: with a bonded peer's stored key, the LTK request, Encryption Change.

Central: LE Enable Encryption with the stored LTK, EDIV and Rand (Vol 4 Part E, 7.8.24), at once
on connecting to a bonded peer if configured. Peripheral: the LTK request answered from the
session while pairing, else from the bond (Vol 4 Part E, 7.7.65.5, 7.8.25-7.8.26). HCI Encryption
Change (v1/v2) and Encryption Key Refresh Complete (Vol 4 Part E, 7.7.8, 7.7.39) set the link's
:class:`LinkSecurity`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aioble_hci.hci import commands as cmd
from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import StatusCode
from aioble_hci.host.connection import Connection, Role
from aioble_hci.host.errors import HciError
from aioble_hci.host.smp.errors import EncryptionError, NoBondError
from aioble_hci.host.smp.link import SmpLink
from aioble_hci.host.smp.links import SmpLinks
from aioble_hci.host.smp.state import KeyInfo, PairingResult
from aioble_hci.security import LinkSecurity
from aioble_hci.smp.bonds import Bond
from aioble_hci.smp.events import StartEncryption

log = logging.getLogger(__name__)


def _stored_key_info(bond: Bond) -> KeyInfo:
    """What encrypting with a bond's stored LTK gives the link."""
    return KeyInfo(bond.authenticated, True, bond.key_size, bond.sc)


class SmpEncryption(SmpLinks):
    """Encryption with stored keys in both roles, and the link security that HCI reports."""

    # -- application API -----------------------------------------------------------------------
    async def encrypt(self, conn: Connection, timeout: float | None = None) -> LinkSecurity:
        """Central: start encryption with the stored LTK of this bonded peer (no new pairing)."""
        link = self._link(conn)
        if conn.role is not Role.CENTRAL:
            raise ValueError("only the central starts encryption; a peripheral calls pair() (Security Request)")
        if link.encrypting is not None and not link.encrypting.done():
            return await asyncio.wait_for(asyncio.shield(link.encrypting), timeout)
        bond = link.bond
        key = bond.central_key() if bond is not None else None
        if bond is None or key is None:
            raise NoBondError(f"no stored key for {link.identity or conn.peer_address}: pair first")
        ltk, ediv, rand = key
        future: asyncio.Future[LinkSecurity] = asyncio.get_running_loop().create_future()
        link.encrypting = future
        link.pending_key = _stored_key_info(bond)
        try:
            await self.host.send_command(cmd.LeEnableEncryption(
                connection_handle=conn.handle, random_number=rand, encrypted_diversifier=ediv, long_term_key=ltk))
        except HciError as error:
            link.pending_key = None
            if not future.done():
                future.set_exception(EncryptionError(getattr(error, "status", StatusCode.UNSPECIFIED_ERROR), str(error)))
        return await asyncio.wait_for(asyncio.shield(future), timeout)

    # -- central: starting encryption ----------------------------------------------------------
    async def _start_pairing_encryption(self, link: SmpLink, start: StartEncryption) -> None:
        try:
            await self.host.send_command(cmd.LeEnableEncryption(
                connection_handle=link.conn.handle, random_number=start.rand,
                encrypted_diversifier=start.ediv, long_term_key=start.ltk))
        except HciError as error:
            log.warning("LE Enable Encryption on %r failed: %s", link.conn, error)
            link.pending_key = None
            if link.session is not None:
                link.session.encryption_changed(False, self._now())
                self._pump(link)

    def _on_connected(self, event: Any) -> None:
        if event.status != StatusCode.SUCCESS:
            return
        conn = self.host.connections.get(event.connection_handle)
        if conn is None:
            return
        link = self._link(conn)
        bond = link.bond
        if (self.config.auto_encrypt and conn.role is Role.CENTRAL and bond is not None
                and bond.central_key() is not None):
            self._spawn(link, self._auto_encrypt(link))

    async def _auto_encrypt(self, link: SmpLink) -> None:
        """Central: encrypt a bonded peer at once; on a lost bond, re-pair only if configured (P9)."""
        try:
            await self.encrypt(link.conn)
        except EncryptionError as error:
            if error.status != StatusCode.PIN_OR_KEY_MISSING:
                raise
            if not self.config.repair_on_lost_bond:
                log.warning("%r: the peer has lost our bond (%s); the link stays unencrypted", link.conn, error)
                return
            log.warning("%r: the peer has lost our bond: pairing again", link.conn)
            await self.pair(link.conn)

    # -- peripheral: the LTK request -----------------------------------------------------------
    def _on_ltk_request(self, event: ev.LeLongTermKeyRequest) -> None:
        """Peripheral: the key for the central's LE Enable Encryption (Vol 4 Part E, 7.7.65.5)."""
        conn = self.host.connections.get(event.connection_handle)
        if conn is None:
            return
        link = self._link(conn)
        session = link.session
        if session is not None and session.in_progress:
            session.long_term_key_request(event.encrypted_diversifier, event.random_number, self._now())
            self._pump(link)
            return
        bond = link.bond
        key = bond.peripheral_key(event.encrypted_diversifier, event.random_number) if bond is not None else None
        if bond is not None and key is not None:
            link.pending_key = _stored_key_info(bond)
        else:
            link.pending_key = None
            log.info("LTK request on %r with no matching bond: negative reply", conn)
            if link.pairing is not None and not link.pairing.done():
                self._spawn(link, self._expect_pairing_after_missing_key(link))
        self._spawn(link, self._reply_ltk(conn, key))

    async def _reply_ltk(self, conn: Connection, ltk: bytes | None) -> None:
        if ltk is None:
            await self.host.send_command(cmd.LeLongTermKeyRequestNegativeReply(connection_handle=conn.handle))
        else:
            await self.host.send_command(cmd.LeLongTermKeyRequestReply(connection_handle=conn.handle,
                                                                       long_term_key=ltk))

    async def _expect_pairing_after_missing_key(self, link: SmpLink) -> None:
        """Peripheral: our Security Request was answered with a key we no longer have.

        The central's encryption fails with PIN or Key Missing; it may pair again (Vol 3 Part H
        2.4.6), which settles our pair() through the pairing. If no pairing has started within
        the SMP timeout, pair() fails rather than wait forever.
        """
        await asyncio.sleep(self._base_security().timeout)
        pairing_started = link.session is not None and link.session.in_progress
        if link.pairing is not None and not link.pairing.done() and not pairing_started:
            self._finish_pairing(link, None, EncryptionError(StatusCode.PIN_OR_KEY_MISSING,
                                 "the central encrypted with a key we do not have and did not pair again"))

    # -- Encryption Change and Key Refresh -----------------------------------------------------
    def _on_encryption_change(self, event: ev.EncryptionChange) -> None:
        key_size = event.encryption_key_size if isinstance(event, ev.EncryptionChangeV2) else None
        self._encryption_result(event.connection_handle, int(event.status), bool(event.encryption_enabled), key_size)

    def _on_key_refresh(self, event: ev.EncryptionKeyRefreshComplete) -> None:
        self._encryption_result(event.connection_handle, int(event.status), True, None)

    def _encryption_result(self, handle: int, status: int, enabled: bool, key_size: int | None) -> None:
        conn = self.host.connections.get(handle)
        if conn is None:
            return
        link = self._link(conn)
        ok = status == StatusCode.SUCCESS and enabled
        key, link.pending_key = link.pending_key, None
        pairing = link.session is not None and link.session.in_progress
        if ok:
            info = key or KeyInfo()
            link.security = LinkSecurity(encrypted=True, authenticated=info.authenticated, bonded=info.bonded,
                                         key_size=key_size if key_size else info.key_size, sc=info.sc)
        elif status == StatusCode.SUCCESS:
            link.security = LinkSecurity()
        else:
            log.info("encryption on %r failed: %s", conn, StatusCode(status).name)
        if link.session is not None:
            link.session.encryption_changed(ok, self._now())
            self._pump(link)
        self._notify_security(link)
        future, link.encrypting = link.encrypting, None
        if future is not None and not future.done():
            if ok:
                future.set_result(link.security)
            else:
                future.set_exception(EncryptionError(status))
                future.exception()  # retrieved: the caller may have stopped waiting (cancelled)
        if ok and not pairing and link.pairing is not None and not link.pairing.done():
            # A peripheral's Security Request answered with a stored key: no new pairing needed.
            self._finish_pairing(link, PairingResult(None, link.security), None)
