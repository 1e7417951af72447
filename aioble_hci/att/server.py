"""ATT server for one bearer (Vol 3 Part F 3.4; GATT server rules Vol 3 Part G 4).

Sans-I/O, in aioquic's shape: `receive(pdu, now, security)` and the commands (`notify`,
`indicate`, `update`, ...) take the time; `data_to_send()` gives the PDUs to transmit and
`take_events()` the `ServerEvent`s, in order; `get_timer()` is the deadline of an unconfirmed
indication (the 30-second transaction rule, Vol 3 Part F 3.3.3) and `handle_timer(now)` applies
it. Once timed out the bearer is dead: nothing more is answered or sent. Per-connection state
lives here: MTU, CCCD values, the prepare queue, the signed-write counter. The indication and the
prepare queue change state only through checked transitions (`states.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from aioble_hci.att import pdus
from aioble_hci.att.caching import surviving_subscriptions
from aioble_hci.att.database import (
    OPEN_LINK,
    Attribute,
    AttributeDatabase,
    SecurityState,
    check_read,
    check_write,
)
from aioble_hci.att.errors import AttError, BearerClosedError, IndicationPendingError
from aioble_hci.att.events import (
    ChangeAware,
    IndicationConfirmed,
    MtuChanged,
    Role,
    ServerEvent,
    SignCounterUpdated,
    SubscriptionChanged,
    TransactionTimedOut,
    Written,
)
from aioble_hci.att.gatt import (
    CCCD_INDICATE,
    CCCD_NOTIFY,
    CHARACTERISTIC,
    CLIENT_SUPPORTED_FEATURES,
    DATABASE_HASH,
    PRIMARY_SERVICE,
    SECONDARY_SERVICE,
    SERVICE_CHANGED,
    service_changed_value,
)
from aioble_hci.att.pdus import ATT_DEFAULT_MTU, ATT_MAX_VALUE_LEN, ErrorCode, Opcode
from aioble_hci.att.queues import Outbox
from aioble_hci.att.signing import verify
from aioble_hci.att.states import (
    CACHING_TRANSITIONS,
    INDICATION_TRANSITIONS,
    PREPARE_QUEUE_TRANSITIONS,
    CachingState,
    IndicationState,
    PrepareQueueState,
    StateMachine,
)
from aioble_hci.errors import RemoteProtocolError

log = logging.getLogger(__name__)

TRANSACTION_TIMEOUT = 30.0  # Vol 3 Part F 3.3.3
DEFAULT_PREPARE_QUEUE_LIMIT = 32

GROUP_TYPES = (PRIMARY_SERVICE, SECONDARY_SERVICE)
_ALWAYS_ALLOWED = frozenset((Opcode.EXCHANGE_MTU_REQ, Opcode.HANDLE_VALUE_CFM))


@dataclass(frozen=True, slots=True)
class SigningKey:
    """The peer's CSRK (wire order) and the last SignCounter accepted from it."""

    csrk: bytes
    last_sign_counter: int = -1
    authenticated: bool = False
    """The CSRK came from an authenticated (MITM) pairing: it meets authentication needs."""


class _Reject(RemoteProtocolError):
    """Internal: answer the current request with an Error Response."""

    def __init__(self, code: ErrorCode, handle: int) -> None:
        self.code = code
        self.handle = handle


