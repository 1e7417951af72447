"""The L2CAP bearer: one `L2capChannelManager` per ACL connection, glued to the Host.

Every L2CAP frame of a connection on the ATT (0x0004) and LE signalling (0x0005) fixed
channels and on dynamic CIDs goes through its manager (Core Vol 3 Part A); frames the
manager hands on as `FixedChannelData` reach the handler registered with
`register_fixed_channel`. Outgoing frames go to `Host.send_l2cap`, paced by the host's
ACL queue (back-pressure); the signalling RTX runs on loop timers.

This module is the per-link plumbing: wiring to the Host, one `_Link` per connection, and
the loop around the manager (events, pumping frames, RTX timer). The bearer mixes in the
application's channel API (`listen`, `connect`, `connect_ecfc`: channel.py) and the
Connection Parameter Update glue (parameters.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import StatusCode
from aioble_hci.host.connection import Connection
from aioble_hci.host.events import subscribe
from aioble_hci.host.host import Host
from aioble_hci.l2cap import events as l2ev
from aioble_hci.l2cap.coc import ChannelState
from aioble_hci.l2cap.manager import L2capChannelManager, Role
from aioble_hci.l2cap.pdus import FixedCid
from aioble_hci.l2cap.spsm import LinkSecurity, SpsmRegistry

from .channel import ChannelApi, CocChannel, CocListener, L2capChannelError, L2capDisconnectedError
from .parameters import ConnectionUpdater, ParameterLimits, ParameterPolicy, ParameterUpdateGlue

log = logging.getLogger(__name__)

ACL_HIGH_WATER = 32
"""ACL fragments queued in the host before channels stop handing it more K-frames."""
_UPPER_LAYER_CIDS = frozenset({FixedCid.ATT, FixedCid.SMP})
"""Fixed channels whose data goes straight to the registered handler (Vol 3 Part A, 2.1)."""

FixedHandler = Callable[[Connection, bytes], None]
ChannelCallback = Callable[[str, "CocChannel", int], None]
"""`(kind, channel, status)` with kind one of "connect", "disconnect", "recv", "send_ready"."""


class _Link:
    """What the bearer keeps per ACL connection."""

    def __init__(self, connection: Connection, manager: L2capChannelManager) -> None:
        self.connection = connection
        self.manager = manager
        self.timer: asyncio.TimerHandle | None = None
        self.channels: dict[int, CocChannel] = {}
        self.closing: dict[int, CocChannel] = {}
        """Channels we asked to close, until the peer's L2CAP_DISCONNECTION_RSP (or link loss)."""
        self.opening: dict[int, asyncio.Future[CocChannel]] = {}
        self.parameter_update: asyncio.Future[bool] | None = None
        self.closed = False


