"""`Gatt`: ATT/GATT for every connection of a Host, on top of the L2CAP bearer.

It creates an `AttBearer` when the Host reports a connection and closes it on disconnection,
feeds each bearer the ATT PDUs the L2CAP manager passes on (fixed channel 0x0004), and keeps the
link's security state per connection (from Encryption Change, refined by the SMP bearer with
`set_link_security`). ATT_MTU is 23 until an exchange; the preferred MTU defaults to 256
(NimBLE's). There is no automatic MTU exchange on connect.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aioble_hci.att.database import SecurityState
from aioble_hci.att.events import SignCounterUpdated
from aioble_hci.att.server import SigningKey
from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import StatusCode
from aioble_hci.host.connection import Connection
from aioble_hci.host.events import EventHub
from aioble_hci.host.gatt.bearer import AttBearer
from aioble_hci.host.gatt.client import GattClient
from aioble_hci.host.gatt.server import BondedClient, GattServer, _BearerClosed
from aioble_hci.host.host import Host
from aioble_hci.host.l2cap import L2capBearer
from aioble_hci.l2cap.pdus import FixedCid
from aioble_hci.l2cap.spsm import LinkSecurity

log = logging.getLogger(__name__)

DEFAULT_PREFERRED_MTU = 256


class Gatt:
    """GATT server and clients of one Host; construct on the host loop, then `attach()`.

    Events (`events.on(cls, callback)` / `await events.wait_for(cls)`): `Written`,
    `SubscriptionChanged`, `IndicationConfirmed`, `MtuChanged` (either side's exchange),
    `TransactionTimedOut`, `NotificationReceived`, `IndicationReceived`.
    """

    def __init__(self, host: Host, l2cap: L2capBearer, preferred_mtu: int = DEFAULT_PREFERRED_MTU) -> None:
        if not 23 <= preferred_mtu <= 517:
            raise ValueError(f"preferred MTU {preferred_mtu} outside 23-517")
        self.host = host
        self.l2cap = l2cap
        self.preferred_mtu = preferred_mtu
        self.events = EventHub()
        self._bearers: dict[int, AttBearer] = {}
        self._clients: dict[int, GattClient] = {}
        self.server = GattServer(self)
        self.signer: Callable[[Connection], tuple[bytes, int]] | None = None
        """Our CSRK and next SignCounter for a peer, for signed writes (set by `use_smp`)."""

    def attach(self) -> Gatt:
        self.l2cap.register_fixed_channel(FixedCid.ATT, self._on_pdu)
        self.host.on_event(ev.LeConnectionComplete, self._on_connected)
        self.host.on_event(ev.LeEnhancedConnectionComplete, self._on_connected)
        self.host.on_event(ev.DisconnectionComplete, self._on_disconnected)
        self.host.on_event(ev.EncryptionChange, self._on_encryption)
        for conn in list(self.host.connections.values()):
            self.bearer(conn)
        return self

    # -- per connection ------------------------------------------------------------------------

    def bearer(self, connection: Connection) -> AttBearer:
        """The ATT bearer of a connection (made on first use)."""
        bearer = self._bearers.get(connection.handle)
        if bearer is None or bearer.connection is not connection:
            if not connection.connected:
                raise ConnectionError(f"{connection!r} is not connected")
            bearer = AttBearer(
                connection,
                self.server.new_att_server(connection),
                self._send,
                self.events.emit,
                self.preferred_mtu,
            )
            # Vol 3 Part C 10.3.1: a peer we hold an LTK for is told to encrypt (0x0F), not to pair.
            bonded = self.server.peer_bonded(connection)
            bearer.security = SecurityState(encrypted=connection.encrypted, key_size=16 if connection.encrypted else 0,
                                            bonded=bonded)
            self._bearers[connection.handle] = bearer
            self._clients.pop(connection.handle, None)
        return bearer

    def bearers(self) -> list[AttBearer]:
        return [b for b in self._bearers.values() if not b.closed]

    def client(self, connection: Connection) -> GattClient:
        """The GATT client of a connection."""
        bearer = self.bearer(connection)
        client = self._clients.get(connection.handle)
        if client is None or client.connection is not connection:
            client = self._clients[connection.handle] = GattClient(bearer, lambda: self._sign(connection))
        return client

    def _sign(self, connection: Connection) -> tuple[bytes, int]:
        if self.signer is None:
            raise RuntimeError("signed writes need the SMP bearer (attach_smp) for the CSRK")
        return self.signer(connection)

    def mtu(self, connection: Connection) -> int:
        return self.bearer(connection).mtu

    def set_link_security(
        self,
        connection: Connection,
        *,
        encrypted: bool,
        authenticated: bool = False,
        key_size: int = 16,
        bonded: bool = False,
        authorized: bool = False,
    ) -> None:
        """The SMP bearer reports the link's security: ATT permissions and L2CAP SPSM checks use it."""
        size = key_size if encrypted else 0
        bonded = bonded or self.server.peer_bonded(connection)
        bearer = self.bearer(connection)
        bearer.security = SecurityState(encrypted, authenticated, size, authorized, bonded)
        self.l2cap.set_link_security(connection, LinkSecurity(encrypted, authenticated, size))
        self.server.kick(bearer)  # a bonded peer's owed Service Changed goes once encrypted

    # -- host callbacks ------------------------------------------------------------------------

    def _send(self, connection: Connection, pdu: bytes) -> None:
        if connection.connected:
            self.l2cap.send_fixed(connection, FixedCid.ATT, pdu)

    def _on_pdu(self, connection: Connection, pdu: bytes) -> None:
        self.bearer(connection).receive(pdu)

    def _on_connected(self, event: Any) -> None:
        conn = self.host.connections.get(event.connection_handle)
        if event.status == StatusCode.SUCCESS and conn is not None:
            self.bearer(conn)

    def _on_disconnected(self, event: Any) -> None:
        if event.status != StatusCode.SUCCESS:
            return
        bearer = self._bearers.pop(event.connection_handle, None)
        self._clients.pop(event.connection_handle, None)
        if bearer is not None:
            bearer.close()
            self.server.link_closed(bearer.connection)
            self.events.emit(_BearerClosed(bearer.connection))

    def _on_encryption(self, event: Any) -> None:
        bearer = self._bearers.get(event.connection_handle)
        if bearer is None or event.status != StatusCode.SUCCESS:
            return
        old = bearer.security
        if event.encryption_enabled:
            bearer.security = SecurityState(True, old.authenticated, old.key_size or 16, old.authorized, old.bonded)
            self.server.kick(bearer)
        else:
            bearer.security = SecurityState(bonded=old.bonded)


def use_smp(gatt: Gatt, smp: Any) -> None:
    """Feed the SMP bearer's security changes to ATT permissions and L2CAP SPSM checks, keep
    bonded peers' CCCDs in their bonds, and sign/verify signed writes with the bonds' CSRKs."""

    def changed(conn: Connection, state: Any) -> None:
        if conn.connected:
            gatt.set_link_security(
                conn,
                encrypted=state.encrypted,
                authenticated=state.authenticated,
                key_size=state.key_size or 16,
                bonded=state.bonded,
            )

    smp.on_security_changed(changed)

    def signing_key(conn: Connection) -> SigningKey | None:
        found = smp.peer_signing_key(conn)
        if found is None:
            return None
        csrk, last, authenticated = found
        return SigningKey(csrk, last, authenticated)

    def bonded(conn: Connection, result: Any, error: Any) -> None:
        """CCCDs the peer wrote before bonding are kept from the moment it bonds."""
        if result is not None and result.security.bonded and conn.connected:
            gatt.server.persist(conn)

    def load(conn: Connection) -> BondedClient | None:
        cccd = smp.stored_cccds(conn)  # None: no bond for the peer
        bond = smp.bond_for(conn)
        if cccd is None or bond is None:
            return None
        record = dict(getattr(bond, "gatt", None) or {})
        return BondedClient(cccd, _hex(record.get("database_hash")), _hex(record.get("client_features")) or b"")

    def save(conn: Connection, client: BondedClient) -> None:
        record = {"client_features": client.client_features.hex()}
        if client.database_hash is not None:
            record["database_hash"] = client.database_hash.hex()
        smp.store_cccds(conn, client.cccd, gatt=record)

    gatt.server.bond_loader = load
    gatt.server.bond_saver = save
    smp.on_pairing_finished(bonded)
    gatt.server.signing_key = signing_key
    gatt.signer = smp.next_signature
    gatt.events.on(SignCounterUpdated, lambda event: smp.peer_signed(event.connection, event.sign_counter))


def _hex(value: Any) -> bytes | None:
    """A hex string kept in a bond as bytes; None when absent or not hex (a damaged record)."""
    try:
        return bytes.fromhex(value) if isinstance(value, str) else None
    except ValueError:
        return None


def attach_gatt(host: Host, preferred_mtu: int = DEFAULT_PREFERRED_MTU) -> Gatt:
    """The Host's Gatt (with its L2CAP bearer), made on first call and kept as `host.gatt`;
    wired to the SMP bearer when `host.smp` exists."""
    from aioble_hci.host.l2cap import attach_l2cap

    if host.gatt is not None:
        return host.gatt
    gatt = Gatt(host, attach_l2cap(host), preferred_mtu).attach()
    if host.smp is not None:
        use_smp(gatt, host.smp)
    host.gatt = gatt
    return gatt
