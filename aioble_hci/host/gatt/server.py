"""The host's GATT server: one attribute database for every connection (Core Vol 3 Part G 3).

Applications register their services; the GAP service (0x1800) and GATT service (0x1801) come
first. Each connection gets its own `AttServer` (CCCDs, prepare queue, change-aware state).

GATT caching (Vol 3 Part G 2.5.2, 7.1): registering again changes the database in place for every
connection: subscriptions to characteristics that still exist survive, and each client that
enabled Service Changed indications gets one naming the affected handle range. A bonded peer's
CCCDs, Client Supported Features and the Database Hash of the database it knows are kept in its
bond (`bond_loader` / `bond_saver`, set by `use_smp`); on reconnection its CCCDs are restored
only when that hash is the current one, otherwise they are cleared (Service Changed's own
excepted) and Service Changed is indicated once the link is encrypted again.

Indications to one peer go one at a time (Vol 3 Part F 3.4.7.2): an update of an
indicate-subscribed value made while an indication is unconfirmed is sent, with the latest
value, after the confirmation (as NimBLE does).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aioble_hci.att.caching import changed_range
from aioble_hci.att.database import AttributeDatabase, SecurityState
from aioble_hci.att.errors import AttTimeoutError, BearerClosedError
from aioble_hci.att.events import (
    ChangeAware,
    IndicationConfirmed,
    SubscriptionChanged,
    TransactionTimedOut,
    Written,
)
from aioble_hci.att.gatt import (
    CCCD_INDICATE,
    CLIENT_SUPPORTED_FEATURES,
    SERVICE_CHANGED,
    Service,
    build_database,
    gap_service,
    gatt_service,
)
from aioble_hci.att.hash import database_hash
from aioble_hci.att.server import AttServer, SigningKey
from aioble_hci.host.connection import Connection
from aioble_hci.host.events import EventHub

if TYPE_CHECKING:
    from aioble_hci.host.gatt.bearer import AttBearer
    from aioble_hci.host.gatt.layer import Gatt

MULTIPLE_HANDLE_VALUE_NOTIFICATIONS = 0x04
"""Client Supported Features octet 0 bit 2: the client accepts Multiple Handle Value
Notifications (Vol 3 Part G 7.2)."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BondedClient:
    """What a bond keeps of a peer's state in our GATT server (Vol 3 Part G 2.5.2, 3.3.3.3, 7.2).

    `database_hash` is the Database Hash (wire order) of the database the peer was last
    change-aware of: its CCCD handles refer to that database.
    """

    cccd: dict[int, int] = field(default_factory=dict)
    database_hash: bytes | None = None
    client_features: bytes = b""


SigningKeyLoader = Callable[[Connection], "SigningKey | None"]
BondLoader = Callable[[Connection], "BondedClient | None"]
BondSaver = Callable[[Connection, BondedClient], None]


