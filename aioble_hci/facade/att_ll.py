"""The ATT bearer of each link for the low-level API: one AttServer and one AttClient sharing ATT_MTU.

Incoming PDUs on the fixed channel 0x0004 (Vol 3 Part A, 2.1) go to the server
(requests, commands, confirmations) or the client (responses, notifications,
indications). There is no automatic MTU exchange: ATT_MTU stays 23 until one
side asks (NimBLE parity; aioble-api.md 14).
"""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Callable
from typing import Any

from aioble_hci.att import client as client_module
from aioble_hci.att import pdus
from aioble_hci.att import server as server_module
from aioble_hci.att.client import AttClient
from aioble_hci.att.database import AttributeDatabase, SecurityState
from aioble_hci.att.server import AttServer
from aioble_hci.facade.stack import LinkState, LowLevelStack
from aioble_hci.l2cap.pdus import FixedCid

log = logging.getLogger(__name__)

ATT_CID = int(FixedCid.ATT)
_TO_SERVER = frozenset(pdus.REQUEST_OPCODES) | {int(pdus.Opcode.HANDLE_VALUE_CFM)}


class AttLink:
    """Server + client of one connection."""

    def __init__(self, link: LinkState, db: AttributeDatabase, rx_mtu: int) -> None:
        self.link = link
        self.server = AttServer(db, connection=link, rx_mtu=rx_mtu)
        self.client = AttClient(connection=link, rx_mtu=rx_mtu)
        self.mtu_exchanged = False
        # One ATT transaction timer per direction (Vol 3 Part F 3.3.3), re-armed per transaction.
        self.timers: dict[str, asyncio.TimerHandle] = {}

    @property
    def mtu(self) -> int:
        return self.server.mtu

    def set_mtu(self, mtu: int) -> None:
        self.server.mtu = mtu
        self.client.mtu = mtu
        self.mtu_exchanged = True


class AttBearers:
    """Owns the per-link `AttLink`s and routes PDUs; GATT server/client logic registers event sinks."""

    def __init__(self, stack: LowLevelStack, database: Callable[[], AttributeDatabase]) -> None:
        self.stack = stack
        self._database = database
        self.links: dict[int, AttLink] = {}
        self.server_events: Callable[[AttLink, list[Any]], None] = lambda link, events: None
        self.client_events: Callable[[AttLink, list[Any]], None] = lambda link, events: None
        self._registered = False
        stack.on_link_up.append(self._link_up)
        stack.on_link_down.append(self._link_down)

    def _link_up(self, link: LinkState) -> None:
        if not self._registered:
            self._registered = True
            assert self.stack.l2cap is not None
            self.stack.l2cap.register_fixed_channel(ATT_CID, self._receive)
        self.links[link.handle] = AttLink(link, self._database(), self.stack.settings.mtu)

    def _link_down(self, link: LinkState, reason: int) -> None:
        att = self.links.pop(link.handle, None)
        if att is not None:
            for timer in att.timers.values():
                timer.cancel()
            att.timers.clear()
            self.client_events(att, att.client.close())
            att.server.close()

    def get(self, conn_handle: int) -> AttLink:
        att = self.links.get(conn_handle)
        if att is None:
            raise OSError(errno.ENOTCONN, "not connected")
        return att

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def send(self, att: AttLink, pdu: bytes) -> None:
        host = self.stack.runtime.host
        if host is not None and att.link.handle in host.connections:
            host.send_l2cap(att.link.handle, ATT_CID, pdu)

    def flush_client(self, att: AttLink) -> None:
        for pdu in att.client.data_to_send():
            self.send(att, pdu)
            if pdu[0] in pdus.REQUEST_OPCODES:
                self._arm(att, "client", client_module.TRANSACTION_TIMEOUT)

    def send_indication(self, att: AttLink, pdu: bytes) -> None:
        """Send a Handle Value Indication and start the server's transaction timer."""
        self.send(att, pdu)
        self._arm(att, "server", server_module.TRANSACTION_TIMEOUT)

    def _arm(self, att: AttLink, direction: str, delay: float) -> None:
        """(Re)start `direction`'s transaction timer; the core's poll decides whether it expired."""
        previous = att.timers.pop(direction, None)
        if previous is not None:
            previous.cancel()

        def fire() -> None:
            att.timers.pop(direction, None)
            if self.links.get(att.link.handle) is not att:
                return
            if direction == "client":
                self.client_events(att, att.client.poll(self.now()))
                self.flush_client(att)
            else:
                self.server_events(att, att.server.poll(self.now()))

        att.timers[direction] = asyncio.get_running_loop().call_later(delay + 1e-3, fire)

    def _security(self, connection: Any) -> SecurityState:
        """What the link offers, for the attribute permission checks (Vol 3 Part C, 10.3)."""
        provider, bonded_peer = self.stack.security_of, self.stack.peer_bonded
        # Vol 3 Part C 10.3.1: a peer we hold an LTK for is told to encrypt (0x0F), not to pair.
        bonded = bonded_peer is not None and bonded_peer(connection)
        if provider is None:
            return SecurityState(encrypted=bool(getattr(connection, "encrypted", False)), bonded=bonded)
        state = provider(connection)
        return SecurityState(encrypted=state.encrypted, authenticated=state.authenticated,
                             key_size=state.key_size, bonded=state.bonded or bonded)

    def _receive(self, connection: Any, pdu: bytes) -> None:
        att = self.links.get(connection.handle)
        if att is None or not pdu:
            return
        now = self.now()
        if pdu[0] in _TO_SERVER or pdu[0] & pdus.COMMAND_FLAG:
            security = self._security(connection)
            att.server.rx_mtu = self.stack.settings.mtu
            output = att.server.receive(pdu, security, now)
            self.server_events(att, output.events)
            if output.response is not None:
                self.send(att, output.response)
        else:
            events = att.client.receive(pdu, now)
            self.flush_client(att)
            self.client_events(att, events)
            self.flush_client(att)
