"""One ATT bearer (the fixed channel 0x0004 of one LE connection) as a sans-I/O core.

It owns the connection's `AttServer` and `AttClient` and applies the routing rule of Vol 3 Part F
3.3: what a client sends (requests, commands, confirmations) goes to the server, what a server
sends (responses, notifications, indications) goes to the client. An opcode this stack does not
know goes to the server, which answers a request with Request Not Supported and ignores a command
(Vol 3 Part F 3.4.1.1, 3.3). Both sides share one ATT_MTU: whichever side's Exchange MTU finishes,
the other learns the value (Vol 3 Part F 3.4.2). The link's security (`security`) is the bearer's,
checked by the server on every access; `get_timer()` is the earlier of the two transaction
deadlines (Vol 3 Part F 3.3.3).

The contract, as every core's: `receive(pdu, now)`; commands on `server` / `client` take `now`;
`data_to_send()` and `take_events()` (`AttEvent`s, in order); `get_timer()` and
`handle_timer(now)`. A driver calls `data_to_send()`, `take_events()` and `get_timer()` after
each call and does the I/O.
"""

from __future__ import annotations

from aioble_hci.att.client import AttClient
from aioble_hci.att.database import OPEN_LINK, SecurityState
from aioble_hci.att.events import AttEvent
from aioble_hci.att.pdus import Opcode
from aioble_hci.att.server import AttServer
from aioble_hci.att.states import BEARER_TRANSITIONS, BearerState, StateMachine

SERVER_BOUND = frozenset(
    op for op in Opcode if op.name.endswith(("_REQ", "_CMD")) or op == Opcode.HANDLE_VALUE_CFM
)
"""Opcodes a client sends (Vol 3 Part F 3.3): the server's to handle."""
CLIENT_BOUND = frozenset(int(op) for op in Opcode if op not in SERVER_BOUND)
"""Opcodes a server sends (responses, notifications, indications): the client's to handle
(plain ints: the receive path looks every PDU up here)."""
_CLOSED = BearerState.CLOSED  # enum member lookups are slow on the receive path


class AttBearer:
    """The ATT server and client of one connection, routed and sharing one ATT_MTU."""

    def __init__(self, server: AttServer, *, rx_mtu: int = 517,
                 security: SecurityState = OPEN_LINK) -> None:
        self.server = server
        self.client = AttClient(connection=server.connection, rx_mtu=rx_mtu)
        self.security = security
        """The link's security, for the server's permission checks (Vol 3 Part C 10.3)."""
        self._state = StateMachine("ATT bearer", BearerState.OPEN, BEARER_TRANSITIONS)
        self._mtu = server.mtu
        self._outgoing: list[bytes] = []
        self._events: list[AttEvent] = []
        server.join_bearer(self._outgoing, self._events)
        self.client.join_bearer(self._outgoing, self._events)

    @property
    def connection(self) -> object:
        return self.server.connection

    @property
    def mtu(self) -> int:
        """The bearer's ATT_MTU."""
        return self.client.mtu

    @property
    def closed(self) -> bool:
        return self._state.state is BearerState.CLOSED

    def receive(self, pdu: bytes, now: float) -> None:
        """Route one PDU from the peer to the side it is for; never raises for peer input."""
        if self._state.state is _CLOSED or not pdu:
            return
        # ATT_MTU changes only when an Exchange MTU Request (server) or Response (client) arrives
        if pdu[0] in CLIENT_BOUND:
            client = self.client
            client.receive(pdu, now)
            if client.mtu != self._mtu:
                self._mtu = self.server.mtu = client.mtu
        else:
            server = self.server
            server.receive(pdu, now, self.security)
            if server.mtu != self._mtu:
                self._mtu = self.client.mtu = server.mtu

    def data_to_send(self) -> list[bytes]:
        """PDUs of both sides to transmit, in the order they were made."""
        out = self._outgoing
        if not out:
            return []
        # a fresh list for all three (they share it, see join_bearer): no copy on the hot path
        self._outgoing = self.server._outgoing = self.client._outgoing = []
        return out

    def take_events(self) -> list[AttEvent]:
        """Both sides' events since the last call, in order."""
        out = self._events
        if not out:
            return []
        self._events = self.server._events = self.client._events = []  # type: ignore[assignment]
        return out

    def get_timer(self) -> float | None:
        """The earlier of the indication's and the request's transaction deadlines, or None."""
        server, client = self.server.get_timer(), self.client.get_timer()
        if server is None:
            return client
        return server if client is None else min(server, client)

    def handle_timer(self, now: float) -> None:
        """Apply the 30-second rule to both sides (Vol 3 Part F 3.3.3)."""
        self.server.handle_timer(now)
        self.client.handle_timer(now)

    def close(self) -> None:
        """The link is gone: the client fails its procedures (events), the server stops."""
        if self._state.state is BearerState.CLOSED:
            return
        self._state.set_state(BearerState.CLOSED)
        self.server.close()
        self.client.close()
