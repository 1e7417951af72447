"""L2CAP credit-based channels for the low-level API (l2cap_listen/connect/send/recvinto/disconnect).

Built on the host's L2CAP bearer. As in MicroPython: one listening PSM; receiving
serves one SDU at a time, with just enough credits for one SDU
(ceil((mtu + 2) / mps)) returned when the application has drained it; `send`
returns False when the channel is stalled (wait for L2CAP_SEND_READY).
"""

from __future__ import annotations

import asyncio
import errno
import logging
from typing import Any

from aioble_hci.facade.irq import Irq
from aioble_hci.facade.stack import LowLevelStack
from aioble_hci.host.l2cap import CocChannel, L2capChannelError, L2capDisconnectedError
from aioble_hci.l2cap.pdus import LeCreditBasedConnectionResult
from aioble_hci.l2cap.spsm import ConnectionRequestInfo

log = logging.getLogger(__name__)

MAX_MPS = 247
FLUSH_TIMEOUT = 5.0  # seconds an l2cap_disconnect waits for queued K-frames to reach the controller


def _mps(mtu: int) -> int:
    return max(23, min(mtu, MAX_MPS))


def _credits(mtu: int) -> int:
    """Enough K-frames for one whole SDU (its 2-octet length header included)."""
    mps = _mps(mtu)
    return max(1, -(-(mtu + 2) // mps))


class L2cap:
    """The channels of one `LowLevelStack`, keyed by (conn_handle, cid)."""

    def __init__(self, stack: LowLevelStack) -> None:
        self.stack = stack
        self.channels: dict[tuple[int, int], CocChannel] = {}
        self.draining: dict[tuple[int, int], CocChannel] = {}
        self.told_stalled: set[tuple[int, int]] = set()  # l2cap_send returned False; SEND_READY owed
        """Closed channels: l2cap_recvinto still reads out what arrived before the close, then
        gives 0 (a read loop racing the peer's close ends cleanly), until a new link takes the
        handle."""
        self.listening: int | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._hooked = False
        stack.on_deactivate.append(self._reset)
        stack.on_link_up.append(self._link_up)

    def _bearer(self) -> Any:
        bearer = self.stack.l2cap
        if bearer is None:
            raise OSError(errno.ENODEV, "BLE is not active")
        if not self._hooked:
            self._hooked = True
            bearer.on_channel_event(self._on_channel_event)
        return bearer

    def _reset(self) -> None:
        bearer = self.stack.l2cap
        if bearer is not None and self.listening is not None:
            bearer.unlisten(self.listening)
        self.listening = None
        self.channels.clear()
        self.draining.clear()
        self.told_stalled.clear()

    def _link_up(self, link: Any) -> None:
        for key in [key for key in self.draining if key[0] == link.handle]:
            del self.draining[key]  # a new link took the handle: the old channels' data is gone

    # --- calls -------------------------------------------------------------------------

    def listen(self, psm: int, mtu: int) -> None:
        bearer = self._bearer()
        if self.listening is not None:
            bearer.unlisten(self.listening)
        bearer.listen(psm, mtu=mtu, mps=_mps(mtu), credits=_credits(mtu), acceptor=self._acceptor(psm, mtu))
        self.listening = psm

    def _acceptor(self, psm: int, mtu: int) -> Any:
        def accept(info: ConnectionRequestInfo) -> LeCreditBasedConnectionResult | None:
            # As NimBLE (ble_l2cap_get_chan_info's scid): the CID the channel gets on our side.
            conn = info.connection_handle if info.connection_handle is not None else 0xFFFF
            cid = info.local_cids[0] if info.local_cids else 0
            status = self.stack.irq(Irq.L2CAP_ACCEPT, (conn, cid, psm, mtu, info.peer_mtu))
            if status:
                try:
                    return LeCreditBasedConnectionResult(int(status))
                except ValueError:
                    return LeCreditBasedConnectionResult.NO_RESOURCES_AVAILABLE
            return None

        return accept

    def connect(self, conn: int, psm: int, mtu: int) -> None:
        bearer = self._bearer()
        connection = self.stack.connection(conn)
        task = asyncio.get_running_loop().create_task(
            self._connect(bearer, connection, conn, psm, mtu), name=f"l2cap connect {conn}/{psm}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _connect(self, bearer: Any, connection: Any, conn: int, psm: int, mtu: int) -> None:
        try:
            await bearer.connect(connection, psm, mtu=mtu, mps=_mps(mtu), credits=_credits(mtu))
        except L2capChannelError as exc:
            self.stack.irq(Irq.L2CAP_DISCONNECT, (conn, 0, psm, int(exc.result or 0)))
        except Exception as exc:  # the link went away, or the manager refused
            log.debug("l2cap_connect failed: %s", exc)
            self.stack.irq(Irq.L2CAP_DISCONNECT, (conn, 0, psm, 7))

    def _channel(self, conn: int, cid: int) -> CocChannel:
        channel = self.channels.get((conn, cid))
        if channel is None or not channel.connected:
            raise OSError(errno.ENOTCONN, "no such L2CAP channel")
        return channel

    def disconnect(self, conn: int, cid: int) -> None:
        """Start an orderly close: L2CAP_DISCONNECT (status 0) follows the peer's answer."""
        channel = self._channel(conn, cid)
        task = asyncio.get_running_loop().create_task(self._disconnect(channel))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _disconnect(channel: CocChannel) -> None:
        """SDUs l2cap_send took whole (it returned True) still reach the peer: K-frames our ACL
        queue held back go first, then the L2CAP_DISCONNECTION_REQ. A stalled channel's rest is
        dropped, as NimBLE drops an SDU still waiting for credits."""
        if not channel.stalled:
            try:
                await asyncio.wait_for(channel.flush(), FLUSH_TIMEOUT)
            except (TimeoutError, L2capDisconnectedError):
                pass
        await channel.disconnect()

    def send(self, conn: int, cid: int, data: bytes) -> bool:
        channel = self._channel(conn, cid)
        if len(data) > channel.peer_mtu:
            raise OSError(errno.EINVAL, f"SDU of {len(data)} bytes exceeds the peer's MTU {channel.peer_mtu}")
        try:
            sent = channel.try_send(data)
        except L2capDisconnectedError as exc:
            raise OSError(errno.ENOTCONN, str(exc)) from None
        if not sent:
            self.told_stalled.add((conn, cid))
        return sent

    def recvinto(self, conn: int, cid: int, buf: Any) -> int:
        key = (conn, cid)
        channel = self.channels.get(key) or self.draining.get(key)
        if channel is None:
            raise OSError(errno.ENOTCONN, "no such L2CAP channel")
        return channel.recvinto(buf)  # a drained closed channel gives 0, as an empty open one

    # --- events -------------------------------------------------------------------------

    def _on_channel_event(self, kind: str, channel: CocChannel, status: int) -> None:
        conn = channel.connection.handle
        key = (conn, channel.cid)
        if kind == "connect":
            self.channels[key] = channel
            self.stack.irq(Irq.L2CAP_CONNECT, (conn, channel.cid, channel.spsm, channel.our_mtu, channel.peer_mtu))
        elif kind == "recv":
            self.stack.irq(Irq.L2CAP_RECV, (conn, channel.cid))
        elif kind == "send_ready":
            # Only after an l2cap_send that returned False, as NimBLE's TX_UNSTALLED follows a
            # stalled send: a stray SEND_READY would release an application's wait too early.
            if key in self.told_stalled:
                self.told_stalled.discard(key)
                self.stack.irq(Irq.L2CAP_SEND_READY, (conn, channel.cid, status))
        elif kind == "disconnect":
            # The NimBLE binding raises it with status 0 however the channel closed (the peer's
            # request, the answer to ours, or the link's loss).
            self.channels.pop(key, None)
            self.told_stalled.discard(key)
            self.draining[key] = channel
            self.stack.irq(Irq.L2CAP_DISCONNECT, (conn, channel.cid, channel.spsm, 0))
