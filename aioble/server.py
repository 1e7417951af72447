"""GATT server: services, characteristics, descriptors, registration, and write capture
(aioble-api.md section 8; GATT per Core Vol 3 Part G).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

import bluetooth

from . import core
from .core import (
    GattError,
    ThreadSafeFlag,
    ble,
    ensure_active,
    register_irq_handler,
    to_bytes,
)
from .device import DeviceConnection, DeviceTimeout

_IRQ_GATTS_WRITE = 3
_IRQ_GATTS_READ_REQUEST = 4
_IRQ_GATTS_INDICATE_DONE = 20

_FLAG_READ = 0x0002
_FLAG_WRITE_NO_RESPONSE = 0x0004
_FLAG_WRITE = 0x0008
_FLAG_NOTIFY = 0x0010
_FLAG_INDICATE = 0x0020

_FLAG_READ_ENCRYPTED = 0x0200
_FLAG_READ_AUTHENTICATED = 0x0400
_FLAG_READ_AUTHORIZED = 0x0800
_FLAG_WRITE_ENCRYPTED = 0x1000
_FLAG_WRITE_AUTHENTICATED = 0x2000
_FLAG_WRITE_AUTHORIZED = 0x4000

# aioble-private: never reaches the LL (its flags are 16 bits).
_FLAG_WRITE_CAPTURE = 0x10000

_WRITE_CAPTURE_QUEUE_LIMIT = 10

# value handle -> the characteristic or descriptor registered there.
_registered_characteristics: dict[int, BaseCharacteristic] = {}


class _Capture:
    """The global write-capture queue: writes to capture characteristics, handed out one at a
    time in arrival order; the next only after the previous one's ``written()`` returned."""

    def __init__(self) -> None:
        self.queue: deque[tuple[DeviceConnection | None, bytes, Characteristic]] = deque(
            maxlen=_WRITE_CAPTURE_QUEUE_LIMIT
        )
        self.queued = ThreadSafeFlag()
        self.consumed = ThreadSafeFlag()
        self.task: asyncio.Task[None] | None = None

    def ensure_running(self) -> None:
        """Start the hand-out task on the running loop (lazily: there may be no loop at
        registration time, and ``asyncio.run`` may have ended the previous one)."""
        loop = asyncio.get_running_loop()
        task = self.task
        if task is None or task.done() or task.get_loop() is not loop:
            self.task = loop.create_task(self._run())

    async def _run(self) -> None:
        while True:
            await self.queued.wait()
            while True:
                with core.lock:
                    if not self.queue:
                        break
                    connection, data, characteristic = self.queue.popleft()
                characteristic._write_data = (connection, data)
                assert characteristic._write_event is not None
                characteristic._write_event.set()
                await self.consumed.wait()

    def stop(self) -> None:
        core.cancel_task(self.task)
        self.task = None


_capture: _Capture | None = None


def _server_irq(event: int, data: Any) -> Any:
    if event == _IRQ_GATTS_WRITE:
        conn_handle, attr_handle = data
        characteristic = _registered_characteristics.get(attr_handle)
        if characteristic is not None:
            characteristic._remote_write(conn_handle)
    elif event == _IRQ_GATTS_READ_REQUEST:
        conn_handle, attr_handle = data
        characteristic = _registered_characteristics.get(attr_handle)
        if characteristic is not None:
            return characteristic._remote_read(conn_handle)
    elif event == _IRQ_GATTS_INDICATE_DONE:
        conn_handle, value_handle, status = data
        characteristic = _registered_characteristics.get(value_handle)
        if isinstance(characteristic, Characteristic):
            characteristic._indicate_done(conn_handle, status)
    return None


def _forget_registrations() -> None:
    with core.lock:
        previous = list(_registered_characteristics.values())
        _registered_characteristics.clear()
    for characteristic in previous:
        characteristic._value_handle = None


def _server_shutdown() -> None:
    global _capture
    _forget_registrations()
    if _capture is not None:
        _capture.stop()
        _capture = None


register_irq_handler(_server_irq, _server_shutdown)


