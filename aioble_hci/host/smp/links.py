"""Per-link SMP state: each connection's :class:`SmpLink`, its session and what the session outputs.

A link is made on first use (:meth:`SmpLinks._link`) and dropped on Disconnection Complete. SMP
PDUs arrive on the fixed channel 0x0006 (Core Vol 3 Part A, 2.1) and go to the link's sans-I/O
:class:`~aioble_hci.smp.session.SmpSession`; its PDUs are sent first, then its events are handed to
the procedures (:mod:`.pairing`, :mod:`.encryption`) and the SMP timer (Vol 3 Part H, 3.4) is
re-armed. Security changes go to :meth:`Smp.on_security_changed` subscribers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from aioble_hci.address import Address
from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import StatusCode
from aioble_hci.host.connection import Connection, Role
from aioble_hci.host.errors import ControllerLostError, HciError
from aioble_hci.host.host import Host
from aioble_hci.host.smp.config import SmpHostConfig
from aioble_hci.host.smp.errors import LinkLostError, SmpError
from aioble_hci.host.smp.identity import load_or_create_irk
from aioble_hci.host.smp.link import LOCAL_ADDRESS_KEY, SECURITY_KEY, SmpLink, on_air_peer_address
from aioble_hci.host.smp.privacy import ResolvingList
from aioble_hci.host.smp.prompts import HeadlessPrompts, Prompts
from aioble_hci.host.smp.state import PairingResult, SecurityState
from aioble_hci.smp.attempts import RepeatedAttempts
from aioble_hci.smp.bonds import BondStore
from aioble_hci.smp.config import LocalIdentity, SecurityConfig
from aioble_hci.smp.events import SmpEvent, SmpOutput, StartEncryption
from aioble_hci.smp.secure_connections import LocalOob
from aioble_hci.smp.session import SmpSession

log = logging.getLogger(__name__)

SMP_CID = 0x0006

SecurityCallback = Callable[[Connection, SecurityState], None]
PairingCallback = Callable[[Connection, "PairingResult | None", "SmpError | None"], None]


class SmpLinks:
    """The state every SMP procedure shares: the Host, the policy, the bonds and one link per connection."""

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

    if TYPE_CHECKING:  # the procedures call each other through these; Smp puts them together
        def _identify(self, link: SmpLink) -> None: ...  # bonding.py
        def _handle(self, link: SmpLink, event: SmpEvent) -> None: ...  # pairing.py
        def _finish_pairing(self, link: SmpLink, result: PairingResult | None,
                            error: SmpError | None) -> None: ...  # pairing.py
        async def pair(self, conn: Connection) -> PairingResult: ...  # pairing.py
        async def encrypt(self, conn: Connection, timeout: float | None = None) -> SecurityState: ...
        async def _start_pairing_encryption(self, link: SmpLink, start: StartEncryption) -> None: ...
        async def _reply_ltk(self, conn: Connection, ltk: bytes | None) -> None: ...  # encryption.py

    # -- fixed channel -------------------------------------------------------------------------
    def receive_pdu(self, conn: Connection, pdu: bytes) -> None:
        """One SMP PDU (without the L2CAP header) from the peer: the 0x0006 fixed-channel handler."""
        link = self._link(conn)
        session = self._session(link)
        if not session.in_progress:  # the bond may have changed since the session was made
            session.config = self._bond_floor(link, session.config)
        self._apply(link, session.receive(pdu, self._now()))

    # -- queries -------------------------------------------------------------------------------
    def security(self, conn: Connection) -> SecurityState:
        link = self._links.get(conn.handle)
        return link.security if link is not None else SecurityState()

    def pairing_in_progress(self, conn: Connection) -> bool:
        """Whether a pairing is running on this link (security updates before its end are interim)."""
        link = self._links.get(conn.handle)
        return link is not None and link.session is not None and link.session.in_progress

    @property
    def local_identity(self) -> LocalIdentity | None:
        gap = self.host.gap
        address = (self.config.identity_address or (gap.identity_address if gap is not None else None)
                   or self.host.controller_info.address)
        return None if address is None else LocalIdentity(self.local_irk, address)

    # -- links and sessions --------------------------------------------------------------------
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
            gap_address = self.host.gap.address if self.host.gap is not None else None
            link = SmpLink(conn, local_address=self.local_address or gap_address)
            self._links[conn.handle] = link
            self._identify(link)
        return link

    def _base_security(self) -> SecurityConfig:
        base = self.config.security
        if base.identity is None:
            base = replace(base, identity=self.local_identity)
        return base

    def _bond_floor(self, link: SmpLink, config: SecurityConfig) -> SecurityConfig:
        """A pairing with a bonded peer must give keys at least as strong as its bond's, unless
        ``allow_security_downgrade``: authenticated (MITM), LE SC only and as long a key."""
        bond = link.bond
        if bond is None or self.config.allow_security_downgrade:
            return config
        changes: dict[str, Any] = {"mitm": config.mitm or bond.authenticated,
                                   "min_key_size": min(config.max_key_size, max(config.min_key_size, bond.key_size))}
        if bond.sc and bond.key_size == 16 and config.secure_connections and config.max_key_size == 16:
            changes["sc_only"] = True
            changes["min_key_size"] = 16
        return replace(config, **changes)

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
                config=self._bond_floor(link, self._base_security()),
                attempts=self.attempts,
                local_oob=self.local_oob,
                key_pair=self.config.key_pair,
                random=self.config.random,
                hold_keys_until_encrypted=self.host.transport.reorders_events_and_acl,
            )
        return link.session

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

    # -- session output ------------------------------------------------------------------------
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

    def _notify_pairing(self, conn: Connection, result: PairingResult | None, error: SmpError | None) -> None:
        for callback in list(self._pairing_listeners):
            try:
                callback(conn, result, error)
            except Exception:
                log.exception("pairing callback %r failed", callback)

    def _notify_security(self, link: SmpLink) -> None:
        link.conn.data[SECURITY_KEY] = link.security
        for callback in list(self._security_listeners):
            try:
                callback(link.conn, link.security)
            except Exception:
                log.exception("security callback %r failed", callback)

    # -- end of a link -------------------------------------------------------------------------
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
            self._notify_pairing(link.conn, None, error)