class L2capBearer(ChannelApi, ParameterUpdateGlue):
    """L2CAP for every connection of one Host. Construct on the host loop, then `attach()`."""

    def __init__(self, host: Host, *, rtx_timeout: float | None = None) -> None:
        self.host = host
        self.servers = SpsmRegistry()
        self.listeners: dict[int, CocListener] = {}
        self.rtx_timeout = rtx_timeout
        self.parameter_limits = ParameterLimits()
        self.parameter_update_policy: ParameterPolicy = lambda _conn, req: self.parameter_limits.allows(req)
        """(Central) accept a peripheral's request? Replaceable by the GAP bearer."""
        self.update_connection: ConnectionUpdater = self._le_connection_update
        """(Central) run the LL connection update after accepting; the GAP bearer may replace it."""
        self._links: dict[int, _Link] = {}
        self._fixed: dict[int, FixedHandler] = {}
        self._callbacks: list[ChannelCallback] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._unsubscribe: list[Callable[[], None]] = []

    # -- wiring -------------------------------------------------------------------------------

    def attach(self) -> L2capBearer:
        """Take the ATT and signalling channels and the dynamic CIDs from the Host."""
        host = self.host
        host.register_fixed_channel(FixedCid.ATT, self._on_frame_fixed(FixedCid.ATT))
        host.register_fixed_channel(FixedCid.LE_SIGNALING, self._on_frame_fixed(FixedCid.LE_SIGNALING))
        host.register_dynamic_channels(self._on_frame)
        self._unsubscribe += [
            host.on_event(ev.LeConnectionComplete, self._on_connected),
            host.on_event(ev.LeEnhancedConnectionComplete, self._on_connected),
            host.on_event(ev.DisconnectionComplete, self._on_disconnected),
            host.on_event(ev.NumberOfCompletedPackets, self._on_completed),
            host.on_event(ev.EncryptionChange, self._on_encryption),
        ]
        host.on_lost(lambda _exc: self._drop_all(StatusCode.CONNECTION_TIMEOUT))
        for conn in list(host.connections.values()):
            self._link(conn)
        return self

    def register_fixed_channel(self, cid: int, handler: FixedHandler) -> None:
        """Receive `(connection, pdu)` of fixed channel `cid` (data the L2CAP manager has no part in).

        ATT (0x0004) is taken from the Host by `attach`; any other fixed CID (e.g. SMP 0x0006)
        is taken from the Host here, so register it once, after the Host's own users.
        """
        self._fixed[cid] = handler
        if cid != FixedCid.LE_SIGNALING:
            # The manager has no part in these frames: the Host hands them to the handler itself
            # (until now, ATT went through this bearer's wrapper, which only looked it up here).
            self.host.register_fixed_channel(cid, handler)

    def on_channel_event(self, callback: ChannelCallback) -> Callable[[], None]:
        """Call `callback(kind, channel, status)` on the host loop for every channel event."""
        return subscribe(self._callbacks, callback)

    def manager(self, connection: Connection) -> L2capChannelManager:
        """The sans-I/O manager of a connection (for tests and conformance experiments)."""
        return self._link(connection).manager

    def send_fixed(self, connection: Connection, cid: int, pdu: bytes) -> None:
        """Send one PDU on a fixed channel (ATT, SMP) of `connection`."""
        self.host.send_l2cap(connection.handle, cid, pdu)

    # -- security ------------------------------------------------------------------------------

    def set_link_security(self, connection: Connection, security: LinkSecurity) -> None:
        """The SMP bearer reports the link's encryption, authentication and key size."""
        self._link(connection).manager.set_link_security(security)

    # -- host callbacks -------------------------------------------------------------------------

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def _link(self, connection: Connection) -> _Link:
        """The link state of a connection, made on first use.

        A closed Connection gets none (raises L2capDisconnectedError): the controller reuses
        handles, and a stale Connection must never replace the live link of the same handle.
        """
        link = self._links.get(connection.handle)
        if link is None or link.connection is not connection:
            if not connection.connected:
                raise L2capDisconnectedError(f"{connection!r} is closed")
            kwargs: dict[str, Any] = {"servers": self.servers, "connection_handle": connection.handle}
            if self.rtx_timeout is not None:
                kwargs["rtx_timeout"] = self.rtx_timeout
            manager = L2capChannelManager(Role(int(connection.role)), **kwargs)
            if connection.encrypted:
                manager.set_link_security(LinkSecurity(encrypted=True, key_size=16))
            link = _Link(connection, manager)
            self._links[connection.handle] = link
        return link

    def _on_connected(self, event: Any) -> None:
        conn = self.host.connections.get(event.connection_handle)
        if event.status == StatusCode.SUCCESS and conn is not None:
            self._link(conn)

    def _on_disconnected(self, event: Any) -> None:
        if event.status != StatusCode.SUCCESS:
            return
        link = self._links.pop(event.connection_handle, None)
        if link is not None:
            self._close_link(link, int(event.reason))

    def _drop_all(self, status: int) -> None:
        for handle in list(self._links):
            self._close_link(self._links.pop(handle), status)

    def _close_link(self, link: _Link, status: int) -> None:
        link.closed = True
        if link.timer is not None:
            link.timer.cancel()
        events = link.manager.close(f"ACL disconnected ({StatusCode(status).name})")
        self._handle(link, events, status)
        if link.parameter_update is not None and not link.parameter_update.done():
            link.parameter_update.set_exception(ConnectionError("the ACL link closed"))

    def _on_completed(self, _event: Any) -> None:
        """ACL buffers came back: links with channels or queued signalling may hand on more."""
        for link in list(self._links.values()):
            if link.channels or link.manager.has_output:
                self._pump(link)

    def _on_encryption(self, event: Any) -> None:
        link = self._links.get(event.connection_handle)
        if link is None or event.status != StatusCode.SUCCESS:
            return
        current = link.manager.link_security
        if event.encryption_enabled:
            key_size = current.key_size or 16
            link.manager.set_link_security(LinkSecurity(True, current.authenticated, key_size))
        else:
            link.manager.set_link_security(LinkSecurity())

    def _on_frame_fixed(self, cid: int) -> FixedHandler:
        return lambda conn, pdu: self._on_frame(conn, cid, pdu)

    def _on_frame(self, connection: Connection, cid: int, pdu: bytes) -> None:
        if cid in _UPPER_LAYER_CIDS:
            # ATT and SMP data leave the manager's state untouched (it only hands them on):
            # deliver directly, the notification receive hot path skips the pump and timer.
            self._to_fixed_handler(connection, cid, pdu)
            return
        link = self._link(connection)
        self._after(link, link.manager.receive_on(cid, pdu, self._now()))

    def _to_fixed_handler(self, connection: Connection, cid: int, pdu: bytes) -> None:
        handler = self._fixed.get(cid)
        if handler is None:
            log.debug("no handler for fixed channel 0x%04x; dropped", cid)
            return
        try:
            handler(connection, pdu)
        except Exception:
            log.exception("fixed channel 0x%04x handler failed", cid)

    def _on_timer(self, link: _Link) -> None:
        link.timer = None
        if not link.closed:
            self._after(link, link.manager.handle_timer(self._now()))

    # -- the loop around the manager ----------------------------------------------------------

    def _after(self, link: _Link, events: list[l2ev.L2capEvent]) -> None:
        """Handle the manager's events, send what it queued, re-arm the RTX timer."""
        self._handle(link, events, 0)
        self._pump(link)
        if link.closed:
            return
        deadline = link.manager.get_timer()
        if link.timer is not None and (deadline is None or link.timer.when() != deadline):
            link.timer.cancel()
            link.timer = None
        if deadline is not None and link.timer is None:
            link.timer = asyncio.get_running_loop().call_at(deadline, self._on_timer, link)

    def _pump(self, link: _Link) -> None:
        """Move the manager's frames to the ACL queue while the host's queue is short."""
        if link.closed or not link.connection.connected:
            return
        host, manager = self.host, link.manager
        if host.acl.queued < ACL_HIGH_WATER:
            for frame in manager.data_to_send():  # whole basic frames, header included
                host.send_l2cap_frame(link.connection.handle, frame)
        if link.channels:
            backlog = host.acl.queued >= ACL_HIGH_WATER
            cores = manager.channels
            for channel in list(link.channels.values()):  # a send_ready callback may close one
                core = cores.get(channel.cid)
                stalled = core is not None and core.queued_frames > 0
                if stalled or backlog:
                    channel._writable.clear()
                else:
                    channel._writable.set()
                if channel.stalled and not stalled:
                    channel.stalled = False
                    self._notify("send_ready", channel, 0)
                elif stalled:
                    channel.stalled = True
        if manager.has_events:  # pumping never queues events, but be safe
            self._handle(link, manager.take_events(), 0)

    def _drained(self, link: _Link, channel: CocChannel) -> None:
        """The application emptied a channel's SDUs: credits flow again."""
        core = link.manager.channels.get(channel.cid)
        if link.closed or core is None or core.state is not ChannelState.OPEN:
            return
        core.auto_credits = True
        # Top the peer up only once it holds half its credits or fewer, as automatic returns do
        # (credits_to_return): above that it can still send, and every K-frame it sends with
        # automatic credits back on checks the threshold again. One credit indication per SDU
        # would cost a signalling packet for every few K-frames.
        missing = core.rx_credit_target - core.rx_credits
        if missing > 0 and core.rx_credits <= core.rx_credit_target // 2:
            link.manager.give_credits(channel.cid, missing, self._now())
            self._after(link, link.manager.take_events())

    def _handle(self, link: _Link, events: list[l2ev.L2capEvent], status: int) -> None:
        for event in events:
            try:
                self._handle_one(link, event, status)
            except Exception:
                log.exception("L2CAP event %r failed", event)
        if link.closing:
            self._settle_closing(link, status)

    def _settle_closing(self, link: _Link, status: int) -> None:
        """Channels whose close we asked for are closed once the manager has let them go: the
        peer answered our L2CAP_DISCONNECTION_REQ (Vol 3 Part A, 4.7), rejected it, the RTX
        expired, or the link went down (`status`, the ACL reason, else 0)."""
        for cid in [cid for cid in link.closing if cid not in link.manager.channels]:
            channel = link.closing.pop(cid)
            channel._close(status)
            self._notify("disconnect", channel, channel.status)

    def _handle_one(self, link: _Link, event: l2ev.L2capEvent, status: int) -> None:
        if isinstance(event, l2ev.FixedChannelData):
            self._to_fixed_handler(link.connection, event.cid, event.pdu)
        elif isinstance(event, l2ev.SduReceived):
            channel = link.channels.get(event.cid)
            if channel is not None:
                core = link.manager.channels.get(event.cid)
                if core is not None:
                    core.auto_credits = False  # held until the application drains the SDU
                channel._deliver(event.sdu)
                self._notify("recv", channel, 0)
        elif isinstance(event, l2ev.ChannelOpened):
            self._opened(link, event)
        elif isinstance(event, l2ev.ChannelOpenFailed):
            future = link.opening.pop(event.cid, None)
            if future is not None and not future.done():
                future.set_exception(L2capChannelError(event.result, event.reason))
        elif isinstance(event, l2ev.ChannelClosed):
            channel = link.channels.pop(event.cid, None)
            if channel is None:
                return
            if not event.by_peer and not status and event.cid in link.manager.channels:
                # We sent L2CAP_DISCONNECTION_REQ: closed for sending and receiving now (incoming
                # data in transit is discarded, Vol 3 Part A, 4.6), reported once answered.
                channel._begin_close()
                link.closing[event.cid] = channel
                return
            channel._close(0 if event.by_peer or not status else status)
            self._notify("disconnect", channel, channel.status)
        elif isinstance(event, l2ev.ChannelReconfigured):
            channel = link.channels.get(event.cid)
            if channel is not None:
                channel.our_mtu, channel.our_mps = event.mtu, event.mps
                channel.peer_mtu, channel.peer_mps = event.peer_mtu, event.peer_mps
        elif isinstance(event, l2ev.ConnectionParameterUpdateRequested):
            self._on_parameter_request(link, event)
        elif isinstance(event, l2ev.ConnectionParameterUpdateAnswered):
            answer = link.parameter_update
            if answer is not None and not answer.done():
                answer.set_result(event.accepted)
        elif isinstance(event, (l2ev.SignalingTimeout, l2ev.CommandRejected)):
            log.info("L2CAP on %r: %r", link.connection, event)

    def _opened(self, link: _Link, event: l2ev.ChannelOpened) -> None:
        channel = CocChannel(self, link, event)
        link.channels[event.cid] = channel
        self._notify("connect", channel, 0)
        if event.initiator:
            future = link.opening.pop(event.cid, None)
            if future is not None and not future.done():
                future.set_result(channel)
            return
        listener = self.listeners.get(event.spsm)
        if listener is not None:
            listener._opened(channel)

    def _notify(self, kind: str, channel: CocChannel, status: int) -> None:
        for callback in list(self._callbacks):
            try:
                callback(kind, channel, status)
            except Exception:
                log.exception("L2CAP channel callback %r failed on %s", callback, kind)

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
