"""Credit-based channels as the application sees them (Core Vol 3 Part A, 10.1).

`CocChannel` is one open LE or enhanced credit-based channel with `send()`, `receive()`, a
MicroPython-like `recvinto()` and `disconnect()`; `CocListener` is a registered server SPSM
whose `accept()` gives the channels peers open on it; `ChannelApi` is the part of
`L2capBearer` that makes them (`listen`, `connect`, `connect_ecfc`). All run on the host
loop and drive the per-link plumbing of the bearer (bearer.py), which feeds them.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from aioble_hci.errors import RemoteProtocolError
from aioble_hci.l2cap import events as l2ev
from aioble_hci.l2cap.manager import L2capUsageError
from aioble_hci.l2cap.spsm import Acceptor, CocServer, SecurityRequirement

if TYPE_CHECKING:
    from aioble_hci.host.connection import Connection
    from aioble_hci.l2cap.spsm import SpsmRegistry

    from .bearer import L2capBearer, _Link


class L2capChannelError(RemoteProtocolError):
    """A credit-based channel could not be opened; `result` is the response's result code
    (None for Command Reject, RTX timeout or link loss)."""

    def __init__(self, result: int | None, reason: str) -> None:
        self.result = result
        self.reason = reason
        code = "no result" if result is None else f"result 0x{result:04X}"
        super().__init__(f"L2CAP channel refused ({code}): {reason}")


class L2capDisconnectedError(RemoteProtocolError, ConnectionError):
    """The channel is closed (by either side or because the ACL link went away)."""


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
        """Close the channel (L2CAP_DISCONNECTION_REQ) and wait for the peer's answer (or the link's
        loss, or the RTX timeout); no-op when already closed."""
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

    def _begin_close(self) -> None:
        """We asked the peer to close: no more sending or receiving; `closed()` waits for its answer."""
        self.connected = False
        self._readable.set()
        self._writable.set()

    def _close(self, status: int) -> None:
        if self._closed.is_set():
            return
        self.connected = False
        self.status = status
        self._closed.set()
        self._readable.set()
        self._writable.set()


class CocListener:
    """A registered server SPSM; `accept()` gives the next channel a peer opened on it."""

    def __init__(self, bearer: ChannelApi, server: CocServer) -> None:
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


class ChannelApi:
    """How the application opens channels: the credit-based part of `L2capBearer`."""

    if TYPE_CHECKING:
        servers: SpsmRegistry
        listeners: dict[int, CocListener]

        def _link(self, connection: Connection) -> _Link: ...
        def _now(self) -> float: ...
        def _after(self, link: _Link, events: list[l2ev.L2capEvent]) -> None: ...

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
