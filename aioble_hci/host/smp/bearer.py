"""The SMP bearer: glues the sans-I/O :class:`~aioble_hci.smp.session.SmpSession` to a Host.

One ``Smp`` per Host (:func:`attach_smp`), one :class:`SmpLink` per connection. SMP PDUs arrive on
the fixed channel 0x0006 (Core Vol 3 Part A, 2.1); the session's PDUs are sent first, then its
events are handled (HCI LE Enable Encryption, LTK Request replies, prompts, bonds). HCI Encryption
Change (v1/v2) and Encryption Key Refresh Complete update each link's :class:`SecurityState`,
reported to :meth:`Smp.on_security_changed` subscribers (GATT permissions, L2CAP link security,
MicroPython's ``_IRQ_ENCRYPTION_UPDATE``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any

from aioble_hci.address import Address, AddressType
from aioble_hci.hci import commands as cmd
from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import StatusCode
from aioble_hci.host.connection import Connection, Role
from aioble_hci.host.errors import ControllerLostError, HciError
from aioble_hci.host.host import Host
from aioble_hci.host.smp.config import SmpHostConfig
from aioble_hci.host.smp.errors import (
    BondOverwriteError,
    EncryptionError,
    LinkLostError,
    NoBondError,
    PairingFailedError,
    SmpError,
)
from aioble_hci.host.smp.identity import load_or_create_irk
from aioble_hci.host.smp.link import SmpLink, on_air_peer_address
from aioble_hci.host.smp.privacy import ResolvingList
from aioble_hci.host.smp.prompts import HeadlessPrompts, Prompts
from aioble_hci.host.smp.state import KeyInfo, PairingResult, SecurityState
from aioble_hci.smp.attempts import RepeatedAttempts
from aioble_hci.smp.bonds import Bond, BondStore
from aioble_hci.smp.config import LocalIdentity, SecurityConfig
from aioble_hci.smp.events import (
    NumericComparison,
    PairingComplete,
    PairingFailed,
    PasskeyDisplay,
    PasskeyRequest,
    PeerKeypress,
    ReplyLtk,
    SecurityRequested,
    SmpEvent,
    SmpOutput,
    StartEncryption,
)
from aioble_hci.smp.pdus import AuthReq, IoCapability
from aioble_hci.smp.secure_connections import LocalOob, OobData
from aioble_hci.smp.session import SmpSession

log = logging.getLogger(__name__)

SMP_CID = 0x0006
IDENTITY_KEY = "identity_address"
"""``Connection.data`` key: the peer's identity address (resolved from its RPA when bonded)."""
LOCAL_ADDRESS_KEY = "local_address"
"""``Connection.data`` key the GAP bearer sets: the address we used on air for this connection."""
SECURITY_KEY = "security"
"""``Connection.data`` key: the link's current :class:`SecurityState`."""

SecurityCallback = Callable[[Connection, SecurityState], None]
PairingCallback = Callable[[Connection, "PairingResult | None", "SmpError | None"], None]


