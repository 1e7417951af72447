"""Remote devices, connections, and the connection-aware timeout (aioble-api.md sections 3 to 5)."""

from __future__ import annotations

import asyncio
import binascii
from types import TracebackType
from typing import Any

from . import core
from .core import ThreadSafeFlag, ble, log_error, register_irq_handler

_IRQ_MTU_EXCHANGED = 21


class DeviceDisconnectedError(Exception):
    """The link dropped while a connection-aware operation was waiting."""


def _device_irq(event: int, data: Any) -> None:
    if event == _IRQ_MTU_EXCHANGED:
        conn_handle, mtu = data
        connection = DeviceConnection._connected.get(conn_handle)
        if connection is not None:
            connection.mtu = mtu
            if connection._mtu_event is not None:
                connection._mtu_event.set()


def _device_shutdown() -> None:
    """After ``active(False)`` no disconnect event will come: end every connection here.

    A connection whose device task can still run is woken (its waiters then get
    :class:`DeviceDisconnectedError`); one whose loop is gone is marked disconnected at once.
    """
    with core.lock:
        connections = list(DeviceConnection._connected.values())
        DeviceConnection._connected.clear()
    for connection in connections:
        task = connection._task
        if task is not None and not task.done() and not task.get_loop().is_closed():
            connection._on_disconnect()
        else:
            connection._conn_handle = None
            connection.device._connection = None


register_irq_handler(_device_irq, _device_shutdown)


class DeviceTimeout:
    """``with DeviceTimeout(connection, timeout_ms):`` turns a timeout into ``asyncio.TimeoutError``
    and a disconnection of ``connection`` into :class:`DeviceDisconnectedError`.

    Both work by cancelling the task that created the object; other cancellations propagate.
    """

    def __init__(self, connection: DeviceConnection | None, timeout_ms: int | None) -> None:
        self._connection = connection
        self._timeout_ms = timeout_ms
        self._timed_out = False
        self._timeout_task: asyncio.Task[None] | None = None
        self._task = asyncio.current_task()
        if connection is not None:
            connection._timeouts.append(self)

    async def _sleep(self) -> None:
        assert self._timeout_ms
        await asyncio.sleep(self._timeout_ms / 1000)
        self._timed_out = True
        if self._task is not None:
            self._task.cancel()

    def _cancel_for_disconnect(self) -> None:
        if self._task is not None:
            core.cancel_task(self._task)

    def __enter__(self) -> DeviceTimeout:
        connection = self._connection
        if connection is not None and connection._conn_handle is None:
            # Waiting on a link that is already gone would wait forever.
            self._unregister()
            raise DeviceDisconnectedError
        if self._timeout_ms:
            self._timeout_task = asyncio.create_task(self._sleep())
        return self

    def _unregister(self) -> None:
        if self._connection is not None and self in self._connection._timeouts:
            self._connection._timeouts.remove(self)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        self._unregister()
        if self._timeout_task is not None:
            self._timeout_task.cancel()
        if exc_type is asyncio.CancelledError:
            if self._timed_out:
                self._uncancel()
                raise TimeoutError from None
            if self._connection is not None and not self._connection.is_connected():
                self._uncancel()
                raise DeviceDisconnectedError from None

    def _uncancel(self) -> None:
        # Converting a cancellation into another exception: undo its count (Python >= 3.11).
        if self._task is not None:
            self._task.uncancel()


class Device:
    """A remote device: address type (0 public, 1 random) and a 6-byte address, MSB first."""

    def __init__(self, addr_type: int, addr: Any) -> None:
        self.addr_type = addr_type
        if isinstance(addr, str):
            addr = binascii.unhexlify(addr.replace(":", ""))
        elif len(addr) != 6:
            addr = binascii.unhexlify(bytes(addr).replace(b":", b""))
        self.addr = bytes(addr)
        self._connection: DeviceConnection | None = None

    def __eq__(self, other: object) -> bool:
        try:
            return bool(
                self.addr_type == other.addr_type  # type: ignore[attr-defined]
                and self.addr == other.addr  # type: ignore[attr-defined]
            )
        except AttributeError:
            return NotImplemented

    def __hash__(self) -> int:
        return hash((self.addr_type, self.addr))

    def __str__(self) -> str:
        return "Device({}, {}{})".format(
            "ADDR_PUBLIC" if self.addr_type == 0 else "ADDR_RANDOM",
            self.addr_hex(),
            ", CONNECTED" if self._connection else "",
        )

    def addr_hex(self) -> str:
        return ":".join(f"{b:02x}" for b in self.addr)

    async def connect(
        self,
        timeout_ms: int | None = 10000,
        scan_duration_ms: int | None = None,
        min_conn_interval_us: int | None = None,
        max_conn_interval_us: int | None = None,
    ) -> DeviceConnection:
        if self._connection:
            return self._connection
        from .central import _connect

        connection = DeviceConnection(self)
        await _connect(
            connection, timeout_ms, scan_duration_ms, min_conn_interval_us, max_conn_interval_us
        )
        connection._run_task()
        return connection