class GattServer:
    """The local attribute database and what peers do with it; use on the host loop."""

    def __init__(self, gatt: Gatt) -> None:
        self._gatt = gatt
        self.events: EventHub = gatt.events
        self.services: list[Service] = []
        self.database = AttributeDatabase()
        self.database_hash = b""
        self.bond_loader: BondLoader | None = None
        """Returns what the bond keeps of a peer (None: no bond, so no LTK, for the peer)."""
        self.bond_saver: BondSaver | None = None
        """Keeps a bonded peer's CCCDs, features and known Database Hash in its bond."""
        self.signing_key: SigningKeyLoader | None = None
        """Returns the peer's CSRK for verifying its signed writes (set by `use_smp`), or None."""
        self._owed_updates: dict[int, dict[int, None]] = {}  # conn handle -> value handles to indicate
        self._pumps: dict[int, asyncio.Task[None]] = {}
        self.register_services([])
        self.events.on(SubscriptionChanged, lambda event: self.persist(event.connection))
        self.events.on(ChangeAware, lambda event: self.persist(event.connection))
        self.events.on(Written, self._on_written)
        self.events.on(IndicationConfirmed, lambda event: self._kick_connection(event.connection))

    def register_services(
        self,
        services: list[Service],
        *,
        device_name: str | bytes = "aioble-hci",
        appearance: int = 0,
        gap: Service | None = None,
        gatt: Service | None = None,
    ) -> AttributeDatabase:
        """Build the database: GAP service, GATT service, then `services` (handles written back)."""
        head = [gap or gap_service(device_name, appearance), gatt or gatt_service(service_changed=True)]
        self.services = head + list(services)
        old, self.database = self.database, build_database(self.services)
        self.database_hash = database_hash(self.database)
        changed = changed_range(old, self.database)
        if changed is not None:
            log.info("database changed in 0x%04X-0x%04X", *changed)
        for bearer in self._gatt.bearers():
            bearer.server.set_database(self.database, changed)
            self.persist(bearer.connection)
            self.kick(bearer)
        return self.database

    def new_att_server(self, connection: Connection) -> AttServer:
        """The ATT server of a new connection; a bonded peer's state is restored from its bond
        when the database is the one it knows (Vol 3 Part G 2.5.2)."""
        stored = self.bond_loader(connection) if self.bond_loader is not None else None
        cccd: dict[int, int] = {}
        features = b""
        aware, owed = True, None
        if stored is not None:
            features = stored.client_features
            if stored.database_hash == self.database_hash:
                cccd = dict(stored.cccd)
            else:  # changed while the peer was away: only Service Changed's own CCCD still holds
                sc_cccd = self._service_changed_cccd()
                cccd = {h: v for h, v in stored.cccd.items() if h == sc_cccd}
                aware = False
                owed = (0x0001, 0xFFFF) if cccd.get(sc_cccd, 0) & CCCD_INDICATE else None
                log.info("%r: database changed since the bonded peer's last connection", connection)
        return AttServer(
            self.database, connection=connection, rx_mtu=self._gatt.preferred_mtu, cccd=cccd or None,
            signing_key=lambda: None if self.signing_key is None else self.signing_key(connection),
            client_features=features, change_aware=aware, service_change_owed=owed,
        )

    def peer_bonded(self, connection: Connection) -> bool:
        """Whether a bond (an LTK) exists for the peer: an unencrypted link then gets Insufficient
        Encryption rather than Insufficient Authentication (Vol 3 Part C 10.3.1)."""
        return self.bond_loader is not None and self.bond_loader(connection) is not None

    def persist(self, connection: Connection) -> None:
        """Keep a bonded peer's CCCDs and features, and the Database Hash once it is change-aware
        of the current database (nothing is kept for unbonded peers)."""
        if self.bond_saver is None or self.bond_loader is None or not connection.connected:
            return
        stored = self.bond_loader(connection)
        if stored is None:
            return
        server = self._gatt.bearer(connection).server
        settled = server.change_aware and server.service_change_owed is None
        self.bond_saver(connection, BondedClient(
            server.cccd_values(), self.database_hash if settled else stored.database_hash,
            server.client_features()))

    # -- local values --------------------------------------------------------------------------

    def read(self, handle: int) -> bytes:
        """The stored value of an attribute (append-mode buffers are cleared by reading)."""
        attr = self.database.get(handle)
        if attr is None:
            raise KeyError(f"no attribute with handle 0x{handle:04X}")
        return attr.value.take()

    def write(self, handle: int, value: bytes, send_update: bool = False) -> None:
        """Set a value locally; with `send_update`, subscribed peers get a notification or
        indication as their CCCD asks (never below the value's read security). An indication
        waits for the previous one's confirmation and then carries the latest value."""
        self.database.write_local(handle, bytes(value))
        if not send_update:
            return
        for bearer in self._gatt.bearers():
            try:
                sub = bearer.server.subscription(handle)
                if sub & 0x01:
                    if bearer.server.update(handle, value, bearer.now(), bearer.security):
                        bearer.flush()
                elif sub & CCCD_INDICATE:
                    self._owed_updates.setdefault(bearer.connection.handle, {})[handle] = None
                    self.kick(bearer)
            except Exception:  # one connection's failure never stops the others' updates
                log.exception("update of 0x%04x to %r failed", handle, bearer.connection)

    def subscription(self, connection: Connection, value_handle: int) -> int:
        """The connection's CCCD value for a characteristic (bit 0 notify, bit 1 indicate)."""
        return self._bearer(connection).server.subscription(value_handle)

    def cccd_values(self, connection: Connection) -> dict[int, int]:
        return self._bearer(connection).server.cccd_values()

    def set_security(self, connection: Connection, security: SecurityState) -> None:
        """The link's encryption/authentication/key size/bond state (fed by the SMP bearer)."""
        self._bearer(connection).security = security

    def security(self, connection: Connection) -> SecurityState:
        return self._bearer(connection).security

    # -- notifications and indications ---------------------------------------------------------

    def notify(self, connection: Connection, handle: int, value: bytes | None = None) -> None:
        """Send a Handle Value Notification (the stored value when `value` is None), whether or
        not the peer subscribed, as NimBLE's gatts_notify does."""
        bearer = self._bearer(connection)
        bearer.notify(handle, self._stored(handle) if value is None else bytes(value))

    def notify_multiple(self, connection: Connection, values: list[tuple[int, bytes | None]]) -> int:
        """Send one Multiple Handle Value Notification (Vol 3 Part F 3.4.7.4) holding as many whole
        (handle, value) pairs, in order, as fit in ATT_MTU (a None value: the stored one); returns
        how many were sent, so the caller sends the rest in another call.

        Only to a client that set bit 2 of its Client Supported Features (Vol 3 Part G 7.2);
        otherwise raises ValueError (send single notifications instead).
        """
        bearer = self._bearer(connection)
        features = bearer.server.client_features()
        if not (features and features[0] & MULTIPLE_HANDLE_VALUE_NOTIFICATIONS):
            raise ValueError("the client has not enabled Multiple Handle Value Notifications "
                             "(Client Supported Features bit 2): notify one value at a time")
        pairs = [(handle, self._stored(handle) if value is None else bytes(value)) for handle, value in values]
        sent = bearer.server.notify_multiple(pairs, bearer.now())
        bearer.flush()
        return sent

    async def indicate(self, connection: Connection, handle: int, value: bytes | None = None) -> None:
        """Send a Handle Value Indication and wait for its confirmation (Vol 3 Part F 3.4.7.2).

        Indications to one peer go one at a time. Raises AttTimeoutError after 30 s without
        confirmation and BearerClosedError when the link goes away first.
        """
        bearer = self._bearer(connection)
        data = self._stored(handle) if value is None else bytes(value)
        async with bearer.indication_lock:
            if bearer.closed:
                raise BearerClosedError("the connection is closed")
            bearer.server.indicate(handle, data, bearer.now())
            event = await self._confirmation(bearer)
            if isinstance(event, TransactionTimedOut):
                raise AttTimeoutError("no Handle Value Confirmation within 30 s")
            if isinstance(event, _BearerClosed):
                raise BearerClosedError("the connection closed before the confirmation")

    async def _confirmation(self, bearer: AttBearer) -> Any:
        """Send the indication the core queued and wait for what ends it: confirmation, timeout
        or disconnection."""
        connection = bearer.connection
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def settle(event: Any) -> None:
            if event.connection is connection and not done.done():
                done.set_result(event)

        unsubscribe = [
            self.events.on(IndicationConfirmed, settle),
            self.events.on(TransactionTimedOut, settle),
            self.events.on(_BearerClosed, settle),
        ]
        try:
            bearer.flush()
            return await done
        finally:
            for off in unsubscribe:
                off()

    # -- indications the server owes: Service Changed, updates of indicated values -------------

    def kick(self, bearer: AttBearer) -> None:
        """Send what this peer is owed (Service Changed first), one indication at a time."""
        handle = bearer.connection.handle
        if bearer.closed or handle in self._pumps or not self._owes(bearer):
            return
        task = asyncio.get_running_loop().create_task(self._pump(bearer))
        self._pumps[handle] = task
        task.add_done_callback(lambda _t: self._pump_done(bearer, task))

    def _pump_done(self, bearer: AttBearer, task: asyncio.Task[None]) -> None:
        if self._pumps.get(bearer.connection.handle) is task:
            del self._pumps[bearer.connection.handle]
        if not task.cancelled() and task.exception() is not None:
            log.warning("indications to %r failed: %s", bearer.connection, task.exception())
        elif not bearer.closed:
            self.kick(bearer)  # owed again since the last look

    def _service_change_due(self, bearer: AttBearer) -> bool:
        """Service Changed goes to a bonded peer once the link is encrypted again (Vol 3 Part G
        2.5.2: the CCCD it restored belongs to the bond), to any other client at once."""
        security = bearer.security
        return bearer.server.service_change_owed is not None and (security.encrypted or not security.bonded)

    def _owes(self, bearer: AttBearer) -> bool:
        """Something is owed and can go: an indication sent outside the queue (none today) is
        unconfirmed, its confirmation kicks the queue again."""
        if bearer.server.closed or bearer.server.indication_pending:
            return False
        return self._service_change_due(bearer) or bool(self._owed_updates.get(bearer.connection.handle))

    def _kick_connection(self, connection: Connection) -> None:
        if connection.connected:
            self.kick(self._gatt.bearer(connection))

    async def _pump(self, bearer: AttBearer) -> None:
        while not bearer.closed:
            async with bearer.indication_lock:
                if bearer.closed:
                    return
                if not self._next_indication(bearer):
                    return
                await self._confirmation(bearer)

    def _next_indication(self, bearer: AttBearer) -> bool:
        """Queue the next owed indication in the bearer's core; False if nothing is owed."""
        server = bearer.server
        if self._service_change_due(bearer):
            if server.send_owed_service_changed(bearer.now()):
                return True
            server.service_change_owed = None  # no longer subscribed: nothing to indicate
        owed = self._owed_updates.get(bearer.connection.handle)
        while owed:
            handle = next(iter(owed))
            del owed[handle]
            attr = self.database.get(handle)
            if attr is None or not server.subscription(handle) & CCCD_INDICATE:
                continue
            if server.update(handle, attr.value.data, bearer.now(), bearer.security):
                return True
        return False

    # -- internals -----------------------------------------------------------------------------

    def _stored(self, handle: int) -> bytes:
        attr = self.database.get(handle)
        if attr is None:
            raise KeyError(f"no attribute with handle 0x{handle:04X}")
        return attr.value.data

    def _bearer(self, connection: Connection) -> AttBearer:
        return self._gatt.bearer(connection)

    def _service_changed_cccd(self) -> int:
        for attr in self.database:
            if attr.is_cccd:
                value = self.database.get(attr.characteristic_value_handle)
                if value is not None and value.type == SERVICE_CHANGED:
                    return attr.handle
        return 0

    def _on_written(self, event: Written) -> None:
        attr = self.database.get(event.handle)
        if attr is not None and attr.type == CLIENT_SUPPORTED_FEATURES:
            self.persist(event.connection)

    def link_closed(self, connection: Connection) -> None:
        """The connection is gone: forget the updates it was owed."""
        self._owed_updates.pop(connection.handle, None)


class _BearerClosed:
    """Internal event: a connection's bearer closed (ends waits for confirmations)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

