"""ATT client for one bearer: one outstanding request, a queue of GATT procedures (Vol 3 Part F 3.3).

Sans-I/O, in aioquic's shape: `submit(procedure, now)` queues a procedure from `procedures`,
`write_command(..., now)` sends a command; `receive(pdu, now)` feeds the server's PDUs;
`data_to_send()` gives the PDUs to transmit and `take_events()` the `ClientEvent`s
(`ProcedureFinished`, `NotificationReceived`, `IndicationReceived`, ...). Indications are confirmed
automatically. `get_timer()` is the outstanding request's deadline: a request unanswered for 30 s
(`handle_timer(now)`) fails its procedure with `AttTimeoutError` and kills the bearer (Vol 3
Part F 3.3.3): every queued procedure fails and nothing more is sent. The transaction changes
state only through checked transitions (`states.py`: idle / awaiting a response / closed).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import TypeVar

from aioble_hci.att import pdus
from aioble_hci.att.errors import AttTimeoutError, BearerClosedError
from aioble_hci.att.events import (
    ClientEvent,
    IndicationReceived,
    MtuChanged,
    NotificationReceived,
    ProcedureFinished,
    Role,
    ServiceChangedReceived,
    TransactionTimedOut,
)
from aioble_hci.att.pdus import ATT_DEFAULT_MTU, Opcode
from aioble_hci.att.procedures import ExchangeMtu, GattProtocolError, Procedure
from aioble_hci.att.queues import Outbox
from aioble_hci.att.signing import sign
from aioble_hci.att.states import CLIENT_TRANSITIONS, ClientState, StateMachine

log = logging.getLogger(__name__)

_AWAITING, _CLOSED = ClientState.AWAITING_RESPONSE, ClientState.CLOSED
"""Module constants: enum member lookups are slow on the receive path."""

TRANSACTION_TIMEOUT = 30.0  # Vol 3 Part F 3.3.3

P = TypeVar("P", bound=Procedure)

ValueHandler = Callable[[bytes, bool], None]
"""Called with (value, is_indication) for a routed value handle."""


class AttClient(Outbox[ClientEvent]):
    """The ATT client side of one bearer."""

    def __init__(self, *, connection: object = None, rx_mtu: int = 517) -> None:
        self.connection = connection
        self.rx_mtu = rx_mtu
        self.mtu = ATT_DEFAULT_MTU
        self._state = StateMachine("ATT client transaction", ClientState.IDLE, CLIENT_TRANSITIONS)
        self.service_changed_handle: int | None = None
        """Value handle of the peer's Service Changed characteristic, once discovered."""
        self._queue: deque[Procedure] = deque()
        self._current: Procedure | None = None
        self._expected: int = 0  # opcode of the outstanding request
        self._sent_at = 0.0
        self._outgoing: list[bytes] = []
        self._events: list[ClientEvent] = []
        self._handlers: dict[int, ValueHandler] = {}
        self._mtu_requested = False
        """An Exchange MTU Request went out: it is sent once per connection (Vol 3 Part F 3.4.2.1)."""

    # ------------------------------------------------------------------ public API

    def submit(self, procedure: P, now: float) -> P:
        """Queue `procedure`; it starts when no other request is outstanding."""
        self._require_open()
        self._queue.append(procedure)
        self._pump(now)
        return procedure

    def exchange_mtu(self, now: float) -> ExchangeMtu:
        """Start the MTU exchange with this client's Rx MTU (Vol 3 Part G 4.3.1); a later exchange
        on the same connection finishes with the negotiated ATT_MTU without sending (Part F 3.4.2.1)."""
        return self.submit(ExchangeMtu(self.rx_mtu), now)

    def write_command(self, handle: int, value: bytes, now: float) -> None:
        """Send a Write Without Response (Vol 3 Part G 4.9.1); value <= ATT_MTU-3."""
        self._require_open()
        if len(value) > self.mtu - 3:
            raise ValueError(f"value of {len(value)} octets exceeds ATT_MTU-3 ({self.mtu - 3})")
        self._outgoing.append(pdus.WriteCmd(handle, bytes(value)).encode())

    def signed_write_command(self, handle: int, value: bytes, csrk: bytes, sign_counter: int,
                             now: float) -> None:
        """Send a Signed Write Without Response (Vol 3 Part G 4.9.2); value <= ATT_MTU-15."""
        self._require_open()
        if len(value) > self.mtu - 15:
            raise ValueError(f"value of {len(value)} octets exceeds ATT_MTU-15 ({self.mtu - 15})")
        body = pdus.SignedWriteCmd(handle, bytes(value), b"").signed_part
        self._outgoing.append(body + sign(csrk, body, sign_counter))

    def route(self, value_handle: int, handler: ValueHandler | None) -> None:
        """Deliver notifications/indications of `value_handle` to `handler` (None removes it)."""
        if handler is None:
            self._handlers.pop(value_handle, None)
        else:
            self._handlers[value_handle] = handler

    def get_timer(self) -> float | None:
        """When the outstanding request times out (Vol 3 Part F 3.3.3); None if none is."""
        if self._state.state is not ClientState.AWAITING_RESPONSE:
            return None
        return self._sent_at + TRANSACTION_TIMEOUT

    def handle_timer(self, now: float) -> None:
        """Apply the 30-second rule at `now` (the procedure fails, the bearer closes)."""
        self._check_timeout(now)

    @property
    def state(self) -> ClientState:
        return self._state.state

    @property
    def closed(self) -> bool:
        return self._state.state is ClientState.CLOSED

    @property
    def busy(self) -> bool:
        return self._current is not None

    def receive(self, pdu: bytes, now: float) -> None:
        """Handle one PDU from the server (events to `take_events()`, the confirmation of an
        indication to `data_to_send()`); never raises for peer input."""
        state = self._state.state
        if state is _CLOSED or not pdu:
            return
        if state is _AWAITING:
            self._check_timeout(now)
            if self._state.state is _CLOSED:
                return
        opcode = pdu[0]
        try:
            decoded = pdus.decode(pdu)
        except pdus.AttDecodeError as exc:
            log.debug("malformed ATT PDU from server: %s", exc)
            if self._current is not None and opcode in (self._expected + 1, Opcode.ERROR_RSP):
                self._finish(GattProtocolError(str(exc)), now)  # C1, C2, C6
            return
        if isinstance(decoded, pdus.HandleValueNtf):
            self._value(decoded.attribute_handle, decoded.attribute_value, False)
        elif isinstance(decoded, pdus.MultipleHandleValueNtf):
            for handle, value in decoded.handle_length_value_tuples:
                self._value(handle, value, False)
        elif isinstance(decoded, pdus.HandleValueInd):
            self._outgoing.append(pdus.HandleValueCfm().encode())  # Vol 3 Part F 3.4.7.3
            self._value(decoded.attribute_handle, decoded.attribute_value, True)
        elif self._current is None:
            log.debug("unsolicited ATT response 0x%02x dropped", opcode)  # C4
        elif isinstance(decoded, pdus.ErrorRsp):
            if decoded.request_opcode != self._expected:
                log.debug("error response for 0x%02x dropped", decoded.request_opcode)
            else:
                self._step(lambda p: p.on_error(decoded, self.mtu), now)
        elif opcode != self._expected + 1:
            log.debug("response 0x%02x does not answer 0x%02x: dropped", opcode, self._expected)
        else:
            self._step(lambda p: p.on_response(decoded, self.mtu), now)

    def close(self, error: BaseException | None = None) -> None:
        """The bearer is gone: fail the outstanding and queued procedures (`ProcedureFinished`
        events)."""
        if not self.closed:
            self._close(error or BearerClosedError("ATT bearer closed"))

    # ------------------------------------------------------------------ internals

    def _require_open(self) -> None:
        if self.closed:
            raise BearerClosedError("ATT bearer closed (transaction timeout or disconnect)")

    def _value(self, handle: int, value: bytes, indication: bool) -> None:
        if len(value) > self.mtu - 3:  # C5: never hand on more than ATT_MTU-3
            log.debug("oversized value for handle 0x%04x dropped", handle)
            return
        event = IndicationReceived(handle, value) if indication else NotificationReceived(handle, value)
        self._events.append(event)
        if indication and handle == self.service_changed_handle and len(value) == 4:
            start, end = int.from_bytes(value[:2], "little"), int.from_bytes(value[2:], "little")
            self._events.append(ServiceChangedReceived(start, end))
        handler = self._handlers.get(handle)
        if handler is not None:
            handler(value, indication)

    def _step(self, action: Callable[[Procedure], pdus.AttPdu | None], now: float) -> None:
        proc = self._current
        assert proc is not None
        try:
            nxt = action(proc)
        except (GattProtocolError, ValueError, AssertionError) as exc:
            self._finish(exc if isinstance(exc, GattProtocolError) else GattProtocolError(str(exc)), now)
            return
        if nxt is None or proc.done:
            self._finish(None, now)
        else:
            self._send(nxt, now)

    def _send(self, request: pdus.AttPdu, now: float) -> None:
        self._state.set_state(ClientState.AWAITING_RESPONSE)
        self._expected = int(request.OPCODE)
        self._sent_at = now
        self._outgoing.append(request.encode())

    def _finish(self, error: BaseException | None, now: float) -> None:
        proc = self._current
        assert proc is not None
        if error is not None:
            proc.fail(error)
        self._current = None
        self._state.set_state(ClientState.IDLE)
        if isinstance(proc, ExchangeMtu) and proc.error is None and proc.result != self.mtu:
            self.mtu = proc.result
            self._events.append(MtuChanged(self.connection, self.mtu, Role.CLIENT))
        self._events.append(ProcedureFinished(proc))
        self._pump(now)

    def _pump(self, now: float) -> None:
        while self._current is None and self._queue and not self.closed:
            proc = self._queue.popleft()
            self._current = proc
            if isinstance(proc, ExchangeMtu):
                if self._mtu_requested:  # Vol 3 Part F 3.4.2.1: only once per connection
                    proc.finish(self.mtu)
                self._mtu_requested = True
            try:
                first = None if proc.done else proc.start(self.mtu)
            except ValueError as exc:
                proc.fail(exc)
                first = None
            if first is None or proc.done:
                if not proc.done:
                    proc.finish(None)
                self._current = None
                self._events.append(ProcedureFinished(proc))
            else:
                self._send(first, now)

    def _check_timeout(self, now: float) -> None:
        if self._state.state is ClientState.AWAITING_RESPONSE and now - self._sent_at >= TRANSACTION_TIMEOUT:
            log.warning("ATT request 0x%02x unanswered for 30 s: bearer dead", self._expected)
            self._events.append(TransactionTimedOut(self.connection, 0, Role.CLIENT))
            self._close(AttTimeoutError("ATT transaction timed out after 30 s"))

    def _close(self, error: BaseException) -> None:
        self._state.set_state(ClientState.CLOSED)
        self._outgoing.clear()
        procs = ([self._current] if self._current is not None else []) + list(self._queue)
        self._current = None
        self._queue.clear()
        for proc in procs:
            proc.fail(error if proc is procs[0] else BearerClosedError("ATT bearer closed"))
            self._events.append(ProcedureFinished(proc))