class DeviceConnection:
    """One link to a :class:`Device`, created by ``advertise()`` or ``Device.connect()``."""

    _connected: dict[int, DeviceConnection] = {}

    def __init__(self, device: Device) -> None:
        self.device = device
        device._connection = self
        self.encrypted: Any = False
        self.authenticated: Any = False
        self.bonded: Any = False
        self.key_size: Any = False
        self.mtu: int | None = None
        self._conn_handle: int | None = None
        # Set by the connect IRQ (central role), then by the disconnect IRQ; the boolean keeps a
        # disconnect that arrives together with the connect from being lost in the coalesced flag.
        self._event = ThreadSafeFlag()
        self._disconnected = False
        self._mtu_event: ThreadSafeFlag | None = None
        self._discover: Any = None
        self._characteristics: dict[int, Any] = {}
        self._task: asyncio.Task[None] | None = None
        self._timeouts: list[DeviceTimeout] = []
        self._pair_event: ThreadSafeFlag | None = None
        self._l2cap_channel: Any = None

    def _register(self, conn_handle: int) -> None:
        """Called at connect-IRQ time: route this handle's events here from now on."""
        self._conn_handle = conn_handle
        with core.lock:
            DeviceConnection._connected[conn_handle] = self

    def _on_disconnect(self) -> None:
        """IRQ context (or stop()): the link is gone; the device task does the rest."""
        self._disconnected = True
        self._event.set()

    async def device_task(self) -> None:
        """Wait for the disconnect event, then clean up and wake every connection-aware waiter."""
        while not self._disconnected:
            await self._event.wait()
        handle = self._conn_handle
        with core.lock:
            if handle is not None and DeviceConnection._connected.get(handle) is self:
                del DeviceConnection._connected[handle]
        self._conn_handle = None
        self.device._connection = None
        discover = self._discover
        if discover is not None:
            discover._abandon()
        channel = self._l2cap_channel
        if channel is not None:
            channel._link_lost()
        for timeout in list(self._timeouts):
            timeout._cancel_for_disconnect()

    def _run_task(self) -> None:
        self._task = asyncio.create_task(self.device_task())

    def is_connected(self) -> bool:
        return self._conn_handle is not None

    def timeout(self, timeout_ms: int | None) -> DeviceTimeout:
        return DeviceTimeout(self, timeout_ms)

    async def disconnect(self, timeout_ms: int | None = 2000) -> None:
        await self.disconnected(timeout_ms, disconnect=True)

    async def disconnected(self, timeout_ms: int | None = None, disconnect: bool = False) -> None:
        handle = self._conn_handle
        if handle is None:
            return
        if disconnect:
            try:
                ble.gap_disconnect(handle)
            except OSError as e:
                log_error("Disconnect", e)
        task = self._task
        if task is None:
            return
        with DeviceTimeout(None, timeout_ms):
            # shield: a timeout here must not cancel the device task itself.
            await asyncio.shield(task)

    async def service(self, uuid: Any, timeout_ms: int = 2000) -> Any:
        result = None
        async for service in self.services(uuid, timeout_ms):
            if result is None and service.uuid == uuid:
                result = service
        return result

    def services(self, uuid: Any = None, timeout_ms: int = 2000) -> Any:
        from .client import ClientDiscover, ClientService

        return ClientDiscover(self, ClientService, self, timeout_ms, uuid)

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        from .security import pair

        await pair(self, *args, **kwargs)

    async def exchange_mtu(self, mtu: int | None = None, timeout_ms: int | None = 1000) -> Any:
        handle = self._conn_handle
        if handle is None:
            raise ValueError("Not connected")
        if mtu:
            ble.config(mtu=mtu)
        if self._mtu_event is None:
            self._mtu_event = ThreadSafeFlag()
        self._mtu_event.clear()
        with self.timeout(timeout_ms):
            ble.gattc_exchange_mtu(handle)
            await self._mtu_event.wait()
        return self.mtu

    async def l2cap_accept(self, psm: int, mtu: int, timeout_ms: int | None = None) -> Any:
        from .l2cap import accept

        return await accept(self, psm, mtu, timeout_ms)

    async def l2cap_connect(self, psm: int, mtu: int, timeout_ms: int | None = 1000) -> Any:
        from .l2cap import connect

        return await connect(self, psm, mtu, timeout_ms)

    async def __aenter__(self) -> DeviceConnection:
        return self

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        await self.disconnect()