class Smp:
    """Pairing, bonding, encryption and privacy for every connection of one Host."""

    def __init__(self, host: Host, config: SmpHostConfig | None = None, prompts: Prompts | None = None) -> None:
        self.host = host
        self.config = config or SmpHostConfig()
        self.prompts: Prompts = prompts or HeadlessPrompts(self.config.passkey, self.config.accept_numeric_comparison)
        self.bonds = BondStore(self.config.resolved_bond_path())
        self.attempts = RepeatedAttempts(self.config.repeated_attempts_interval)
        self.local_irk: bytes = load_or_create_irk(self.config.resolved_irk_path())
        self.local_address: Address | None = None
        """Our address on air for new connections when neither GAP (``host.gap.address`` or
        ``conn.data["local_address"]``) nor the controller (Enhanced Connection Complete) says."""
        self.local_oob: LocalOob | None = None
        self.resolving_list = ResolvingList(host, lambda: self.local_irk)
        self._links: dict[int, SmpLink] = {}
        self._security_listeners: list[SecurityCallback] = []
        self._pairing_listeners: list[PairingCallback] = []
        self._unsubscribe: list[Callable[[], None]] = []
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- life cycle ------------------------------------------------------------------------------
    def attach(self) -> None:
        """Subscribe to the host's HCI events and the SMP fixed channel."""
        host = self.host
        host.register_fixed_channel(SMP_CID, self.receive_pdu)
        subscriptions: list[tuple[type, Callable[[Any], None]]] = [
            (ev.LeConnectionComplete, self._on_connected),
            (ev.LeEnhancedConnectionComplete, self._on_connected),
            (ev.DisconnectionComplete, self._on_disconnected),
            (ev.EncryptionChange, self._on_encryption_change),
            (ev.EncryptionKeyRefreshComplete, self._on_key_refresh),
            (ev.LeLongTermKeyRequest, self._on_ltk_request),
        ]
        for event_class, callback in subscriptions:
            self._unsubscribe.append(host.on_event(event_class, callback))
        self._unsubscribe.append(host.on_reinitialised(self._on_reinitialised))
        for conn in host.connections.values():
            self._link(conn)

    async def start(self) -> None:
        """Load bonded peers' IRKs into the controller's resolving list (where it has one)."""
        if self.config.resolving_list:
            await self.resolving_list.load(self.bonds.bonds())

    def detach(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        for task in list(self._tasks):
            task.cancel()
        for link in list(self._links.values()):
            self._drop(link, LinkLostError(None))

    def _on_reinitialised(self, reason: str) -> None:
        """The host reset and re-initialised the controller: load the resolving list again.

        HCI_Reset empties the controller's resolving list and turns address resolution off
        (Vol 4 Part E, 7.3.2); links were already ended by the host's synthetic Disconnection
        Complete events, so only controller state is re-applied here.
        """
        log.info("controller re-initialised (%s): re-loading the resolving list", reason)
        self.resolving_list.forget()
        task = asyncio.get_running_loop().create_task(self.start())
        self._tasks.add(task)
        task.add_done_callback(self._reload_done)

    def _reload_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("re-loading the resolving list after a controller reset failed: %s", task.exception())

    # -- subscriptions ---------------------------------------------------------------------------
    def on_security_changed(self, callback: SecurityCallback) -> Callable[[], None]:
        """``callback(conn, state)`` on the host loop whenever a link's security changes."""
        self._security_listeners.append(callback)
        return lambda: self._security_listeners.remove(callback) if callback in self._security_listeners else None

    def on_pairing_finished(self, callback: PairingCallback) -> Callable[[], None]:
        """``callback(conn, result, error)`` when a pairing in either role ends (not re-encryptions)."""
        self._pairing_listeners.append(callback)
        return lambda: self._pairing_listeners.remove(callback) if callback in self._pairing_listeners else None

    # -- queries ---------------------------------------------------------------------------------
    def security(self, conn: Connection) -> SecurityState:
        link = self._links.get(conn.handle)
        return link.security if link is not None else SecurityState()

    def pairing_in_progress(self, conn: Connection) -> bool:
        """Whether a pairing is running on this link (security updates before its end are interim)."""
        link = self._links.get(conn.handle)
        return link is not None and link.session is not None and link.session.in_progress

    def identity_address(self, conn: Connection) -> Address | None:
        link = self._links.get(conn.handle)
        return link.identity if link is not None else None

    def bond_for(self, conn: Connection) -> Bond | None:
        link = self._links.get(conn.handle)
        return link.bond if link is not None else None

    @property
    def local_identity(self) -> LocalIdentity | None:
        gap = getattr(self.host, "gap", None)
        address = (self.config.identity_address or getattr(gap, "identity_address", None)
                   or self.host.controller_info.address)
        return None if address is None else LocalIdentity(self.local_irk, address)

    # -- application API -------------------------------------------------------------------------
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
            session.config = replace(self._base_security(), **changes)
            if oob is not None:
                session.peer_oob = oob
            if self.local_oob is not None:
                session.local_oob = self.local_oob
        future: asyncio.Future[PairingResult] = asyncio.get_running_loop().create_future()
        link.pairing = future
        now = self._now()
        out = session.pair(now) if conn.role is Role.CENTRAL else session.request_security(now)
        self._apply(link, out)
        return await asyncio.wait_for(asyncio.shield(future), timeout)

    async def encrypt(self, conn: Connection, timeout: float | None = None) -> SecurityState:
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
        future: asyncio.Future[SecurityState] = asyncio.get_running_loop().create_future()
        link.encrypting = future
        link.pending_key = KeyInfo(bond.authenticated, True, bond.key_size, bond.sc)
        try:
            await self.host.send_command(cmd.LeEnableEncryption(
                connection_handle=conn.handle, random_number=rand, encrypted_diversifier=ediv, long_term_key=ltk))
        except HciError as error:
            link.pending_key = None
            if not future.done():
                future.set_exception(EncryptionError(getattr(error, "status", StatusCode.UNSPECIFIED_ERROR), str(error)))
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

    async def delete_bond(self, address: Address) -> bool:
        """Forget a bond (identity or resolvable address) and its resolving-list entry."""
        bond = self.bonds.resolve(address)
        if bond is None:
            return False
        self.bonds.delete(bond.peer)
        for link in self._links.values():
            if link.bond is not None and link.bond.peer == bond.peer:
                link.bond = None
        if self.config.resolving_list and bond.peer_irk is not None:
            await self.resolving_list.remove(bond.peer)
        return True

    # -- GATT server state of bonded peers (Vol 3 Part G, 3.3.3.3) -----------------------------------
    def stored_cccds(self, conn: Connection) -> dict[int, int] | None:
        """The CCCD values ({CCCD handle: value}) kept for this bonded peer, None if not bonded."""
        bond = self._link(conn).bond
        return dict(bond.cccd) if bond is not None else None

    def store_cccds(self, conn: Connection, values: dict[int, int]) -> None:
        """Keep a bonded peer's CCCD values in its bond (nothing is kept for unbonded peers)."""
        link = self._links.get(conn.handle)
        bond = link.bond if link is not None else None
        kept = {handle: value for handle, value in values.items() if value}
        if link is None or bond is None or dict(bond.cccd) == kept:
            return
        link.bond = replace(bond, cccd=kept)
        self.bonds.put(link.bond)

    # -- data signing (Vol 3 Part H, 2.4.5) --------------------------------------------------------
    def peer_signing_key(self, conn: Connection) -> tuple[bytes, int, bool] | None:
        """The bonded peer's CSRK, the last SignCounter accepted from it and whether the CSRK came
        from an authenticated pairing; None without a CSRK from this peer."""
        bond = self.bond_for(conn)
        if bond is None or bond.peer_csrk is None:
            return None
        return bond.peer_csrk, bond.peer_sign_counter, bond.authenticated

    def peer_signed(self, conn: Connection, sign_counter: int) -> None:
        """Store the SignCounter of a signed write accepted from the bonded peer."""
        link = self._links.get(conn.handle)
        bond = link.bond if link is not None else None
        if link is None or bond is None or sign_counter <= bond.peer_sign_counter:
            return
        link.bond = replace(bond, peer_sign_counter=sign_counter)
        self.bonds.put(link.bond)

    def next_signature(self, conn: Connection) -> tuple[bytes, int]:
        """Our CSRK for this bonded peer and the SignCounter to sign the next write with; the
        stored counter is advanced first, so a counter is never used twice."""
        link = self._link(conn)
        bond = link.bond
        if bond is None or bond.local_csrk is None:
            raise NoBondError(f"no CSRK distributed to {link.identity or conn.peer_address}: "
                              "pair with bonding and signing keys first")
        counter = bond.local_sign_counter
        link.bond = replace(bond, local_sign_counter=counter + 1)
        self.bonds.put(link.bond)
        return bond.local_csrk, counter

    # -- fixed channel ---------------------------------------------------------------------------
    def receive_pdu(self, conn: Connection, pdu: bytes) -> None:
        """One SMP PDU (without the L2CAP header) from the peer: the 0x0006 fixed-channel handler."""
        link = self._link(conn)
        self._apply(link, self._session(link).receive(pdu, self._now()))

    # -- links and sessions ----------------------------------------------------------------------
    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def _link(self, conn: Connection) -> SmpLink:
        """The SMP state of a connection, made on first use; a closed Connection gets none
        (LinkLostError): handles are reused, and a stale Connection must never replace the live
        link of the same handle."""
        link = self._links.get(conn.handle)
        if link is None or link.conn is not conn:
            if not conn.connected:
                raise LinkLostError(conn.disconnect_reason)
            gap_address = getattr(getattr(self.host, "gap", None), "address", None)
            link = SmpLink(conn, local_address=self.local_address or gap_address)
            self._links[conn.handle] = link
            self._identify(link)
        return link

    def _base_security(self) -> SecurityConfig:
        base = self.config.security
        if base.identity is None:
            base = replace(base, identity=self.local_identity)
        return base

    def _local_address(self, link: SmpLink) -> Address:
        conn = link.conn
        recorded = conn.data.get(LOCAL_ADDRESS_KEY)
        if isinstance(recorded, Address):
            return recorded
        if conn.local_resolvable_address is not None:
            return conn.local_resolvable_address
        if isinstance(link.local_address, Address):  # our address when the connection completed
            return link.local_address
        identity = self.local_identity
        if identity is None:
            raise SmpError("cannot tell our own address on this connection: set Smp.local_address")
        return identity.address

    def _session(self, link: SmpLink) -> SmpSession:
        if link.session is None:
            conn = link.conn
            link.session = SmpSession(
                central=conn.role is Role.CENTRAL,
                local_address=self._local_address(link),
                peer_address=on_air_peer_address(conn),
                config=self._base_security(),
                attempts=self.attempts,
                local_oob=self.local_oob,
                key_pair=self.config.key_pair,
                random=self.config.random,
            )
        return link.session

    def _identify(self, link: SmpLink) -> None:
        """Who the peer is: the controller's resolution (types 0x02/0x03) or our IRKs (Vol 3 Part C, 10.8.2.3)."""
        address = link.conn.peer_address
        plain = Address(address.value, AddressType(int(address.type) & 1))
        if address.type in (AddressType.PUBLIC_IDENTITY, AddressType.RANDOM_IDENTITY):
            link.bond = self.bonds.get(plain)
            link.identity = plain
        else:
            link.bond = self.bonds.resolve(plain)
            link.identity = link.bond.peer if link.bond is not None else (None if plain.is_resolvable else plain)
        link.conn.data[IDENTITY_KEY] = link.identity
        link.conn.data[SECURITY_KEY] = link.security
        if link.bond is not None:
            log.info("%r is bonded peer %s", link.conn, link.bond.peer)

    def _spawn(self, link: SmpLink, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        link.tasks.add(task)
        task.add_done_callback(lambda t: self._task_done(link, t))

    @staticmethod
    def _task_done(link: SmpLink, task: asyncio.Task[Any]) -> None:
        link.tasks.discard(task)
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        level = logging.DEBUG if isinstance(error, (ControllerLostError, SmpError)) else logging.WARNING
        log.log(level, "SMP task on %r failed: %s", link.conn, error)

    # -- session output --------------------------------------------------------------------------
    def _apply(self, link: SmpLink, out: SmpOutput) -> None:
        """Send the session's PDUs first, then act on its events; re-arm the SMP timer."""
        for pdu in out.pdus:
            try:
                self.host.send_l2cap(link.conn.handle, SMP_CID, pdu)
            except (ValueError, HciError) as error:
                log.debug("SMP PDU not sent on %r: %s", link.conn, error)
        for event in out.events:
            try:
                self._handle(link, event)
            except Exception:
                log.exception("handling %s on %r failed", type(event).__name__, link.conn)
        self._arm_timer(link)

    def _arm_timer(self, link: SmpLink) -> None:
        if link.timer is not None:
            link.timer.cancel()
            link.timer = None
        session = link.session
        if session is not None and session.deadline is not None and link.conn.connected:
            link.timer = asyncio.get_running_loop().call_at(session.deadline, self._poll, link)

    def _poll(self, link: SmpLink) -> None:
        link.timer = None
        if link.session is not None and self._links.get(link.conn.handle) is link:
            self._apply(link, link.session.poll(self._now()))

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
        elif isinstance(event, PairingFailed):
            error = PairingFailedError(event.reason, remote=event.remote, timed_out=event.timed_out)
            log.info("%r: %s", conn, error)
            self._finish_pairing(link, None, error)

    async def _start_pairing_encryption(self, link: SmpLink, start: StartEncryption) -> None:
        try:
            await self.host.send_command(cmd.LeEnableEncryption(
                connection_handle=link.conn.handle, random_number=start.rand,
                encrypted_diversifier=start.ediv, long_term_key=start.ltk))
        except HciError as error:
            log.warning("LE Enable Encryption on %r failed: %s", link.conn, error)
            link.pending_key = None
            if link.session is not None:
                self._apply(link, link.session.encryption_changed(False, self._now()))

    async def _reply_ltk(self, conn: Connection, ltk: bytes | None) -> None:
        if ltk is None:
            await self.host.send_command(cmd.LeLongTermKeyRequestNegativeReply(connection_handle=conn.handle))
        else:
            await self.host.send_command(cmd.LeLongTermKeyRequestReply(connection_handle=conn.handle,
                                                                       long_term_key=ltk))

    async def _ask_passkey(self, link: SmpLink) -> None:
        passkey = await self.prompts.enter_passkey(link.conn)
        if link.session is not None and self._links.get(link.conn.handle) is link:
            self._apply(link, link.session.passkey_reply(passkey, self._now()))

    async def _ask_comparison(self, link: SmpLink, value: int) -> None:
        accept = await self.prompts.confirm_numeric_comparison(link.conn, value)
        if link.session is not None and self._links.get(link.conn.handle) is link:
            self._apply(link, link.session.numeric_comparison_reply(bool(accept), self._now()))

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

    def _on_pairing_complete(self, link: SmpLink, complete: PairingComplete) -> None:
        conn = link.conn
        link.security = SecurityState(
            encrypted=link.security.encrypted, authenticated=complete.authenticated,
            bonded=complete.bonded, key_size=complete.key_size, sc=complete.sc)
        if complete.bonded:
            bond = Bond.from_pairing(link.identity or on_air_peer_address(conn), complete)
            if not self.config.allow_bond_overwrite and self.bonds.get(bond.peer) is not None:
                link.security = replace(link.security, bonded=False)
                self._notify_security(link)
                error = BondOverwriteError(f"pairing distributed identity {bond.peer}, which already has a bond: "
                                           "keys not stored (delete the bond to pair again)")
                log.error("%r: %s", conn, error)
                self._finish_pairing(link, None, error)
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
        for callback in list(self._pairing_listeners):
            try:
                callback(link.conn, result, error)
            except Exception:
                log.exception("pairing callback %r failed", callback)

    def _notify_security(self, link: SmpLink) -> None:
        link.conn.data[SECURITY_KEY] = link.security
        for callback in list(self._security_listeners):
            try:
                callback(link.conn, link.security)
            except Exception:
                log.exception("security callback %r failed", callback)

    # -- HCI events ------------------------------------------------------------------------------
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

    def _on_disconnected(self, event: ev.DisconnectionComplete) -> None:
        if event.status != StatusCode.SUCCESS:
            return
        link = self._links.get(event.connection_handle)
        if link is None:
            return
        if int(event.reason) == StatusCode.CONNECTION_TERMINATED_DUE_TO_MIC_FAILURE:
            log.warning("%r closed on a MIC failure: the peer's key differs from ours (bond %s)",
                        link.conn, "stale?" if link.bond is not None else "none")
        self._drop(link, LinkLostError(int(event.reason)))

    def _drop(self, link: SmpLink, error: SmpError) -> None:
        self._links.pop(link.conn.handle, None)
        if link.timer is not None:
            link.timer.cancel()
        for task in list(link.tasks):
            task.cancel()
        pairing_pending = link.pairing is not None and not link.pairing.done()
        for future in link.waiting():
            future.set_exception(error)
            future.exception()  # retrieved: nobody may be awaiting it any more
        if pairing_pending:
            link.pairing = None
            for callback in list(self._pairing_listeners):
                try:
                    callback(link.conn, None, error)
                except Exception:
                    log.exception("pairing callback %r failed", callback)

    def _on_ltk_request(self, event: ev.LeLongTermKeyRequest) -> None:
        """Peripheral: the key for the central's LE Enable Encryption (Vol 4 Part E, 7.7.65.5)."""
        conn = self.host.connections.get(event.connection_handle)
        if conn is None:
            return
        link = self._link(conn)
        session = link.session
        if session is not None and session.in_progress:
            self._apply(link, session.long_term_key_request(event.encrypted_diversifier, event.random_number,
                                                            self._now()))
            return
        bond = link.bond
        key = bond.peripheral_key(event.encrypted_diversifier, event.random_number) if bond is not None else None
        if bond is not None and key is not None:
            link.pending_key = KeyInfo(bond.authenticated, True, bond.key_size, bond.sc)
        else:
            link.pending_key = None
            log.info("LTK request on %r with no matching bond: negative reply", conn)
            if link.pairing is not None and not link.pairing.done():
                self._spawn(link, self._expect_pairing_after_missing_key(link))
        self._spawn(link, self._reply_ltk(conn, key))

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
            link.security = SecurityState(True, info.authenticated, info.bonded,
                                          key_size if key_size else info.key_size, info.sc)
        elif status == StatusCode.SUCCESS:
            link.security = SecurityState()
        else:
            log.info("encryption on %r failed: %s", conn, StatusCode(status).name)
        if link.session is not None:
            self._apply(link, link.session.encryption_changed(ok, self._now()))
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


def get_smp(host: Host) -> Smp | None:
    """The Smp bearer attached to this host, if any."""
    smp = getattr(host, "smp", None)
    return smp if isinstance(smp, Smp) else None


async def attach_smp(host: Host, config: SmpHostConfig | None = None, prompts: Prompts | None = None) -> Smp:
    """Create the host's Smp bearer (once; later calls return it) as ``host.smp``, subscribe it, feed
    its security changes to ``host.gatt`` if attached, and sync the controller's resolving list."""
    existing = get_smp(host)
    if existing is not None:
        return existing
    smp = Smp(host, config, prompts)
    smp.attach()
    setattr(host, "smp", smp)  # noqa: B010 - Host has no typed slot for bearers yet
    gatt = getattr(host, "gatt", None)
    if gatt is not None:  # attached before us: attach_gatt wires itself only to an existing host.smp
        from aioble_hci.host.gatt.layer import use_smp

        use_smp(gatt, smp)
    await smp.start()
    return smp