class Service:
    """A primary service; its characteristics add themselves in handle order."""

    def __init__(self, uuid: bluetooth.UUID) -> None:
        self.uuid = uuid
        self.characteristics: list[Characteristic] = []

    def _tuple(self) -> tuple[Any, ...]:
        return (self.uuid, tuple(c._tuple() for c in self.characteristics))


class BaseCharacteristic:
    """What characteristics and descriptors share: value, remote writes, read requests."""

    uuid: Any
    flags: int
    _value_handle: int | None
    _initial: Any
    _write_event: ThreadSafeFlag | None
    _write_data: Any

    def _init_value(self, initial: Any) -> None:
        self._value_handle = None
        self._initial = initial
        self._write_data = None
        writable = self.flags & (_FLAG_WRITE | _FLAG_WRITE_NO_RESPONSE)
        self._write_event = ThreadSafeFlag() if writable else None

    def _register(self, value_handle: int) -> None:
        """Take the handle the LL assigned; (re)apply ``initial`` on every registration."""
        self._value_handle = value_handle
        self._write_data = None
        if self._write_event is not None:
            self._write_event.clear()
        with core.lock:
            _registered_characteristics[value_handle] = self
        if self._initial is not None:
            ble.gatts_write(value_handle, to_bytes(self._initial), False)

    def read(self) -> Any:
        value_handle = self._value_handle
        if value_handle is None:
            return self._initial or b""
        return ble.gatts_read(value_handle)

    def write(self, data: Any, send_update: bool = False) -> None:
        value_handle = self._value_handle
        if value_handle is None:
            self._initial = data
        else:
            ble.gatts_write(value_handle, to_bytes(data), send_update)

    def on_read(self, connection: DeviceConnection | None) -> int:
        """Override to refuse a remote read with an ATT error code (0 allows it)."""
        return 0

    def _remote_read(self, conn_handle: int) -> int:
        return self.on_read(DeviceConnection._connected.get(conn_handle))

    def _remote_write(self, conn_handle: int) -> None:
        """IRQ context: remember who wrote (resolved now, the handle may be reused later)."""
        if self._write_event is None:
            return
        self._write_data = DeviceConnection._connected.get(conn_handle)
        self._write_event.set()

    async def written(self, timeout_ms: int | None = None) -> Any:
        """Wait for a remote write; returns the connection that wrote (writes coalesce).

        Not connection-aware: wrap it in ``with connection.timeout(None):`` for that.
        """
        if self._write_event is None:
            return None
        with DeviceTimeout(None, timeout_ms):
            await self._write_event.wait()
        return self._write_data

    def _tuple(self) -> tuple[Any, ...]:
        return (self.uuid, self.flags & 0xFFFF)


