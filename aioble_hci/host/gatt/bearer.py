"""The host's driver of one ATT bearer core (att/bearer.py): clock, transmit, loop timer, sink.

All ATT logic (routing, unknown opcodes, the shared MTU, link security, both transaction
deadlines) is the core's. After each call into the core the driver sends `data_to_send()`, hands
`take_events()` to its `sink` and arms one loop timer at `get_timer()`.

One driver serves every API; they differ only in their event sink. What an API needs in its order
of events is an option here, never a second path (MicroPython's ``bluetooth`` module,
facade/host_att.py, uses them): `start(procedure, on_done)` reports a procedure inside the
driver's call that ends it (so a GATTC ``*_DONE`` comes before the disconnect IRQ when the link
drops); `events_before_response` hands the events of a PDU on before the response it caused
leaves (NimBLE calls the application's write callback before sending the Write Response); and
`before_receive` lets the API refresh the link's security and preferred MTU before each PDU.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from aioble_hci.att.bearer import AttBearer as AttBearerCore
from aioble_hci.att.client import AttClient
from aioble_hci.att.database import SecurityState
from aioble_hci.att.events import AttEvent, ProcedureFinished
from aioble_hci.att.pdus import Opcode
from aioble_hci.att.procedures import Procedure
from aioble_hci.att.server import AttServer
from aioble_hci.host.connection import Connection

log = logging.getLogger(__name__)

STARTS_TRANSACTION = frozenset(
    int(op) for op in Opcode if op.name.endswith("_REQ") or op == Opcode.HANDLE_VALUE_IND
)
"""PDUs whose sending starts a 30 s transaction (Vol 3 Part F 3.3.3): only these arm a timer."""

Send = Callable[[Connection, bytes], None]
Sink = Callable[[AttEvent], None]


class AttBearer:
    """The ATT bearer of one connection on the host loop; every method runs on that loop."""

    def __init__(
        self, connection: Connection, server: AttServer, send: Send, sink: Sink, preferred_mtu: int
    ) -> None:
        self.connection = connection
        self.core = AttBearerCore(server, rx_mtu=preferred_mtu)
        self.sink = sink
        """Where the core's events go (procedures started with `start` report to `on_done`)."""
        self._send = send
        self._loop = asyncio.get_running_loop()
        self._clock: Callable[[], float] = (
            time.monotonic if type(self._loop).time is asyncio.BaseEventLoop.time else self._loop.time
        )
        """The loop's clock (asyncio's default loop reads time.monotonic: called directly)."""
        self._on_done: dict[int, tuple[Procedure, Callable[[Procedure], None]]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at: float | None = None
        self.indication_lock = asyncio.Lock()
        self.events_before_response = False
        """Hand a PDU's events on before the response it caused is sent."""
        self.before_receive: Callable[[AttBearer], None] | None = None
        """Called with the driver before each incoming PDU is handled."""

    @property
    def server(self) -> AttServer:
        return self.core.server

    @property
    def client(self) -> AttClient:
        return self.core.client

    @property
    def security(self) -> SecurityState:
        return self.core.security

    @security.setter
    def security(self, value: SecurityState) -> None:
        self.core.security = value

    @property
    def mtu(self) -> int:
        return self.core.mtu

    @property
    def closed(self) -> bool:
        return self.core.closed

    def now(self) -> float:
        """The clock the core runs on (the host loop's)."""
        return self._clock()

    # -- in and out ----------------------------------------------------------------------------

    def receive(self, pdu: bytes) -> None:
        core = self.core
        if self.before_receive is not None and not core.closed:
            self.before_receive(self)
        core.receive(pdu, self._clock())
        self.flush()

    def flush(self) -> None:
        """Send what the core queued, hand its events on, re-arm the transaction timer. Both are
        taken before either is handled: what an event handler sends goes out on its own call."""
        out = self.core.data_to_send()
        events = self.core.take_events()
        if self.events_before_response and events:
            self._dispatch(events)
            events = []
        starts = False
        for pdu in out:
            self._send(self.connection, pdu)
            if pdu[0] in STARTS_TRANSACTION:
                starts = True
        if events:
            self._dispatch(events)
        # A deadline starts with a request or indication sent; while one runs, any call may end it.
        if starts or self._timer_at is not None:
            self._schedule()

    def _dispatch(self, events: list[AttEvent]) -> None:
        sink = self.sink
        for event in events:
            if type(event) is ProcedureFinished:
                done = self._on_done.pop(id(event.procedure), None)
                if done is not None:
                    done[1](event.procedure)
                continue
            sink(event)

    # -- server side ---------------------------------------------------------------------------

    def notify(self, handle: int, value: bytes) -> None:
        """Send a Handle Value Notification (Vol 3 Part F 3.4.7.1). It makes no event and starts
        no transaction, so only the core's PDUs need flushing (the hot path of every update)."""
        core = self.core
        core.server.notify(handle, value, self._clock())
        for pdu in core.data_to_send():
            self._send(self.connection, pdu)

    # -- client side ---------------------------------------------------------------------------

    def start(self, procedure: Procedure, on_done: Callable[[Procedure], None]) -> None:
        """Queue a GATT procedure; `on_done(procedure)` is called the moment it finishes (its
        `result` or `error` set), inside the call that finished it, in event order with the
        notifications around it and before anything that follows a disconnection."""
        self._on_done[id(procedure)] = (procedure, on_done)
        try:
            self.core.client.submit(procedure, self._clock())
        except Exception:
            del self._on_done[id(procedure)]
            raise
        self.flush()

    def submit(self, procedure: Procedure) -> asyncio.Future[Any]:
        """Queue a GATT procedure; the future gets its result or its error."""
        future: asyncio.Future[Any] = self._loop.create_future()

        def done(proc: Procedure) -> None:
            if future.done():
                return
            if proc.error is not None:
                future.set_exception(proc.error)
            else:
                future.set_result(proc.result)

        self.start(procedure, done)
        return future

    def write_command(self, handle: int, value: bytes) -> None:
        """Write Without Response (Vol 3 Part G 4.9.1)."""
        self.core.client.write_command(handle, value, self._clock())
        self.flush()

    def signed_write_command(self, handle: int, value: bytes, csrk: bytes, sign_counter: int) -> None:
        """Signed Write Without Response (Vol 3 Part G 4.9.2)."""
        self.core.client.signed_write_command(handle, value, csrk, sign_counter, self._clock())
        self.flush()

    def send_command(self, pdu: bytes) -> None:
        """Send an ATT PDU that needs no response as it is (a replayed signed write in tests)."""
        self._send(self.connection, pdu)

    # -- timer and closing ---------------------------------------------------------------------

    def _schedule(self) -> None:
        """One loop timer at the core's deadline (Vol 3 Part F 3.3.3)."""
        deadline = self.core.get_timer()
        if deadline == self._timer_at:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_at = deadline
        if deadline is not None and not self.core.closed:
            self._timer = self._loop.call_at(deadline, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_at = None
        if self.core.closed:
            return
        self.core.handle_timer(self._clock())
        self.flush()
        self._schedule()  # a timer that fired a hair early (loop clock resolution) goes again

    def close(self) -> None:
        """The link is gone: fail pending procedures, stop the timer."""
        if self.core.closed:
            return
        self.core.close()
        self.flush()
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None
        self._timer_at = None
