"""One ATT bearer (the fixed channel 0x0004 of one LE connection): server and client side.

Core Vol 3 Part F 3.2.11: a PDU a client sends (requests, commands, confirmations) goes to the
`AttServer`; what a server sends (responses, notifications, indications) goes to the
`AttClient`. Both sides share one ATT_MTU: whichever side's Exchange MTU finishes, the
other learns the value too (Vol 3 Part F 3.4.2). Transaction timeouts run on loop timers.

One bearer serves every API. An API that must report in a particular order (MicroPython's
``bluetooth`` module, facade/host_att.py) uses the options, never a bearer of its own:
`start(procedure, on_done)` reports a procedure inside the bearer's own call (so a GATTC
``*_DONE`` comes before the disconnect IRQ when the link drops), `server_listener` /
`client_listener` see this link's events as they happen, `events_before_response` hands the
server's events on before its response leaves (NimBLE calls the application's write callback
before sending the Write Response), and `before_receive` lets the API refresh the link's security
and preferred MTU from its own settings before each PDU.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aioble_hci.att import client as client_module
from aioble_hci.att import server as server_module
from aioble_hci.att.client import AttClient
from aioble_hci.att.database import OPEN_LINK, SecurityState
from aioble_hci.att.events import MtuChanged, ProcedureFinished
from aioble_hci.att.pdus import Opcode
from aioble_hci.att.procedures import Procedure
from aioble_hci.att.server import AttServer
from aioble_hci.host.connection import Connection

log = logging.getLogger(__name__)

SERVER_BOUND = frozenset(
    op for op in Opcode if op.name.endswith(("_REQ", "_CMD")) or op == Opcode.HANDLE_VALUE_CFM
)
"""Opcodes a client sends; every other known opcode is for our client."""
CLIENT_BOUND = frozenset(op for op in Opcode if op not in SERVER_BOUND)

Send = Callable[[Connection, bytes], None]
Emit = Callable[[Any], None]


class AttBearer:
    """The ATT state of one connection; every method runs on the host loop."""

    def __init__(
        self, connection: Connection, server: AttServer, send: Send, emit: Emit, preferred_mtu: int
    ) -> None:
        self.connection = connection
        self.server = server
        self.client = AttClient(connection=connection, rx_mtu=preferred_mtu)
        self.security: SecurityState = OPEN_LINK
        self.closed = False
        self._send = send
        self._emit = emit
        self._futures: dict[int, tuple[Procedure, asyncio.Future[Any]]] = {}
        # One ATT transaction timer per direction (Vol 3 Part F 3.3.3): a request or indication
        # re-arms its direction's timer, so a bearer never holds more than two.
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self.indication_lock = asyncio.Lock()
        # Options for APIs that report in their own order (see the module docstring).
        self._on_done: dict[int, tuple[Procedure, Callable[[Procedure], None]]] = {}
        self.server_listener: Emit | None = None
        """Called with each server-side event of this bearer, after `emit`."""
        self.client_listener: Emit | None = None
        """Called with each client-side event of this bearer (they carry no connection), after `emit`."""
        self.events_before_response = False
        """Hand the server's events on before its response to the PDU that caused them is sent."""
        self.before_receive: Callable[[AttBearer], None] | None = None
        """Called with the bearer before each incoming PDU is handled."""

    @property
    def mtu(self) -> int:
        return self.client.mtu

    # -- incoming ------------------------------------------------------------------------------

    def receive(self, pdu: bytes) -> None:
        if self.closed or not pdu:
            return
        if self.before_receive is not None:
            self.before_receive(self)
        if pdu[0] in CLIENT_BOUND:
            # The clock only matters to an outstanding request (its 30 s timeout): a notification
            # with none outstanding does not read it.
            self._client_events(self.client.receive(pdu, _now() if self.client.busy else 0.0))
            self._flush_client()
            return
        output = self.server.receive(pdu, self.security, _now())
        if self.events_before_response:
            self._server_events(output.events)
        if output.response is not None:
            self._send(self.connection, output.response)
        if not self.events_before_response:
            self._server_events(output.events)

    # -- client side ---------------------------------------------------------------------------

    def submit(self, procedure: Procedure) -> asyncio.Future[Any]:
        """Queue a GATT procedure; the future gets its result or its error."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._futures[id(procedure)] = (procedure, future)
        try:
            self.client.submit(procedure, _now())
        except Exception:
            del self._futures[id(procedure)]
            raise
        self._client_events(self.client.events())
        self._flush_client()
        return future

    def start(self, procedure: Procedure, on_done: Callable[[Procedure], None]) -> None:
        """Queue a GATT procedure; `on_done(procedure)` is called the moment it finishes (its
        `result` or `error` set), inside the bearer's call that finished it, in event order with
        the notifications around it and before anything that follows a disconnection."""
        self._on_done[id(procedure)] = (procedure, on_done)
        try:
            self.client.submit(procedure, _now())
        except Exception:
            del self._on_done[id(procedure)]
            raise
        self._client_events(self.client.events())
        self._flush_client()

    def send_command(self, pdu: bytes) -> None:
        """A PDU that needs no response (Write Command, Signed Write Command)."""
        self._send(self.connection, pdu)

    def _flush_client(self) -> None:
        out = self.client.data_to_send()
        for pdu in out:
            self._send(self.connection, pdu)
            if pdu[0] in SERVER_BOUND and pdu[0] != Opcode.HANDLE_VALUE_CFM:
                self._arm("client", self._poll_client, client_module.TRANSACTION_TIMEOUT)

    def _client_events(self, events: list[Any]) -> None:
        for event in events:
            if isinstance(event, ProcedureFinished):
                done = self._on_done.pop(id(event.procedure), None)
                if done is not None:
                    done[1](event.procedure)
                    continue
                entry = self._futures.pop(id(event.procedure), None)
                if entry is not None and not entry[1].done():
                    proc = entry[0]
                    if proc.error is not None:
                        entry[1].set_exception(proc.error)
                    else:
                        entry[1].set_result(proc.result)
                continue
            if isinstance(event, MtuChanged):
                self.server.mtu = event.mtu
            self._emit(event)
            if self.client_listener is not None:
                self.client_listener(event)

    def _poll_client(self) -> None:
        self._client_events(self.client.poll(_now()))

    # -- server side ---------------------------------------------------------------------------

    def send_server_pdu(self, pdu: bytes, indication: bool = False) -> None:
        self._send(self.connection, pdu)
        if indication:
            self._arm("server", self._poll_server, server_module.TRANSACTION_TIMEOUT)

    def _server_events(self, events: list[Any]) -> None:
        for event in events:
            if isinstance(event, MtuChanged):
                self.client.mtu = event.mtu
            self._emit(event)
            if self.server_listener is not None:
                self.server_listener(event)

    def _poll_server(self) -> None:
        self._server_events(self.server.poll(_now()))

    # -- timers and closing --------------------------------------------------------------------

    def _arm(self, direction: str, callback: Callable[[], None], delay: float) -> None:
        """(Re)start `direction`'s transaction timer; the core's poll decides if it expired."""
        previous = self._timers.pop(direction, None)
        if previous is not None:
            previous.cancel()

        def fire() -> None:
            self._timers.pop(direction, None)
            if not self.closed:
                callback()

        self._timers[direction] = asyncio.get_running_loop().call_later(delay + 1e-3, fire)

    def close(self) -> None:
        """The link is gone: fail pending procedures, stop the timers."""
        if self.closed:
            return
        self.closed = True
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self.server.close()
        self._client_events(self.client.close())


def _now() -> float:
    return asyncio.get_running_loop().time()
