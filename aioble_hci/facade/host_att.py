"""The host's ATT bearers as the low-level API uses them: one ATT implementation for every API.

The facade's GATT server and client run on the host's `Gatt` (host/gatt/), attached to the
runtime's Host on first use, with the bearer options MicroPython's order of events needs:

- the event sink: the host's sink (its `Gatt` keeps subscriptions and indications going), then
  the GATT server's or client's IRQs by the event's side (`role_of`);
- procedures report through `AttBearer.start` callbacks, so a GATTC ``*_DONE`` (status 7) comes
  before the disconnect IRQ: the bearer is closed here, in the stack's link-down hook, before
  the stack raises that IRQ;
- the server's events are handed on before its response leaves (NimBLE calls the write
  callback, which raises ``_IRQ_GATTS_WRITE``, before the Write Response is sent);
- before each PDU the link's security comes from the SMP bearer and the preferred MTU from
  ``config(mtu=)``, read live as NimBLE reads them.

There is no automatic MTU exchange: ATT_MTU stays 23 until one side asks (NimBLE parity).
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable
from typing import Any

from aioble_hci.att.database import SecurityState
from aioble_hci.att.events import AttEvent, Role, role_of
from aioble_hci.facade.stack import LinkState, LowLevelStack
from aioble_hci.host.gatt.bearer import AttBearer
from aioble_hci.host.gatt.layer import Gatt, attach_gatt

log = logging.getLogger(__name__)

EXCHANGED_KEY = "att_mtu_exchanged"
"""LinkState.extra: an MTU exchange has run (or started) on this link, from either side."""

Listener = Callable[[LinkState, Any], None]


class HostAtt:
    """The links' `AttBearer`s; the GATT server and client set `server_events` / `client_events`."""

    def __init__(self, stack: LowLevelStack) -> None:
        self.stack = stack
        self.links: dict[int, tuple[LinkState, AttBearer]] = {}
        self.server_events: Listener = lambda link, event: None
        self.client_events: Listener = lambda link, event: None
        stack.on_link_up.append(self._link_up)
        stack.on_link_down.append(self._link_down)

    @property
    def opened(self) -> bool:
        """Whether the runtime's Host is open (from the first activation on)."""
        return self.stack.runtime.host is not None

    @property
    def gatt(self) -> Gatt:
        """The Host's Gatt, attached on first use; OSError ENODEV before the first activation."""
        host = self.stack.runtime.host
        if host is None:
            raise OSError(errno.ENODEV, "BLE is not active")
        return attach_gatt(host, preferred_mtu=self.stack.settings.mtu)

    def bearer(self, conn_handle: int) -> AttBearer:
        """The bearer of a connected link; OSError ENOTCONN otherwise."""
        entry = self.links.get(conn_handle)
        if entry is None or entry[1].closed:
            raise OSError(errno.ENOTCONN, "not connected")
        return entry[1]

    def link(self, conn_handle: int) -> LinkState:
        entry = self.links.get(conn_handle)
        if entry is None:
            raise OSError(errno.ENOTCONN, "not connected")
        return entry[0]

    def bearers(self) -> list[tuple[LinkState, AttBearer]]:
        return [entry for entry in self.links.values() if not entry[1].closed]

    # --- links ------------------------------------------------------------------------------

    def _link_up(self, link: LinkState) -> None:
        host = self.stack.runtime.host
        connection = None if host is None else host.connections.get(link.handle)
        if connection is None or not connection.connected:
            log.debug("no host connection behind link 0x%03x: no ATT bearer", link.handle)
            return
        bearer = self.gatt.bearer(connection)
        bearer.events_before_response = True
        bearer.before_receive = self._refresh
        host_sink = bearer.sink

        def sink(event: AttEvent) -> None:
            host_sink(event)
            if role_of(event) is Role.SERVER:
                self.server_events(link, event)
            else:
                self.client_events(link, event)

        bearer.sink = sink
        bearer.client.rx_mtu = self.stack.settings.mtu
        self._refresh(bearer)
        self.links[link.handle] = (link, bearer)

    def _link_down(self, link: LinkState, reason: int) -> None:
        """Close the bearer now: its procedures end (DONE, status 7) before the disconnect IRQ."""
        entry = self.links.pop(link.handle, None)
        if entry is not None:
            entry[1].close()

    def _refresh(self, bearer: AttBearer) -> None:
        bearer.server.rx_mtu = self.stack.settings.mtu
        bearer.security = self._security(bearer.connection)

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
