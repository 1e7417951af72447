"""The host's GATT server: one attribute database for every connection (Core Vol 3 Part G 3).

Applications register their services; the GAP service (0x1800) and GATT service (0x1801) come
first. Registering again replaces the database (existing connections keep their MTU). Each
connection gets its own `AttServer` (CCCDs, prepare queue), restored from `cccd_loader` for
bonded peers and reported to `cccd_saver` when the peer changes a CCCD.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aioble_hci.att import pdus
from aioble_hci.att.database import AttributeDatabase, SecurityState
from aioble_hci.att.errors import AttTimeoutError, BearerClosedError
from aioble_hci.att.events import IndicationConfirmed, SubscriptionChanged, TransactionTimedOut
from aioble_hci.att.gatt import Service, build_database, gap_service, gatt_service
from aioble_hci.att.server import AttServer, SigningKey
from aioble_hci.host.connection import Connection
from aioble_hci.host.events import EventHub

if TYPE_CHECKING:
    from aioble_hci.host.gatt.bearer import AttBearer
    from aioble_hci.host.gatt.layer import Gatt

MULTIPLE_HANDLE_VALUE_NOTIFICATIONS = 0x04
"""Client Supported Features octet 0 bit 2: the client accepts Multiple Handle Value
Notifications (Vol 3 Part G 7.2)."""

SigningKeyLoader = Callable[[Connection], "SigningKey | None"]
CccdLoader = Callable[[Connection], "dict[int, int] | None"]
CccdSaver = Callable[[Connection, "dict[int, int]"], None]


class GattServer:
    """The local attribute database and what peers do with it; use on the host loop."""

    def __init__(self, gatt: Gatt) -> None:
        self._gatt = gatt
        self.events: EventHub = gatt.events
        self.services: list[Service] = []
        self.database = AttributeDatabase()
        self.cccd_loader: CccdLoader | None = None
        """Returns the stored CCCD values ({cccd handle: value}) of a bonded peer, or None."""
        self.cccd_saver: CccdSaver | None = None
        """Called with every CCCD change of a connection (the SMP bearer keeps bonded peers')."""
        self.signing_key: SigningKeyLoader | None = None
        """Returns the peer's CSRK for verifying its signed writes (set by `use_smp`), or None."""
        self.register_services([])
        self.events.on(SubscriptionChanged, self._on_subscription)

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
        self.database = build_database(self.services)
        for bearer in self._gatt.bearers():
            bearer.replace_server(self.new_att_server(bearer.connection))
        return self.database

    def new_att_server(self, connection: Connection) -> AttServer:
        cccd = self.cccd_loader(connection) if self.cccd_loader is not None else None
        return AttServer(
            self.database, connection=connection, rx_mtu=self._gatt.preferred_mtu, cccd=cccd or None,
            signing_key=lambda: None if self.signing_key is None else self.signing_key(connection),
        )

    # -- local values --------------------------------------------------------------------------

    def read(self, handle: int) -> bytes:
        """The stored value of an attribute (append-mode buffers are cleared by reading)."""
        attr = self.database.get(handle)
        if attr is None:
            raise KeyError(f"no attribute with handle 0x{handle:04X}")
        return attr.value.take()

    def write(self, handle: int, value: bytes, send_update: bool = False) -> None:
        """Set a value locally; with `send_update`, subscribed peers get a notification or
        indication as their CCCD asks (never below the value's read security)."""
        self.database.write_local(handle, bytes(value))
        if send_update:
            for bearer in self._gatt.bearers():
                pdu = bearer.server.update(handle, value, bearer.security, _now())
                if pdu is not None:
                    bearer.send_server_pdu(pdu, indication=pdu[0] == 0x1D)

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
        data = self._stored(handle) if value is None else bytes(value)
        bearer.send_server_pdu(bearer.server.notify(handle, data))

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
        pdu = bearer.server.notify_multiple(pairs)
        bearer.send_server_pdu(pdu)
        return _pairs_in(pdu)

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
                bearer.send_server_pdu(bearer.server.indicate(handle, data, _now()), indication=True)
                event = await done
            finally:
                for off in unsubscribe:
                    off()
            if isinstance(event, TransactionTimedOut):
                raise AttTimeoutError("no Handle Value Confirmation within 30 s")
            if isinstance(event, _BearerClosed):
                raise BearerClosedError("the connection closed before the confirmation")

    # -- internals -----------------------------------------------------------------------------

    def _stored(self, handle: int) -> bytes:
        attr = self.database.get(handle)
        if attr is None:
            raise KeyError(f"no attribute with handle 0x{handle:04X}")
        return attr.value.data

    def _bearer(self, connection: Connection) -> AttBearer:
        return self._gatt.bearer(connection)

    def _on_subscription(self, event: SubscriptionChanged) -> None:
        if self.cccd_saver is not None:
            self.cccd_saver(event.connection, self.cccd_values(event.connection))


class _BearerClosed:
    """Internal event: a connection's bearer closed (ends waits for confirmations)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection


def _pairs_in(pdu: bytes) -> int:
    """How many (handle, value) pairs a Multiple Handle Value Notification carries."""
    decoded = pdus.decode(pdu)
    assert isinstance(decoded, pdus.MultipleHandleValueNtf)
    return len(decoded.handle_length_value_tuples)


def _now() -> float:
    return asyncio.get_running_loop().time()
