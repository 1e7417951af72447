"""The L2CAP bearer: one `L2capChannelManager` per ACL connection, glued to the Host.

Every L2CAP frame of a connection on the ATT (0x0004) and LE signalling (0x0005) fixed
channels and on dynamic CIDs goes through its manager (Core Vol 3 Part A); frames the
manager hands on as `FixedChannelData` reach the handler registered with
`register_fixed_channel`. Outgoing frames go to `Host.send_l2cap`, paced by the host's
ACL queue (back-pressure); the signalling RTX runs on loop timers.

Credit-based channels (Vol 3 Part A, 10.1): `listen()` registers a server SPSM,
`connect()` / `connect_ecfc()` open channels, each a `CocChannel` with `send()`,
`receive()`, a MicroPython-like `recvinto()` and `disconnect()`. Synchronous callbacks
(`on_channel_event`) report connect, disconnect, recv and send-ready on the host loop.
Connection Parameter Update requests (Vol 3 Part A, 4.20) are answered as central
through `parameter_update_policy` and `update_connection` (hooks for the GAP bearer).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aioble_hci.hci import events as ev
from aioble_hci.hci.commands import LeConnectionUpdate
from aioble_hci.hci.constants import StatusCode
from aioble_hci.host.connection import Connection
from aioble_hci.host.host import Host
from aioble_hci.l2cap import events as l2ev
from aioble_hci.l2cap.coc import ChannelState
from aioble_hci.l2cap.manager import L2capChannelManager, L2capUsageError, Role
from aioble_hci.l2cap.pdus import FixedCid, decode_basic_frame
from aioble_hci.l2cap.spsm import (
    Acceptor,
    CocServer,
    LinkSecurity,
    SecurityRequirement,
    SpsmRegistry,
)

log = logging.getLogger(__name__)

ACL_HIGH_WATER = 32
"""ACL fragments queued in the host before channels stop handing it more K-frames."""
_UPPER_LAYER_CIDS = frozenset({FixedCid.ATT, FixedCid.SMP})
"""Fixed channels whose data goes straight to the registered handler (Vol 3 Part A, 2.1)."""

FixedHandler = Callable[[Connection, bytes], None]
ChannelCallback = Callable[[str, "CocChannel", int], None]
"""`(kind, channel, status)` with kind one of "connect", "disconnect", "recv", "send_ready"."""
ParameterPolicy = Callable[[Connection, l2ev.ConnectionParameterUpdateRequested], bool]
ConnectionUpdater = Callable[[Connection, l2ev.ConnectionParameterUpdateRequested], Awaitable[None]]


class L2capChannelError(Exception):
    """A credit-based channel could not be opened; `result` is the response's result code
    (None for Command Reject, RTX timeout or link loss)."""

    def __init__(self, result: int | None, reason: str) -> None:
        self.result = result
        self.reason = reason
        code = "no result" if result is None else f"result 0x{result:04X}"
        super().__init__(f"L2CAP channel refused ({code}): {reason}")


class L2capDisconnectedError(ConnectionError):
    """The channel is closed (by either side or because the ACL link went away)."""


@dataclass(frozen=True)
class ParameterLimits:
    """What a central accepts in a Connection Parameter Update request (spec units)."""

    interval_min: int = 0x0006
    interval_max: int = 0x0C80
    max_latency: int = 0x01F3
    timeout_min: int = 0x000A
    timeout_max: int = 0x0C80

    def allows(self, req: l2ev.ConnectionParameterUpdateRequested) -> bool:
        return (
            req.interval_min >= self.interval_min
            and req.interval_max <= self.interval_max
            and req.latency <= self.max_latency
            and self.timeout_min <= req.timeout <= self.timeout_max
        )


class CocChannel:
    """One open LE credit-based (or enhanced) channel; use on the host loop.

    Receiving serves one SDU at a time: while a whole SDU waits for the application, no
    more credits are returned to the peer; draining it (by `receive()` or `recvinto()`)
    returns them, as MicroPython's `l2cap_recvinto` does.
    """

    def __init__(self, bearer: L2capBearer, link: _Link, opened: l2ev.ChannelOpened) -> None:
        self._bearer = bearer
        self._link = link
        self.connection = link.connection
        self.cid = opened.cid
        self.peer_cid = opened.peer_cid
        self.spsm = opened.spsm
        self.our_mtu = opened.mtu
        self.our_mps = opened.mps
        self.peer_mtu = opened.peer_mtu
        self.peer_mps = opened.peer_mps
        self.enhanced = opened.enhanced
        self.initiator = opened.initiator
        self.connected = True
        self.status = 0
        """Why the channel closed: 0 for an L2CAP disconnection, else the ACL disconnect reason."""
        self.stalled = False
        self._sdus: deque[bytes] = deque()
        self._current = memoryview(b"")
        self._readable = asyncio.Event()
        self._writable = asyncio.Event()
        self._writable.set()
        self._closed = asyncio.Event()

    def __repr__(self) -> str:
        state = "open" if self.connected else "closed"
        return f"<CocChannel 0x{self.cid:04X} spsm=0x{self.spsm:02X} {state} on {self.connection!r}>"

    # -- sending ----------------------------------------------------------------------------

    def try_send(self, sdu: bytes) -> bool:
        """Queue one SDU (at most `peer_mtu` octets); False when the channel is now stalled
        (out of credits: wait for send-ready before the next one)."""
        self._require_open()
        if len(sdu) > self.peer_mtu:
            raise ValueError(f"SDU of {len(sdu)} octets exceeds the peer's MTU {self.peer_mtu}")
        self._link.manager.send_sdu(self.cid, bytes(sdu))
        self._bearer._pump(self._link)
        return not self.stalled

    async def send(self, sdu: bytes) -> None:
        """Send one SDU, waiting first until the previous one has left for the controller
        (credits and the host's ACL queue allow it)."""
        await self.flush()
        self.try_send(sdu)

    async def flush(self) -> None:
        """Wait until every queued K-frame has been handed to the controller queue."""
        while True:
            self._require_open()
            if not self.stalled and self._writable.is_set():
                return
            await self._wait_for(self._writable)

    async def _wait_for(self, event: asyncio.Event) -> None:
        """Wait until `event` is set or the channel closes: `_close` sets both `_readable` and
        `_writable`, so one plain wait covers both (no tasks per wait on the data path)."""
        await event.wait()

    # -- receiving --------------------------------------------------------------------------

    def available(self) -> int:
        """Octets left in the current SDU, or the length of the next queued one (0: none)."""
        if len(self._current):
            return len(self._current)
        return len(self._sdus[0]) if self._sdus else 0

    def recvinto(self, buf: bytearray | memoryview | None) -> int:
        """Copy up to len(buf) octets of the current SDU; `recvinto(None)` gives what remains.

        When the SDU is drained, credits go back to the peer so it may send the next one.
        """
        if not len(self._current) and self._sdus:
            self._current = memoryview(self._sdus.popleft())
        if buf is None:
            return len(self._current)
        count = min(len(buf), len(self._current))
        buf[:count] = self._current[:count]
        self._current = self._current[count:]
        self._after_read()
        return count

    async def wait_readable(self) -> None:
        """Wait until an SDU (or the rest of one) is there; raises when the channel closes empty."""
        while not self.available():
            if not self.connected:
                raise L2capDisconnectedError(f"channel 0x{self.cid:04X} closed")
            await self._wait_for(self._readable)

    async def receive(self) -> bytes:
        """The next whole SDU (or the unread rest of the current one)."""
        await self.wait_readable()
        if len(self._current):
            data, self._current = bytes(self._current), memoryview(b"")
        else:
            data = self._sdus.popleft()
        self._after_read()
        return data

    def _after_read(self) -> None:
        if len(self._current) or self._sdus:
            return
        self._readable.clear()
        self._bearer._drained(self._link, self)

    # -- closing ----------------------------------------------------------------------------

    async def disconnect(self) -> None:
        """Close the channel (L2CAP_DISCONNECTION_REQ); no-op when already closed."""
        if self.connected:
            try:
                self._link.manager.disconnect(self.cid, self._bearer._now())
            except L2capUsageError:
                pass
            self._bearer._after(self._link, self._link.manager.take_events())
        await self._closed.wait()

    async def closed(self) -> int:
        """Wait until the channel is closed; returns `status`."""
        await self._closed.wait()
        return self.status

    def _require_open(self) -> None:
        if not self.connected:
            raise L2capDisconnectedError(f"channel 0x{self.cid:04X} is closed")

    def _deliver(self, sdu: bytes) -> None:
        self._sdus.append(sdu)
        self._readable.set()

    def _close(self, status: int) -> None:
        if not self.connected:
            return
        self.connected = False
        self.status = status
        self._closed.set()
        self._readable.set()
        self._writable.set()


class CocListener:
    """A registered server SPSM; `accept()` gives the next channel a peer opened on it."""

    def __init__(self, bearer: L2capBearer, server: CocServer) -> None:
        self._bearer = bearer
        self.server = server
        self._incoming: asyncio.Queue[CocChannel] = asyncio.Queue()
        self.on_channel: Callable[[CocChannel], None] | None = None

    @property
    def spsm(self) -> int:
        return self.server.spsm

    async def accept(self, connection: Connection | None = None) -> CocChannel:
        """The next channel opened by a peer (on `connection`, when given)."""
        while True:
            channel = await self._incoming.get()
            if connection is None or channel.connection is connection:
                return channel

    def close(self) -> None:
        self._bearer.unlisten(self.spsm)

    def _opened(self, channel: CocChannel) -> None:
        if self.on_channel is not None:
            self.on_channel(channel)
        self._incoming.put_nowait(channel)


class _Link:
    """What the bearer keeps per ACL connection."""

    def __init__(self, connection: Connection, manager: L2capChannelManager) -> None:
        self.connection = connection
        self.manager = manager
        self.timer: asyncio.TimerHandle | None = None
        self.channels: dict[int, CocChannel] = {}
        self.opening: dict[int, asyncio.Future[CocChannel]] = {}
        self.parameter_update: asyncio.Future[bool] | None = None
        self.closed = False


class L2capBearer:
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
        self._callbacks.append(callback)
        return lambda: self._callbacks.remove(callback) if callback in self._callbacks else None

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

    # -- credit-based channels ----------------------------------------------------------------

    def listen(
        self,
        spsm: int,
        mtu: int = 512,
        mps: int = 247,
        credits: int = 8,
        security: SecurityRequirement | None = None,
        acceptor: Acceptor | None = None,
    ) -> CocListener:
        """Accept channels on `spsm` with our receive MTU/MPS and initial credits.

        `acceptor(info)` is called on the host loop for each request that passes the security
        check; `info.connection_handle` and `info.local_cids` say which link it came on and
        which CID it will get. It returns None to accept or the refusal result.
        """
        server = CocServer(
            spsm, mtu, mps, credits, security or SecurityRequirement(), acceptor=acceptor
        )
        self.servers.register(server)
        listener = CocListener(self, server)
        self.listeners[spsm] = listener
        return listener

    def unlisten(self, spsm: int) -> None:
        self.servers.unregister(spsm)
        self.listeners.pop(spsm, None)

    async def connect(
        self, connection: Connection, spsm: int, mtu: int = 512, mps: int = 247, credits: int = 8
    ) -> CocChannel:
        """Open an LE credit-based channel (Vol 3 Part A, 4.22); raises L2capChannelError."""
        link = self._link(connection)
        cid = link.manager.connect_coc(spsm, mtu, mps, credits, now=self._now())
        future = self._expect(link, cid)
        self._after(link, link.manager.take_events())
        return await future

    async def connect_ecfc(
        self,
        connection: Connection,
        spsm: int,
        count: int,
        mtu: int = 512,
        mps: int = 247,
        credits: int = 8,
    ) -> list[CocChannel]:
        """Open 1-5 enhanced credit-based channels at once (Vol 3 Part A, 4.25); returns those
        the peer accepted, raising L2capChannelError when it accepted none."""
        link = self._link(connection)
        cids = link.manager.connect_ecfc(spsm, count, mtu, mps, credits, now=self._now())
        futures = [self._expect(link, cid) for cid in cids]
        self._after(link, link.manager.take_events())
        results = await asyncio.gather(*futures, return_exceptions=True)
        opened = [r for r in results if isinstance(r, CocChannel)]
        if not opened:
            error = next(r for r in results if isinstance(r, BaseException))
            raise error
        return opened

    def _expect(self, link: _Link, cid: int) -> asyncio.Future[CocChannel]:
        future: asyncio.Future[CocChannel] = asyncio.get_running_loop().create_future()
        link.opening[cid] = future
        return future

    # -- connection parameters ------------------------------------------------------------------

    async def request_connection_parameter_update(
        self, connection: Connection, interval_min: int, interval_max: int, latency: int, timeout: int
    ) -> bool:
        """(Peripheral) ask the central for new parameters; True when it accepted."""
        link = self._link(connection)
        if link.parameter_update is not None and not link.parameter_update.done():
            raise L2capUsageError("a connection parameter update request is already pending")
        link.manager.request_connection_parameter_update(
            interval_min, interval_max, latency, timeout, now=self._now()
        )
        link.parameter_update = asyncio.get_running_loop().create_future()
        self._after(link, link.manager.take_events())
        return await link.parameter_update

    async def _le_connection_update(
        self, connection: Connection, req: l2ev.ConnectionParameterUpdateRequested
    ) -> None:
        await self.host.send_command(
            LeConnectionUpdate(
                connection.handle, req.interval_min, req.interval_max, req.latency, req.timeout
            )
        )

    def _on_parameter_request(self, link: _Link, req: l2ev.ConnectionParameterUpdateRequested) -> None:
        """Vol 3 Part A, 4.20-4.21: answer, then (when accepted) start the LL update."""
        try:
            accept = bool(self.parameter_update_policy(link.connection, req))
        except Exception:
            log.exception("connection parameter policy failed; refusing")
            accept = False
        link.manager.answer_connection_parameter_update(req.identifier, accept)
        if accept:
            self._spawn(self._run_update(link.connection, req))

    async def _run_update(self, connection: Connection, req: l2ev.ConnectionParameterUpdateRequested) -> None:
        try:
            await self.update_connection(connection, req)
        except Exception as exc:
            log.warning("LE connection update on %r failed: %s", connection, exc)

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
            self._after(link, link.manager.handle_timeout(self._now()))

    # -- the loop around the manager ----------------------------------------------------------

    def _after(self, link: _Link, events: list[l2ev.L2capEvent]) -> None:
        """Handle the manager's events, send what it queued, re-arm the RTX timer."""
        self._handle(link, events, 0)
        self._pump(link)
        if link.closed:
            return
        deadline = link.manager.next_timeout()
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
            for frame in manager.data_to_send():
                cid, payload = decode_basic_frame(frame)
                host.send_l2cap(link.connection.handle, cid, payload)
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
            if channel is not None:
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


def use_gap(bearer: L2capBearer, gap: Any) -> None:
    """Let the GAP bearer decide and run Connection Parameter Updates (its limits and procedure)."""
    from aioble_hci.host.gap.config import ConnectionParameters

    def policy(conn: Connection, req: l2ev.ConnectionParameterUpdateRequested) -> bool:
        return bool(gap.accept_l2cap_parameter_request(conn, req.interval_min, req.interval_max, req.latency, req.timeout))

    async def update(conn: Connection, req: l2ev.ConnectionParameterUpdateRequested) -> None:
        params = ConnectionParameters(
            interval_min=req.interval_min,
            interval_max=req.interval_max,
            latency=req.latency,
            supervision_timeout=req.timeout,
        )
        await gap.update_connection(conn, params)

    bearer.parameter_update_policy = policy
    bearer.update_connection = update


def attach_l2cap(host: Host) -> L2capBearer:
    """The Host's L2capBearer, made and attached on first call (on the host loop) and kept as
    `host.l2cap`; wired to the GAP bearer when `host.gap` exists."""
    existing = getattr(host, "l2cap", None)
    if isinstance(existing, L2capBearer):
        return existing
    bearer = L2capBearer(host).attach()
    gap = getattr(host, "gap", None)
    if gap is not None:
        use_gap(bearer, gap)
    setattr(host, "l2cap", bearer)  # noqa: B010 - Host has no typed slot for bearers yet
    return bearer
