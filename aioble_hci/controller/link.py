"""A connection on the air: two ends and the connection events between them.

Data and link-layer control procedures wait for the next connection event
(Vol 6 Part B, 4.5.1); each event carries at most `Air.packets_per_event` ACL
packets per direction, and only packets queued before the event began: a reply
its peer's host gives to data the event carried goes in the next event, as on a
radio, where the event is over before the host has seen the request. The
sender's controller reports each packet sent in Number Of Completed Packets;
the receiver's host gets it as ACL data.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aioble_hci.controller.constants import PHY_1M, Role, Status

if TYPE_CHECKING:
    import asyncio

    from aioble_hci.controller.air import Air, Deferred
    from aioble_hci.controller.controller import VirtualController

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Connection:
    """One end of a link, as its controller sees it."""

    controller: VirtualController
    handle: int
    role: Role
    peer_address_type: int
    peer_address: bytes
    link: Link | None = None
    peer_rpa: bytes = bytes(6)  # the peer's resolvable private address when its identity was resolved
    tx: deque[tuple[int, bytes]] = field(default_factory=deque)
    encrypted: bool = False
    ltk: bytes | None = None  # the key this end used for the current encryption
    pending_ltk: bytes | None = None  # central: key given in LE Enable Encryption
    awaiting_ltk: bool = False  # peripheral: LTK Request sent, no reply yet
    param_request: tuple[int, int, int, int] | None = None  # central: a peripheral's pending request
    tx_octets: int = 27
    tx_time: int = 328
    tx_phy: int = PHY_1M
    rx_phy: int = PHY_1M
    open: bool = True

    @property
    def peer(self) -> Connection:
        assert self.link is not None
        return self.link.peripheral if self is self.link.central else self.link.central


class Link:
    """The air-side state of one connection between a central and a peripheral."""

    def __init__(
        self, air: Air, central: Connection, peripheral: Connection, interval: int, latency: int, timeout: int
    ) -> None:
        self.air = air
        self.central = central
        self.peripheral = peripheral
        self.interval = interval
        self.latency = latency
        self.timeout = timeout
        self.alive = True
        self._control: list[Callable[[], None]] = []
        self._event: asyncio.TimerHandle | asyncio.Handle | Deferred | None = None
        self._anchor = air.loop.time()
        central.link = self
        peripheral.link = self
        air.links.add(self)

    def ends(self) -> tuple[Connection, Connection]:
        return self.central, self.peripheral

    def send(self, sender: Connection, pb_flag: int, data: bytes) -> None:
        """Queue one ACL packet from `sender`'s host for the next connection event."""
        sender.tx.append((pb_flag, data))
        self._kick()

    def control(self, procedure: Callable[[], None]) -> None:
        """Run a link-layer control procedure at the next connection event."""
        self._control.append(procedure)
        self._kick()

    def _kick(self) -> None:
        if self._event is not None or not self.alive:
            return
        loop = self.air.loop
        step = self.air.event_delay(self.interval)
        if step <= 0:  # fast mode: right after the batch that queued the data (Air.run_batch)
            self._event = self.air.soon(self._connection_event)
            return
        now = loop.time()
        elapsed = now - self._anchor
        events = int(elapsed / step) + 1
        self._event = loop.call_at(self._anchor + events * step, self._connection_event)

    def _connection_event(self) -> None:
        self._event = None
        if not self.alive:
            return
        self._anchor = self.air.loop.time()
        control, self._control = self._control, []
        for procedure in control:
            if not self.alive:
                return
            try:
                procedure()
            except Exception:  # a bug in one procedure must not stop the air
                log.exception("link-layer procedure failed")
        if not self.alive:
            return
        # What each side has queued now is all this event can carry: a packet queued while it
        # runs (a host answering at once what it just received) waits for the next event.
        ready = [(sender, min(len(sender.tx), self.air.packets_per_event)) for sender in self.ends()]
        for sender, count in ready:
            self._transmit(sender, count)
        if self._control or self.central.tx or self.peripheral.tx:
            self._kick()

    def _transmit(self, sender: Connection, count: int) -> None:
        receiver = sender.peer
        sent = 0
        while sender.tx and sent < count:
            pb_flag, data = sender.tx.popleft()
            sent += 1
            if self.air.take_drop():
                log.debug("air: dropped an ACL packet on handle %d", sender.handle)
                continue
            # Host-to-controller "first, non-flushable" arrives as "first, flushable" (Vol 4 Part E, 5.4.2).
            out_flag = 0b10 if pb_flag == 0b00 else pb_flag
            if self.air.packet_delay > 0:
                self.air.loop.call_later(self.air.packet_delay, self._deliver, receiver, out_flag, data)
            else:
                self._deliver(receiver, out_flag, data)
        if sent:
            sender.controller.packets_completed(sender.handle, sent)

    @staticmethod
    def _deliver(receiver: Connection, pb_flag: int, data: bytes) -> None:
        if receiver.open:
            receiver.controller.acl_from_air(receiver.handle, pb_flag, data)

    def terminate(self, initiator: Connection, reason: int) -> None:
        """End the link by a host's request: the peer hears `reason`, the initiator 0x16."""
        if not self.alive:
            return
        self._close()
        initiator.controller.connection_closed(initiator, Status.CONNECTION_TERMINATED_BY_LOCAL_HOST)
        initiator.peer.controller.connection_closed(initiator.peer, reason)

    def fail(self, reason: int) -> None:
        """End the link on both sides with the same reason (e.g. MIC failure 0x3D)."""
        if not self.alive:
            return
        self._close()
        for end in self.ends():
            end.controller.connection_closed(end, reason)

    def lose(self, vanished: VirtualController | None = None) -> None:
        """The radio link is gone: each surviving end times out after the supervision timeout (0x08)."""
        if not self.alive:
            return
        self._close()
        delay = self.air.supervision_delay(self.timeout)
        for end in self.ends():
            if end.controller is vanished:
                end.open = False
                end.controller.forget_connection(end)
            else:
                self.air.loop.call_later(delay, end.controller.connection_closed, end, Status.CONNECTION_TIMEOUT)

    def _close(self) -> None:
        self.alive = False
        self.air.links.discard(self)
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self._control.clear()

    def __repr__(self) -> str:
        return (
            f"<Link central=0x{self.central.handle:04x} peripheral=0x{self.peripheral.handle:04x} alive={self.alive}>"
        )