class AttServer(Outbox[ServerEvent]):
    """The ATT server side of one bearer over a shared `AttributeDatabase`.

    `cccd` restores the CCCD values of a bonded peer ({cccd handle: value}); read them back with
    `cccd_values()` to persist. `signing_key` is called for signed writes and returns the peer's
    `SigningKey` (None for a peer without a CSRK: the write is dropped).

    GATT caching (Vol 3 Part G 2.5.2): `set_database()` swaps in a changed database, keeping the
    subscriptions of characteristics that still exist; the client then owes a Service Changed
    indication (`service_change_owed`, sent by `send_owed_service_changed()`) if it enabled one,
    and a client that enabled Robust Caching is change-unaware until it confirms that indication
    or reads the Database Hash (2.5.2.1). `change_aware=False` and `service_change_owed` restore
    a bonded client whose database changed while it was away.
    """

    def __init__(
        self,
        database: AttributeDatabase,
        *,
        connection: Any = None,
        rx_mtu: int = 517,
        prepare_queue_limit: int = DEFAULT_PREPARE_QUEUE_LIMIT,
        cccd: dict[int, int] | None = None,
        signing_key: Callable[[], SigningKey | None] | None = None,
        client_features: bytes = b"",
        change_aware: bool = True,
        service_change_owed: tuple[int, int] | None = None,
    ) -> None:
        if rx_mtu < ATT_DEFAULT_MTU:
            raise ValueError(f"rx_mtu must be at least {ATT_DEFAULT_MTU}, got {rx_mtu}")
        self.db = database
        self.connection = connection
        self.rx_mtu = rx_mtu
        self.mtu = ATT_DEFAULT_MTU
        self.prepare_queue_limit = prepare_queue_limit
        self._mtu_exchanged = False
        self._cccd: dict[int, int] = dict(cccd or {})
        self._prepare_queue: list[pdus.PrepareWriteReq] = []
        self._prepare = StateMachine("ATT prepare queue", PrepareQueueState.EMPTY, PREPARE_QUEUE_TRANSITIONS)
        self._signing_key = signing_key
        self._last_sign_counter: int | None = None
        self._indication = StateMachine("ATT indication", IndicationState.IDLE, INDICATION_TRANSITIONS)
        self._indicated: tuple[int, float] = (0, 0.0)
        """(handle, sent at) of the indication awaiting its confirmation."""
        self._outgoing: list[bytes] = []
        self._handlers: dict[int, Callable[[Any, SecurityState], bytes | None]] = {
            Opcode.EXCHANGE_MTU_REQ: self._exchange_mtu,
            Opcode.FIND_INFORMATION_REQ: self._find_information,
            Opcode.FIND_BY_TYPE_VALUE_REQ: self._find_by_type_value,
            Opcode.READ_BY_TYPE_REQ: self._read_by_type,
            Opcode.READ_REQ: self._read,
            Opcode.READ_BLOB_REQ: self._read_blob,
            Opcode.READ_MULTIPLE_REQ: self._read_multiple,
            Opcode.READ_MULTIPLE_VARIABLE_REQ: self._read_multiple_variable,
            Opcode.READ_BY_GROUP_TYPE_REQ: self._read_by_group_type,
            Opcode.WRITE_REQ: self._write_req,
            Opcode.WRITE_CMD: self._write_cmd,
            Opcode.SIGNED_WRITE_CMD: self._signed_write_cmd,
            Opcode.PREPARE_WRITE_REQ: self._prepare_write,
            Opcode.EXECUTE_WRITE_REQ: self._execute_write,
            Opcode.HANDLE_VALUE_CFM: self._confirmation,
        }
        self._events: list[ServerEvent] = []
        self._local: dict[int, bytes] = {}  # per-connection values (Client Supported Features)
        csf = self._find(CLIENT_SUPPORTED_FEATURES)
        if csf is not None and client_features:
            self._local[csf.handle] = bytes(client_features)
        aware = change_aware or not self.robust_caching
        self._caching = StateMachine(
            "ATT client's database awareness",
            CachingState.CHANGE_AWARE if aware else CachingState.CHANGE_UNAWARE,
            CACHING_TRANSITIONS,
        )
        self.service_change_owed = service_change_owed
        """The handle range of a Service Changed indication this client is owed (Vol 3 Part G 7.1)."""
        self._service_change_in_flight: tuple[int, int] | None = None

    # ------------------------------------------------------------------ public API

    def receive(self, pdu: bytes, now: float, security: SecurityState = OPEN_LINK) -> None:
        """Handle one PDU from the client (its response goes to `data_to_send()`, its events to
        `take_events()`); never raises for peer input."""
        if self.closed or not pdu:
            return
        self._check_timeout(now)
        if self.closed:
            return
        response = self._answer(pdu, security)
        if response is not None:
            self._outgoing.append(response)

    def _answer(self, pdu: bytes, security: SecurityState) -> bytes | None:
        opcode = pdu[0]
        command = pdus.is_command(opcode)
        if len(pdu) > self.mtu:
            # Vol 3 Part F 3.2.8: no PDU is longer than ATT_MTU. Answering such a request
            # as if valid could make the server send one (a Prepare Write echo), so refuse it.
            log.debug("ATT PDU of %d octets over ATT_MTU %d", len(pdu), self.mtu)
            if command or opcode not in pdus.REQUEST_OPCODES:
                return None
            return _error(opcode, 0, ErrorCode.INVALID_PDU)
        try:
            decoded = pdus.decode(pdu)
        except pdus.UnknownOpcodeError:
            if command:  # Vol 3 Part F 3.3: an unknown command is ignored
                log.debug("ignoring unknown ATT opcode 0x%02x", opcode)
                return None
            return _error(opcode, 0, ErrorCode.REQUEST_NOT_SUPPORTED)
        except pdus.AttDecodeError as exc:
            log.debug("malformed ATT PDU: %s", exc)
            if command or opcode not in pdus.REQUEST_OPCODES:
                return None
            return _error(opcode, 0, ErrorCode.INVALID_PDU)
        handler = self._handlers.get(opcode)
        if handler is None:  # a response, notification or indication: the client's business
            log.debug("server ignoring ATT opcode 0x%02x", opcode)
            return None
        if self._caching.state is not CachingState.CHANGE_AWARE and opcode not in _ALWAYS_ALLOWED:
            if not self._reads_database_hash(decoded):
                if command:
                    return None  # Vol 3 Part G 2.5.2.1: ignored
                if self._caching.state is CachingState.CHANGE_UNAWARE:
                    self._caching.set_state(CachingState.OUT_OF_SYNC_SENT)
                    return _error(opcode, 0, ErrorCode.DATABASE_OUT_OF_SYNC)
            self._mark_change_aware()
        try:
            return handler(decoded, security)
        except _Reject as rej:
            return None if command else _error(opcode, rej.handle, rej.code)
        except AttError as err:
            return None if command else _error(opcode, err.handle, err.code)
        except Exception:  # an application callback failed: answer, keep serving
            log.exception("ATT server failed on opcode 0x%02x", opcode)
            return None if command else _error(opcode, 0, ErrorCode.UNLIKELY_ERROR)

    def get_timer(self) -> float | None:
        """When the unconfirmed indication times out (Vol 3 Part F 3.3.3); None if none is."""
        if self._indication.state is not IndicationState.AWAITING_CONFIRMATION:
            return None
        return self._indicated[1] + TRANSACTION_TIMEOUT

    def handle_timer(self, now: float) -> None:
        """Apply the 30-second rule at `now` (a `TransactionTimedOut` event if it expired)."""
        self._check_timeout(now)

    @property
    def closed(self) -> bool:
        return self._indication.state is IndicationState.CLOSED

    def notify(self, handle: int, value: bytes, now: float) -> None:
        """Send a Handle Value Notification, value truncated to ATT_MTU-3 (Vol 3 Part F 3.4.7.1)."""
        self._require_open()
        self._outgoing.append(pdus.HandleValueNtf(handle, bytes(value[: self.mtu - 3])).encode())

    def indicate(self, handle: int, value: bytes, now: float) -> None:
        """Send a Handle Value Indication; only one may be outstanding (Vol 3 Part F 3.4.7.2)."""
        self._require_open()
        self._check_timeout(now)
        self._require_open()
        if self._indication.state is IndicationState.AWAITING_CONFIRMATION:
            raise IndicationPendingError(
                f"indication of handle 0x{self._indicated[0]:04X} not yet confirmed"
            )
        self._indication.set_state(IndicationState.AWAITING_CONFIRMATION)
        self._indicated = (handle, now)
        self._outgoing.append(pdus.HandleValueInd(handle, bytes(value[: self.mtu - 3])).encode())

    def notify_multiple(self, values: list[tuple[int, bytes]], now: float) -> int:
        """Send a Multiple Handle Value Notification (Vol 3 Part F 3.4.7.4) holding as many whole
        (handle, value) tuples as fit in ATT_MTU; returns how many it holds, raises ValueError if
        not even the first fits."""
        self._require_open()
        room = self.mtu - 1
        fitting: list[tuple[int, bytes]] = []
        for handle, value in values:
            if 4 + len(value) > room:
                break
            fitting.append((handle, bytes(value)))
            room -= 4 + len(value)
        if not fitting:
            raise ValueError("the first value does not fit in ATT_MTU")
        self._outgoing.append(pdus.MultipleHandleValueNtf(tuple(fitting)).encode())
        return len(fitting)

    @property
    def indication_pending(self) -> bool:
        return self._indication.state is IndicationState.AWAITING_CONFIRMATION

    @property
    def change_aware(self) -> bool:
        """Whether the client is change-aware of the database (Vol 3 Part G 2.5.2.1)."""
        return self._caching.state is CachingState.CHANGE_AWARE

    @property
    def caching_state(self) -> CachingState:
        return self._caching.state

    @property
    def indication_state(self) -> IndicationState:
        return self._indication.state

    @property
    def prepare_queue_state(self) -> PrepareQueueState:
        return self._prepare.state

    def subscription(self, value_handle: int) -> int:
        """The CCCD value (bit 0 notify, bit 1 indicate) for a characteristic value handle."""
        for attr in self.db.range(value_handle + 1, 0xFFFF):
            if attr.type == CHARACTERISTIC:
                break
            if attr.is_cccd and attr.characteristic_value_handle == value_handle:
                return self._cccd.get(attr.handle, 0)
        return 0

    def update(self, value_handle: int, value: bytes, now: float,
               security: SecurityState = OPEN_LINK) -> bool:
        """Send a subscribed client a new value: a notification if it enabled notifications, else
        an indication. False (nothing sent) if not subscribed, if an indication is pending, or if
        the link is below the value's read security (Zephyr CVE-2026-2411; conformance A18)."""
        sub = self.subscription(value_handle)
        attr = self.db.get(value_handle)
        if not sub or attr is None or self.closed:
            return False
        code = check_read(attr, security)
        if code is not None and code != ErrorCode.READ_NOT_PERMITTED:
            return False
        if sub & CCCD_NOTIFY:
            self.notify(value_handle, value, now)
            return True
        if self.indication_pending:
            return False
        self.indicate(value_handle, value, now)
        return True

    @property
    def robust_caching(self) -> bool:
        """True when this client enabled Robust Caching in Client Supported Features bit 0."""
        value = self.client_features()
        return bool(value and value[0] & 0x01)

    def client_features(self) -> bytes:
        """Client Supported Features written by this client, for persisting a bonded peer."""
        csf = self._find(CLIENT_SUPPORTED_FEATURES)
        return self._local.get(csf.handle, b"") if csf is not None else b""

    def database_changed(self, start: int = 0x0001, end: int = 0xFFFF) -> None:
        """The database changed in start..end: a robust-caching client becomes change-unaware
        (Vol 3 Part G 2.5.2.1) and a client that enabled Service Changed indications is owed one
        (7.1; ranges of changes not yet indicated are merged)."""
        if self.robust_caching:
            self._caching.set_state(CachingState.CHANGE_UNAWARE)
        sc = self._find(SERVICE_CHANGED)
        if sc is not None and self.subscription(sc.handle) & CCCD_INDICATE:
            owed = self.service_change_owed
            self.service_change_owed = (start, end) if owed is None else (min(owed[0], start), max(owed[1], end))

    def set_database(self, database: AttributeDatabase, changed: tuple[int, int] | None) -> None:
        """The server's database was replaced; `changed` is the affected handle range (None: same
        layout). Subscriptions to characteristics that still exist survive, the prepare queue
        (handles of the old database) is dropped, Client Supported Features are kept."""
        old, self.db = self.db, database
        features = self._local.pop(next((a.handle for a in old if a.type == CLIENT_SUPPORTED_FEATURES), -1), None)
        self._local.clear()
        csf = self._find(CLIENT_SUPPORTED_FEATURES)
        if csf is not None and features is not None:
            self._local[csf.handle] = features
        self._cccd = surviving_subscriptions(old, database, self._cccd)
        self._clear_prepare_queue()
        if changed is not None:
            self.database_changed(*changed)

    def service_changed(self, start: int, end: int, now: float) -> bool:
        """Send a Service Changed indication of start..end (Vol 3 Part G 7.1) if the client
        enabled it and no indication is outstanding; False if nothing was sent."""
        sc = self._find(SERVICE_CHANGED)
        if sc is None or self.closed or self.indication_pending:
            return False
        if not self.subscription(sc.handle) & CCCD_INDICATE:
            return False
        self.indicate(sc.handle, service_changed_value(start, end), now)
        self._service_change_in_flight = (start, end)
        return True

    def send_owed_service_changed(self, now: float) -> bool:
        """Send the Service Changed indication this client is owed, if any and if it can go now."""
        owed = self.service_change_owed
        return False if owed is None else self.service_changed(owed[0], owed[1], now)

    def cccd_values(self) -> dict[int, int]:
        """CCCD values of this connection by CCCD handle, for persisting a bonded peer."""
        return {h: v for h, v in self._cccd.items() if v}

    def close(self) -> None:
        """The bearer is gone: drop the prepare queue and pending indication, send nothing more."""
        if self.closed:
            return
        self._indication.set_state(IndicationState.CLOSED)
        self._clear_prepare_queue()
        self._outgoing.clear()

    # ------------------------------------------------------------------ helpers

    def _find(self, uuid: Any) -> Attribute | None:
        return next((a for a in self.db if a.type == uuid), None)

    def _reads_database_hash(self, pdu: Any) -> bool:
        if isinstance(pdu, pdus.ReadByTypeReq):
            return bool(pdu.attribute_type == DATABASE_HASH)
        if isinstance(pdu, pdus.ReadReq):
            attr = self.db.get(pdu.attribute_handle)
            return attr is not None and attr.type == DATABASE_HASH
        return False

    def _mark_change_aware(self) -> None:
        was_aware = self.change_aware
        self._caching.set_state(CachingState.CHANGE_AWARE)
        if not was_aware:
            self._events.append(ChangeAware(self.connection))

    def _require_open(self) -> None:
        if self._indication.state is IndicationState.CLOSED:
            raise BearerClosedError("ATT bearer closed (transaction timeout or disconnect)")

    def _check_timeout(self, now: float) -> None:
        if self.indication_pending and now - self._indicated[1] >= TRANSACTION_TIMEOUT:
            handle = self._indicated[0]
            log.warning("indication of handle 0x%04x not confirmed in 30 s: bearer dead", handle)
            self.close()
            self._events.append(TransactionTimedOut(self.connection, handle, Role.SERVER))

    def _clear_prepare_queue(self) -> None:
        self._prepare_queue.clear()
        if self._prepare.state is PrepareQueueState.QUEUED:
            self._prepare.set_state(PrepareQueueState.EMPTY)

    def _attr(self, handle: int) -> Attribute:
        attr = self.db.get(handle)
        if attr is None:
            raise _Reject(ErrorCode.INVALID_HANDLE, handle)
        return attr

    def _read_value(self, attr: Attribute, sec: SecurityState) -> bytes:
        code = check_read(attr, sec)
        if code is not None:
            raise _Reject(code, attr.handle)
        if attr.is_cccd:
            return self._cccd.get(attr.handle, 0).to_bytes(2, "little")
        if attr.per_connection:
            return self._local.get(attr.handle, attr.value.data)
        try:
            return attr.read_value(self.connection)
        except AttError as err:
            raise _Reject(err.code, attr.handle) from None

    def _check_range(self, start: int, end: int) -> None:
        if start == 0 or start > end:  # Vol 3 Part F 3.4.3.1 and friends
            raise _Reject(ErrorCode.INVALID_HANDLE, start)

    def _write_value(self, attr: Attribute, value: bytes, sec: SecurityState) -> None:
        code = check_write(attr, sec)
        if code is not None:
            raise _Reject(code, attr.handle)
        if len(value) > ATT_MAX_VALUE_LEN:
            raise _Reject(ErrorCode.INVALID_ATTRIBUTE_VALUE_LENGTH, attr.handle)
        if attr.is_cccd:
            self._write_cccd(attr, value)
            return
        if attr.per_connection:
            self._write_local(attr, value)
            return
        try:
            if attr.write_callback is not None:
                if len(value) > attr.value.max_len:
                    raise _Reject(ErrorCode.INVALID_ATTRIBUTE_VALUE_LENGTH, attr.handle)
                attr.write_callback(self.connection, bytes(value))
                stored = bytes(value)
            else:
                stored = attr.value.remote_write(value, attr.handle)
        except AttError as err:
            raise _Reject(err.code, attr.handle) from None
        snapshot = bytes(value) if attr.value.append else stored
        self._events.append(Written(self.connection, attr.handle, snapshot))

    def _write_local(self, attr: Attribute, value: bytes) -> None:
        """A per-connection value; Client Supported Features bits may not be cleared (7.2)."""
        if len(value) > attr.value.max_len:
            raise _Reject(ErrorCode.INVALID_ATTRIBUTE_VALUE_LENGTH, attr.handle)
        old = self._local.get(attr.handle, attr.value.data)
        if attr.type == CLIENT_SUPPORTED_FEATURES and any(
            o & ~n for o, n in zip(old, value.ljust(len(old), b"\x00"), strict=False)
        ):
            raise _Reject(ErrorCode.VALUE_NOT_ALLOWED, attr.handle)
        self._local[attr.handle] = bytes(value)
        self._events.append(Written(self.connection, attr.handle, bytes(value)))

    def _write_cccd(self, attr: Attribute, value: bytes) -> None:
        """CCCD write (Vol 3 Part G 3.3.3.3): two octets, only bits the properties allow."""
        if len(value) != 2:
            raise _Reject(ErrorCode.INVALID_ATTRIBUTE_VALUE_LENGTH, attr.handle)
        bits = int.from_bytes(value, "little")
        if bits & ~attr.cccd_allowed & 0xFFFF:
            raise _Reject(ErrorCode.VALUE_NOT_ALLOWED, attr.handle)
        old = self._cccd.get(attr.handle, 0)
        self._cccd[attr.handle] = bits
        if old != bits:
            self._events.append(
                SubscriptionChanged(
                    self.connection,
                    attr.characteristic_value_handle,
                    attr.handle,
                    bool(bits & CCCD_NOTIFY),
                    bool(bits & CCCD_INDICATE),
                )
            )

    # ------------------------------------------------------------------ request handlers

    def _exchange_mtu(self, req: pdus.ExchangeMtuReq, sec: SecurityState) -> bytes:
        """Vol 3 Part F 3.4.2: ATT_MTU = min(client, server), never below 23; set once."""
        if not self._mtu_exchanged:
            self._mtu_exchanged = True
            mtu = max(ATT_DEFAULT_MTU, min(req.client_rx_mtu, self.rx_mtu))
            if mtu != self.mtu:
                self.mtu = mtu
                self._events.append(MtuChanged(self.connection, mtu, Role.SERVER))
        return pdus.ExchangeMtuRsp(self.rx_mtu).encode()

    def _find_information(self, req: pdus.FindInformationReq, sec: SecurityState) -> bytes:
        self._check_range(req.starting_handle, req.ending_handle)
        out: list[tuple[int, Any]] = []
        size = 0
        for attr in self.db.range(req.starting_handle, req.ending_handle):
            entry = 2 + len(pdus.uuid_att_bytes(attr.type))
            if out and entry != size:
                break
            if 2 + (len(out) + 1) * entry > self.mtu:
                break
            size = entry
            out.append((attr.handle, attr.type))
        if not out:
            raise _Reject(ErrorCode.ATTRIBUTE_NOT_FOUND, req.starting_handle)
        return pdus.FindInformationRsp(tuple(out)).encode()

    def _find_by_type_value(self, req: pdus.FindByTypeValueReq, sec: SecurityState) -> bytes:
        self._check_range(req.starting_handle, req.ending_handle)
        out: list[tuple[int, int]] = []
        for attr in self.db.range(req.starting_handle, req.ending_handle):
            if attr.type != req.attribute_type:
                continue
            if check_read(attr, sec) is not None:
                continue
            try:
                value = self._read_value(attr, sec)
            except _Reject:
                continue
            if value != req.attribute_value:
                continue
            if 1 + (len(out) + 1) * 4 > self.mtu:
                break
            end = attr.end_group_handle if attr.end_group_handle is not None else attr.handle
            out.append((attr.handle, end))
        if not out:
            raise _Reject(ErrorCode.ATTRIBUTE_NOT_FOUND, req.starting_handle)
        return pdus.FindByTypeValueRsp(tuple(out)).encode()

    def _read_by_type(self, req: pdus.ReadByTypeReq, sec: SecurityState) -> bytes:
        """Vol 3 Part F 3.4.4.1: same-length values, each cut to min(ATT_MTU-4, 253)."""
        self._check_range(req.starting_handle, req.ending_handle)
        cap = min(self.mtu - 4, 253)
        out: list[tuple[int, bytes]] = []
        for attr in self.db.range(req.starting_handle, req.ending_handle):
            if attr.type != req.attribute_type:
                continue
            try:
                value = self._read_value(attr, sec)[:cap]
            except _Reject:
                if not out:
                    raise  # the first matching attribute decides the error
                break
            if out and len(value) != len(out[0][1]):
                break
            if 2 + (len(out) + 1) * (2 + len(value)) > self.mtu:
                break
            out.append((attr.handle, value))
        if not out:
            raise _Reject(ErrorCode.ATTRIBUTE_NOT_FOUND, req.starting_handle)
        return pdus.ReadByTypeRsp(tuple(out)).encode()

    def _read(self, req: pdus.ReadReq, sec: SecurityState) -> bytes:
        value = self._read_value(self._attr(req.attribute_handle), sec)
        return pdus.ReadRsp(value[: self.mtu - 1]).encode()

    def _read_blob(self, req: pdus.ReadBlobReq, sec: SecurityState) -> bytes:
        """Vol 3 Part F 3.4.4.5: offset past the end is Invalid Offset, at the end gives empty."""
        attr = self._attr(req.attribute_handle)
        value = self._read_value(attr, sec)
        if req.value_offset > len(value):
            raise _Reject(ErrorCode.INVALID_OFFSET, attr.handle)
        if attr.fixed_length and req.value_offset and len(value) <= self.mtu - 1:
            raise _Reject(ErrorCode.ATTRIBUTE_NOT_LONG, attr.handle)
        return pdus.ReadBlobRsp(value[req.value_offset : req.value_offset + self.mtu - 1]).encode()

    def _read_multiple(self, req: pdus.ReadMultipleReq, sec: SecurityState) -> bytes:
        values = b"".join(self._read_value(self._attr(h), sec) for h in req.set_of_handles)
        return pdus.ReadMultipleRsp(values[: self.mtu - 1]).encode()

    def _read_multiple_variable(
        self, req: pdus.ReadMultipleVariableReq, sec: SecurityState
    ) -> bytes:
        """Vol 3 Part F 3.4.4.11: (length, value) tuples; the last one may be cut to fit."""
        room = self.mtu - 1
        out: list[tuple[int, bytes]] = []
        values = [self._read_value(self._attr(h), sec) for h in req.set_of_handles]
        for value in values:
            if room < 2:
                break
            part = value[: room - 2]
            out.append((len(value), part))
            room -= 2 + len(part)
        return pdus.ReadMultipleVariableRsp(tuple(out)).encode()

    def _read_by_group_type(self, req: pdus.ReadByGroupTypeReq, sec: SecurityState) -> bytes:
        """Vol 3 Part F 3.4.4.9: only service declarations group; values cut to min(MTU-6, 251)."""
        self._check_range(req.starting_handle, req.ending_handle)
        if req.attribute_group_type not in GROUP_TYPES:
            raise _Reject(ErrorCode.UNSUPPORTED_GROUP_TYPE, req.starting_handle)
        cap = min(self.mtu - 6, 251)
        out: list[tuple[int, int, bytes]] = []
        for attr in self.db.range(req.starting_handle, req.ending_handle):
            if attr.type != req.attribute_group_type:
                continue
            try:
                value = self._read_value(attr, sec)[:cap]
            except _Reject:
                if not out:
                    raise
                break
            if out and len(value) != len(out[0][2]):
                break
            if 2 + (len(out) + 1) * (4 + len(value)) > self.mtu:
                break
            end = attr.end_group_handle if attr.end_group_handle is not None else attr.handle
            out.append((attr.handle, end, value))
        if not out:
            raise _Reject(ErrorCode.ATTRIBUTE_NOT_FOUND, req.starting_handle)
        return pdus.ReadByGroupTypeRsp(tuple(out)).encode()

    def _write_req(self, req: pdus.WriteReq, sec: SecurityState) -> bytes:
        self._write_value(self._attr(req.attribute_handle), req.attribute_value, sec)
        return pdus.WriteRsp().encode()

    def _write_cmd(self, cmd: pdus.WriteCmd, sec: SecurityState) -> None:
        """Vol 3 Part F 3.4.5.3: no response, errors are not reported."""
        self._write_value(self._attr(cmd.attribute_handle), cmd.attribute_value, sec)

    def _signed_write_cmd(self, cmd: pdus.SignedWriteCmd, sec: SecurityState) -> None:
        """Vol 3 Part F 3.4.5.4 / Part H 2.4.5: drop on a bad MAC, a replayed counter, no CSRK."""
        key = self._signing_key() if self._signing_key is not None else None
        if key is None:
            log.debug("signed write dropped: no CSRK for the peer")
            return
        counter = verify(key.csrk, cmd.signed_part, cmd.authentication_signature)
        if counter is None:
            log.debug("signed write dropped: bad signature")
            return
        last = key.last_sign_counter if self._last_sign_counter is None else self._last_sign_counter
        if counter <= last:
            log.debug("signed write dropped: SignCounter %d not above %d", counter, last)
            return
        attr = self._attr(cmd.attribute_handle)
        self._last_sign_counter = counter
        self._events.append(SignCounterUpdated(self.connection, counter))
        if not sec.encrypted:  # the CSRK stands in for the link key (Vol 3 Part C 10.4.2)
            sec = replace(sec, encrypted=True, authenticated=key.authenticated, key_size=16)
        self._write_value(attr, cmd.attribute_value, sec)

    def _prepare_write(self, req: pdus.PrepareWriteReq, sec: SecurityState) -> bytes:
        """Vol 3 Part F 3.4.6.1: check handle and permissions now, offsets at execute time."""
        attr = self._attr(req.attribute_handle)
        code = check_write(attr, sec)
        if code is not None:
            raise _Reject(code, attr.handle)
        if len(self._prepare_queue) >= self.prepare_queue_limit:
            raise _Reject(ErrorCode.PREPARE_QUEUE_FULL, attr.handle)
        if req.value_offset + len(req.part_attribute_value) > ATT_MAX_VALUE_LEN:
            raise _Reject(ErrorCode.INVALID_ATTRIBUTE_VALUE_LENGTH, attr.handle)
        self._prepare_queue.append(req)
        self._prepare.set_state(PrepareQueueState.QUEUED)
        return pdus.PrepareWriteRsp(
            req.attribute_handle, req.value_offset, req.part_attribute_value
        ).encode()

    def _execute_write(self, req: pdus.ExecuteWriteReq, sec: SecurityState) -> bytes:
        """Vol 3 Part F 3.4.6.3: cancel or apply every prepared write, all or nothing."""
        if req.flags not in (0x00, 0x01):
            raise _Reject(ErrorCode.INVALID_PDU, 0)
        queue = list(self._prepare_queue)
        self._clear_prepare_queue()
        if req.flags == 0x00 or not queue:
            return pdus.ExecuteWriteRsp().encode()
        pending: dict[int, bytes] = {}
        for prep in queue:
            handle = prep.attribute_handle
            if handle not in pending:
                pending[handle] = self._base_value(self._attr(handle), sec)
            buf = pending[handle]
            if prep.value_offset > len(buf):
                raise _Reject(ErrorCode.INVALID_OFFSET, handle)
            pending[handle] = buf[: prep.value_offset] + prep.part_attribute_value
        for handle, buf in pending.items():
            attr = self._attr(handle)
            if attr.is_cccd and len(buf) != 2:
                raise _Reject(ErrorCode.INVALID_ATTRIBUTE_VALUE_LENGTH, handle)
            if not attr.is_cccd and attr.write_callback is None and not attr.value.truncate:
                room = attr.value.max_len - (len(attr.value.data) if attr.value.append else 0)
                if len(buf) > room:
                    raise _Reject(ErrorCode.INVALID_ATTRIBUTE_VALUE_LENGTH, handle)
        for handle, buf in pending.items():
            self._write_value(self._attr(handle), bytes(buf), sec)
        return pdus.ExecuteWriteRsp().encode()

    def _base_value(self, attr: Attribute, sec: SecurityState) -> bytes:
        """The value prepared writes apply to: the current one when readable, else empty."""
        if attr.value.append or attr.write_callback is not None:
            return b""
        try:
            return self._read_value(attr, sec)
        except _Reject:
            return b""

    def _confirmation(self, cfm: pdus.HandleValueCfm, sec: SecurityState) -> None:
        if not self.indication_pending:
            log.debug("unexpected Handle Value Confirmation ignored")
            return None
        handle = self._indicated[0]
        self._indication.set_state(IndicationState.IDLE)
        sc = self._find(SERVICE_CHANGED)
        if sc is not None and handle == sc.handle:
            if self._service_change_in_flight == self.service_change_owed:
                self.service_change_owed = None  # a later change, not yet indicated, stays owed
            self._service_change_in_flight = None
            was_aware = self.change_aware
            self._mark_change_aware()
            if was_aware:
                self._events.append(ChangeAware(self.connection))
        self._events.append(IndicationConfirmed(self.connection, handle))
        return None


def _error(opcode: int, handle: int, code: ErrorCode) -> bytes:
    return pdus.ErrorRsp(opcode, handle, code).encode()

