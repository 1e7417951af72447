"""L2CAP LE credit-based connection-oriented channels (aioble-api.md section 11;
Core Vol 3 Part A sections 4.22 to 4.24 and 10).
"""

from __future__ import annotations

from typing import Any

from . import core
from .core import ThreadSafeFlag, ble, register_irq_handler, to_bytes
from .device import DeviceConnection

_IRQ_L2CAP_ACCEPT = 22
_IRQ_L2CAP_CONNECT = 23
_IRQ_L2CAP_DISCONNECT = 24
_IRQ_L2CAP_RECV = 25
_IRQ_L2CAP_SEND_READY = 26

# Status reported to a channel whose link went away without an L2CAP disconnect event.
_STATUS_LINK_LOST = 0x13

# Once listening, the LL keeps listening (first PSM/MTU wins) until stop().
_listening = False


class L2CAPDisconnectedError(Exception):
    """The channel closed before or during the operation."""


class L2CAPConnectionError(Exception):
    """``l2cap_connect`` was refused; the argument is the LL's status."""


def _l2cap_irq(event: int, data: Any) -> None:
    if event not in (_IRQ_L2CAP_CONNECT, _IRQ_L2CAP_DISCONNECT, _IRQ_L2CAP_RECV,
                     _IRQ_L2CAP_SEND_READY):
        return  # ACCEPT (22) is not answered: the LL then accepts.
    conn_handle, cid = data[0], data[1]
    connection = DeviceConnection._connected.get(conn_handle)
    if connection is None:
        return
    channel: L2CAPChannel | None = connection._l2cap_channel
    if channel is None:
        return
    with core.lock:
        if channel._cid is not None and channel._cid != cid:
            return
        if event == _IRQ_L2CAP_CONNECT:
            _, _, _psm, our_mtu, peer_mtu = data
            channel._cid = cid
            channel.our_mtu = our_mtu
            channel.peer_mtu = peer_mtu
        elif event == _IRQ_L2CAP_DISCONNECT:
            _, _, _psm, status = data
            channel._status = status
            channel._cid = None
            if connection._l2cap_channel is channel:
                connection._l2cap_channel = None
        elif event == _IRQ_L2CAP_RECV:
            channel._data_ready = True
            channel._recv_seq += 1
        else:
            channel._stalled = False
            channel._ready_seq += 1
    channel._event.set()


def _l2cap_shutdown() -> None:
    global _listening
    _listening = False


register_irq_handler(_l2cap_irq, _l2cap_shutdown)


class L2CAPChannel:
    """The (single) credit-based channel of a connection."""

    def __init__(self, connection: DeviceConnection) -> None:
        if not connection.is_connected():
            raise ValueError("Not connected")
        if connection._l2cap_channel:
            raise ValueError("Already has channel")
        self._connection = connection
        self.our_mtu = 0
        self.peer_mtu = 0
        self._cid: int | None = None
        self._status = 0
        self._stalled = False
        self._data_ready = False
        # Bumped by RECV / SEND_READY, so the application never overwrites a newer event.
        self._recv_seq = 0
        self._ready_seq = 0
        self._event = ThreadSafeFlag()
        connection._l2cap_channel = self

    def _link_lost(self) -> None:
        """The connection ended: the channel ended with it."""
        with core.lock:
            if self._cid is None:
                return
            self._cid = None
            self._status = _STATUS_LINK_LOST
            if self._connection._l2cap_channel is self:
                self._connection._l2cap_channel = None
        self._event.set()

    def _assert_connected(self) -> int:
        cid = self._cid
        if cid is None:
            raise L2CAPDisconnectedError
        return cid

    async def recvinto(self, buf: Any, timeout_ms: int | None = None) -> int:
        """Copy up to ``len(buf)`` bytes of the current SDU into ``buf``; return how many."""
        self._assert_connected()
        with self._connection.timeout(timeout_ms):
            while not self._data_ready:
                await self._event.wait()
                self._assert_connected()
        cid = self._assert_connected()
        conn_handle = self._connection._conn_handle
        n: int = ble.l2cap_recvinto(conn_handle, cid, buf)
        seq = self._recv_seq
        remaining = ble.l2cap_recvinto(conn_handle, cid, None)
        with core.lock:
            if self._recv_seq == seq:
                self._data_ready = bool(remaining)
        return n

    def available(self) -> bool:
        self._assert_connected()
        return self._data_ready

    async def send(self, buf: Any, timeout_ms: int | None = None,
                   chunk_size: int | None = None) -> None:
        """Hand ``buf`` to the LL in SDUs of at most the peer's MTU, waiting out stalls."""
        self._assert_connected()
        data = bytes(to_bytes(buf))
        size = min(self.our_mtu * 2, self.peer_mtu, chunk_size or self.peer_mtu)
        if size <= 0:
            raise L2CAPDisconnectedError
        offset = 0
        while offset < len(data):
            if self._stalled:
                await self.flush(timeout_ms)
            cid = self._assert_connected()
            seq = self._ready_seq
            sent = ble.l2cap_send(self._connection._conn_handle, cid, data[offset : offset + size])
            if not sent:
                with core.lock:
                    if self._ready_seq == seq:
                        self._stalled = True
            offset += size

    async def flush(self, timeout_ms: int | None = None) -> None:
        """Wait until the LL can take more data (SEND_READY after a stalled send)."""
        self._assert_connected()
        with self._connection.timeout(timeout_ms):
            while self._stalled:
                await self._event.wait()
                self._assert_connected()

    async def disconnect(self, timeout_ms: int | None = 1000) -> None:
        cid = self._cid
        if cid is None:
            return
        ble.l2cap_disconnect(self._connection._conn_handle, cid)
        await self.disconnected(timeout_ms)

    async def disconnected(self, timeout_ms: int | None = 1000) -> None:
        if self._cid is None:
            return
        with self._connection.timeout(timeout_ms):
            while self._cid is not None:
                await self._event.wait()

    async def __aenter__(self) -> L2CAPChannel:
        return self

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        await self.disconnect()


async def accept(connection: DeviceConnection, psm: int, mtu: int,
                 timeout_ms: int | None) -> L2CAPChannel:
    """Wait for the peer to open a channel (listening on ``psm`` if not listening yet)."""
    global _listening
    channel = L2CAPChannel(connection)
    if not _listening:
        ble.l2cap_listen(psm, mtu)
        _listening = True
    with connection.timeout(timeout_ms):
        await channel._event.wait()
    return channel


async def connect(connection: DeviceConnection, psm: int, mtu: int,
                  timeout_ms: int | None) -> L2CAPChannel:
    """Open a channel to the peer's ``psm``; refused -> :class:`L2CAPConnectionError`."""
    if _listening:
        raise ValueError("Can't connect while listening")
    channel = L2CAPChannel(connection)
    with connection.timeout(timeout_ms):
        ble.l2cap_connect(connection._conn_handle, psm, mtu)
        await channel._event.wait()
    if channel._cid is None:
        raise L2CAPConnectionError(channel._status)
    return channel