class Characteristic(BaseCharacteristic):
    def __init__(
        self,
        service: Service,
        uuid: bluetooth.UUID,
        read: bool = False,
        write: bool = False,
        write_no_response: bool = False,
        notify: bool = False,
        indicate: bool = False,
        initial: Any = None,
        capture: bool = False,
    ) -> None:
        service.characteristics.append(self)
        self.descriptors: list[Descriptor] = []
        flags = 0
        if read:
            flags |= _FLAG_READ
        if write or write_no_response:
            flags |= (_FLAG_WRITE if write else 0) | (
                _FLAG_WRITE_NO_RESPONSE if write_no_response else 0
            )
            if capture:
                flags |= _FLAG_WRITE_CAPTURE
        if notify:
            flags |= _FLAG_NOTIFY
        if indicate:
            flags |= _FLAG_INDICATE
        self.uuid = uuid
        self.flags = flags
        self._init_value(initial)
        self._indicate_connection: DeviceConnection | None = None
        self._indicate_status: int | None = None
        self._indicate_event = ThreadSafeFlag() if indicate else None

    @property
    def _capture(self) -> bool:
        return bool(self.flags & _FLAG_WRITE_CAPTURE)

    def _remote_write(self, conn_handle: int) -> None:
        if not self._capture:
            super()._remote_write(conn_handle)
            return
        capture = _capture
        value_handle = self._value_handle
        if capture is None or value_handle is None:
            return
        # Snapshot the value now: the next write may replace it before the app looks.
        data = ble.gatts_read(value_handle)
        with core.lock:
            capture.queue.append((DeviceConnection._connected.get(conn_handle), data, self))
        capture.queued.set()

    async def written(self, timeout_ms: int | None = None) -> Any:
        """Capture mode: returns ``(connection, data)`` for each write, in global arrival order."""
        if not self._capture or self._write_event is None:
            return await super().written(timeout_ms)
        capture = _capture
        if capture is not None:
            capture.ensure_running()
        with DeviceTimeout(None, timeout_ms):
            await self._write_event.wait()
        result, self._write_data = self._write_data, None
        if capture is not None:
            capture.consumed.set()
        return result

    def _tuple(self) -> tuple[Any, ...]:
        if self.descriptors:
            return (self.uuid, self.flags & 0xFFFF, tuple(d._tuple() for d in self.descriptors))
        return (self.uuid, self.flags & 0xFFFF)

    def notify(self, connection: DeviceConnection, data: Any = None) -> None:
        """Send a notification (whatever the client's CCCD says); ``data`` defaults to the value."""
        if not self.flags & _FLAG_NOTIFY:
            raise ValueError("Not supported")
        if data is None:
            ble.gatts_notify(connection._conn_handle, self._value_handle)
        else:
            ble.gatts_notify(connection._conn_handle, self._value_handle, to_bytes(data))

    async def indicate(self, connection: DeviceConnection, data: Any = None,
                       timeout_ms: int | None = 1000) -> None:
        """Send an indication and wait for its confirmation; one in flight per characteristic."""
        if not self.flags & _FLAG_INDICATE or self._indicate_event is None:
            raise ValueError("Not supported")
        if self._indicate_connection is not None:
            raise ValueError("In progress")
        conn_handle = connection._conn_handle
        if conn_handle is None:
            raise ValueError("Not connected")
        self._indicate_status = None
        self._indicate_event.clear()
        self._indicate_connection = connection
        try:
            with connection.timeout(timeout_ms):
                if data is None:
                    ble.gatts_indicate(conn_handle, self._value_handle)
                else:
                    ble.gatts_indicate(conn_handle, self._value_handle, to_bytes(data))
                while self._indicate_status is None:
                    await self._indicate_event.wait()
            status = self._indicate_status
            if status:
                raise GattError(status)
        finally:
            self._indicate_connection = None

    def _indicate_done(self, conn_handle: int, status: int) -> None:
        connection = self._indicate_connection
        if connection is None or connection._conn_handle != conn_handle:
            return  # e.g. an indication sent by write(send_update=True)
        self._indicate_status = status
        assert self._indicate_event is not None
        self._indicate_event.set()


class BufferedCharacteristic(Characteristic):
    """A characteristic whose server buffer holds ``max_len`` bytes (``append``: writes accumulate
    and a read returns and clears them)."""

    def __init__(self, *args: Any, max_len: int = 20, append: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._max_len = max_len
        self._append = append

    def _register(self, value_handle: int) -> None:
        super()._register(value_handle)
        ble.gatts_set_buffer(value_handle, self._max_len, self._append)


class Descriptor(BaseCharacteristic):
    def __init__(self, characteristic: Characteristic, uuid: bluetooth.UUID, read: bool = False,
                 write: bool = False, initial: Any = None) -> None:
        characteristic.descriptors.append(self)
        flags = 0
        if read:
            flags |= _FLAG_READ
        if write:
            flags |= _FLAG_WRITE
        self.uuid = uuid
        self.flags = flags
        self._init_value(initial)


def register_services(*services: Service) -> None:
    """Replace the whole server database with ``services`` and give each object its handle.

    The LL's handle tuple per service lists characteristic value handles, each followed by its
    user descriptors' handles (the automatic CCCD is not in it).
    """
    global _capture
    ensure_active()
    _forget_registrations()
    handles = ble.gatts_register_services(tuple(s._tuple() for s in services))
    # Capture state is (re)initialised here, so re-registration after stop() works (PR #1082).
    if _capture is not None:
        _capture.stop()
        _capture = None
    if any(c._capture for s in services for c in s.characteristics):
        _capture = _Capture()
    for service, service_handles in zip(services, handles, strict=True):
        n = 0
        for characteristic in service.characteristics:
            characteristic._register(service_handles[n])
            n += 1
            for descriptor in characteristic.descriptors:
                descriptor._register(service_handles[n])
                n += 1
