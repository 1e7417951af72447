"""GATT client: discovery, read/write, notifications and indications (aioble-api.md section 9;
GATT procedures per Core Vol 3 Part G section 4).
"""

from __future__ import annotations

import struct
from collections import deque
from typing import Any

import bluetooth

from . import core
from .core import GattError, ThreadSafeFlag, ble, register_irq_handler, to_bytes
from .device import DeviceConnection

_IRQ_GATTC_SERVICE_RESULT = 9
_IRQ_GATTC_SERVICE_DONE = 10
_IRQ_GATTC_CHARACTERISTIC_RESULT = 11
_IRQ_GATTC_CHARACTERISTIC_DONE = 12
_IRQ_GATTC_DESCRIPTOR_RESULT = 13
_IRQ_GATTC_DESCRIPTOR_DONE = 14
_IRQ_GATTC_READ_RESULT = 15
_IRQ_GATTC_READ_DONE = 16
_IRQ_GATTC_WRITE_DONE = 17
_IRQ_GATTC_NOTIFY = 18
_IRQ_GATTC_INDICATE = 19

_CCCD_UUID = 0x2902
_CCCD_NOTIFY = 1
_CCCD_INDICATE = 2

_FLAG_READ = 0x0002
_FLAG_WRITE_NO_RESPONSE = 0x0004
_FLAG_WRITE = 0x0008
_FLAG_NOTIFY = 0x0010
_FLAG_INDICATE = 0x0020

# Status given to a discovery still running when its link went away.
_STATUS_LINK_LOST = 7

_DISCOVERY_RESULTS = {
    _IRQ_GATTC_SERVICE_RESULT: "ClientService",
    _IRQ_GATTC_CHARACTERISTIC_RESULT: "ClientCharacteristic",
    _IRQ_GATTC_DESCRIPTOR_RESULT: "ClientDescriptor",
}
_DISCOVERY_DONE = (_IRQ_GATTC_SERVICE_DONE, _IRQ_GATTC_CHARACTERISTIC_DONE, _IRQ_GATTC_DESCRIPTOR_DONE)


def _client_irq(event: int, data: Any) -> None:
    if event in _DISCOVERY_RESULTS:
        connection = DeviceConnection._connected.get(data[0])
        discover = connection._discover if connection is not None else None
        if discover is not None and discover._disc_type.__name__ == _DISCOVERY_RESULTS[event]:
            # Copy now: the LL's UUID/buffers are only valid during the event.
            args = list(data[1:])
            args[-1] = bluetooth.UUID(args[-1])
            discover._result(tuple(args))
    elif event in _DISCOVERY_DONE:
        conn_handle, status = data
        connection = DeviceConnection._connected.get(conn_handle)
        discover = connection._discover if connection is not None else None
        if discover is not None:
            discover._done(status)
    elif event in (_IRQ_GATTC_READ_RESULT, _IRQ_GATTC_NOTIFY, _IRQ_GATTC_INDICATE):
        conn_handle, value_handle, payload = data
        characteristic = BaseClientCharacteristic._find(conn_handle, value_handle)
        if characteristic is None:
            return
        payload = bytes(payload)
        if event == _IRQ_GATTC_READ_RESULT:
            characteristic._read_data = payload
        elif isinstance(characteristic, ClientCharacteristic):
            characteristic._on_notify_indicate(event == _IRQ_GATTC_INDICATE, payload)
    elif event in (_IRQ_GATTC_READ_DONE, _IRQ_GATTC_WRITE_DONE):
        conn_handle, value_handle, status = data
        characteristic = BaseClientCharacteristic._find(conn_handle, value_handle)
        if characteristic is None:
            return
        if event == _IRQ_GATTC_READ_DONE:
            characteristic._read_done(status)
        else:
            characteristic._write_done(status)


register_irq_handler(_client_irq, None)


class ClientDiscover:
    """Async iterator over one discovery procedure; one per connection at a time.

    Results of a burst come out last-first (as aioble does); iterate it to the end, or the next
    discovery on the connection raises ``ValueError("Discovery in progress")``.
    """

    def __init__(self, connection: DeviceConnection, disc_type: Any, parent: Any,
                 timeout_ms: int | None, *args: Any) -> None:
        self._connection = connection
        self._disc_type = disc_type
        self._parent = parent
        self._timeout_ms = timeout_ms  # accepted, not implemented (as upstream)
        self._args = args
        self._queue: list[tuple[Any, ...]] = []
        self._status: int | None = None
        self._event = ThreadSafeFlag()
        self._started = False

    def _result(self, args: tuple[Any, ...]) -> None:
        self._queue.append(args)
        self._event.set()

    def _done(self, status: int) -> None:
        self._status = status
        self._event.set()

    def _abandon(self) -> None:
        """The link went away: end the iteration even if the LL never reports DONE."""
        if self._status is None:
            self._done(_STATUS_LINK_LOST)

    def _start(self) -> None:
        with core.lock:
            if self._connection._discover is not None:
                raise ValueError("Discovery in progress")
            self._connection._discover = self
        self._started = True
        try:
            self._disc_type._start_discovery(self._parent, *self._args)
        except BaseException:
            self._connection._discover = None
            raise

    def __aiter__(self) -> ClientDiscover:
        return self

    async def __anext__(self) -> Any:
        if not self._started:
            self._start()
        while True:
            done = self._status is not None  # results always precede DONE
            if self._queue:
                return self._disc_type(self._parent, *self._queue.pop())
            if done:
                if self._connection._discover is self:
                    self._connection._discover = None
                raise StopAsyncIteration
            await self._event.wait()


class ClientService:
    """A service found on the peer."""

    def __init__(self, connection: DeviceConnection, start_handle: int, end_handle: int,
                 uuid: bluetooth.UUID) -> None:
        self.connection = connection
        self.uuid = uuid
        self._start_handle = start_handle
        self._end_handle = end_handle

    def __str__(self) -> str:
        return f"Service: {self._start_handle} {self._end_handle} {self.uuid}"

    async def characteristic(self, uuid: bluetooth.UUID, timeout_ms: int = 2000) -> Any:
        result = None
        async for characteristic in self.characteristics(uuid, timeout_ms):
            if result is None and characteristic.uuid == uuid:
                result = characteristic
        return result

    def characteristics(self, uuid: Any = None, timeout_ms: int = 2000) -> ClientDiscover:
        return ClientDiscover(self.connection, ClientCharacteristic, self, timeout_ms, uuid)

    @staticmethod
    def _start_discovery(connection: DeviceConnection, uuid: Any = None) -> None:
        if uuid is None:
            ble.gattc_discover_services(connection._conn_handle)
        else:
            ble.gattc_discover_services(connection._conn_handle, uuid)


class BaseClientCharacteristic:
    """What client characteristics and descriptors share: read and write."""

    def __init__(self, value_handle: int, properties: int, uuid: bluetooth.UUID) -> None:
        self._value_handle = value_handle
        self.properties = properties
        self.uuid = uuid
        self._read_event = ThreadSafeFlag()
        self._read_data: bytes | None = None
        self._read_status: int | None = None
        self._write_event = ThreadSafeFlag()
        self._write_status: int | None = None

    def _connection(self) -> DeviceConnection:
        raise NotImplementedError

    def _register_with_connection(self) -> None:
        """Route this handle's read/write/notify events here (the latest object wins)."""
        self._connection()._characteristics[self._value_handle] = self

    @staticmethod
    def _find(conn_handle: int, value_handle: int) -> BaseClientCharacteristic | None:
        connection = DeviceConnection._connected.get(conn_handle)
        if connection is None:
            return None
        found: BaseClientCharacteristic | None = connection._characteristics.get(value_handle)
        return found

    def _check(self, flag: int) -> None:
        if not self.properties & flag:
            raise ValueError("Unsupported")

    def _read_done(self, status: int) -> None:
        self._read_status = status
        self._read_event.set()

    def _write_done(self, status: int) -> None:
        self._write_status = status
        self._write_event.set()

    async def read(self, timeout_ms: int | None = 1000) -> bytes | None:
        """ATT Read of the value (at most ATT_MTU - 1 bytes)."""
        self._check(_FLAG_READ)
        self._register_with_connection()
        connection = self._connection()
        self._read_data = None
        self._read_status = None
        self._read_event.clear()
        with connection.timeout(timeout_ms):
            ble.gattc_read(connection._conn_handle, self._value_handle)
            while self._read_status is None:
                await self._read_event.wait()
        if self._read_status:
            raise GattError(self._read_status)
        return self._read_data

    async def write(self, data: Any, response: Any = None, timeout_ms: int | None = 1000) -> None:
        """Write the value; with a response only when asked, or when the peer allows only that."""
        self._check(_FLAG_WRITE | _FLAG_WRITE_NO_RESPONSE)
        if response is None:
            response = bool(self.properties & _FLAG_WRITE) and not (
                self.properties & _FLAG_WRITE_NO_RESPONSE
            )
        connection = self._connection()
        data = to_bytes(data)
        if not response:
            ble.gattc_write(connection._conn_handle, self._value_handle, data, 0)
            return
        self._register_with_connection()
        self._write_status = None
        self._write_event.clear()
        with connection.timeout(timeout_ms):
            ble.gattc_write(connection._conn_handle, self._value_handle, data, 1)
            while self._write_status is None:
                await self._write_event.wait()
        if self._write_status:
            raise GattError(self._write_status)


class ClientCharacteristic(BaseClientCharacteristic):
    """A characteristic found on the peer."""

    def __init__(self, service: ClientService, end_handle: int, value_handle: int,
                 properties: int, uuid: bluetooth.UUID) -> None:
        self.service = service
        self.connection = service.connection
        self._end_handle = end_handle if end_handle > value_handle else value_handle + 2
        super().__init__(value_handle, properties, uuid)
        # 1-deep queues: a newer value replaces an unconsumed one. The flag is set only on the
        # empty -> non-empty transition; the lock makes that check atomic with the append.
        self._notify_queue: deque[bytes] = deque((), 1)
        self._notify_event = ThreadSafeFlag()
        self._indicate_queue: deque[bytes] = deque((), 1)
        self._indicate_event = ThreadSafeFlag()

    def __str__(self) -> str:
        return f"Characteristic: {self._end_handle} {self._value_handle} {self.properties} {self.uuid}"

    def _connection(self) -> DeviceConnection:
        return self.service.connection

    @staticmethod
    def _start_discovery(service: ClientService, uuid: Any = None) -> None:
        conn_handle = service.connection._conn_handle
        if uuid is None:
            ble.gattc_discover_characteristics(conn_handle, service._start_handle, service._end_handle)
        else:
            ble.gattc_discover_characteristics(
                conn_handle, service._start_handle, service._end_handle, uuid
            )

    async def descriptor(self, uuid: bluetooth.UUID, timeout_ms: int = 2000) -> Any:
        result = None
        async for descriptor in self.descriptors(timeout_ms):
            if result is None and descriptor.uuid == uuid:
                result = descriptor
        return result

    def descriptors(self, timeout_ms: int = 2000) -> ClientDiscover:
        return ClientDiscover(self.connection, ClientDescriptor, self, timeout_ms)

    def _on_notify_indicate(self, indication: bool, data: bytes) -> None:
        queue, event = (
            (self._indicate_queue, self._indicate_event)
            if indication
            else (self._notify_queue, self._notify_event)
        )
        with core.lock:
            wake = not queue
            queue.append(data)
        if wake:
            event.set()

    async def _notified_indicated(self, queue: deque[bytes], event: ThreadSafeFlag,
                                  timeout_ms: int | None) -> bytes:
        self._register_with_connection()
        with core.lock:
            pending = len(queue)
        if pending <= 1:
            # Empty: wait for a value. One value: its flag is set; consume it with the value.
            with self._connection().timeout(timeout_ms):
                await event.wait()
        with core.lock:
            return queue.popleft()

    async def notified(self, timeout_ms: int | None = None) -> bytes:
        """The latest notification not yet returned (waits for one if there is none)."""
        self._check(_FLAG_NOTIFY)
        return await self._notified_indicated(self._notify_queue, self._notify_event, timeout_ms)

    async def indicated(self, timeout_ms: int | None = None) -> bytes:
        """The latest indication not yet returned (the LL confirms indications itself)."""
        self._check(_FLAG_INDICATE)
        return await self._notified_indicated(
            self._indicate_queue, self._indicate_event, timeout_ms
        )

    async def subscribe(self, notify: bool = True, indicate: bool = False) -> None:
        """Write the CCCD (Core Vol 3 Part G section 3.3.3.3); notify=False unsubscribes."""
        self._register_with_connection()
        cccd = await self.descriptor(bluetooth.UUID(_CCCD_UUID))
        if cccd is None:
            raise ValueError("CCCD not found")
        await cccd.write(
            struct.pack("<H", _CCCD_NOTIFY * bool(notify) + _CCCD_INDICATE * bool(indicate))
        )


class ClientDescriptor(BaseClientCharacteristic):
    """A descriptor found on the peer (always readable and writable, with response)."""

    def __init__(self, characteristic: ClientCharacteristic, dsc_handle: int,
                 uuid: bluetooth.UUID) -> None:
        self.characteristic = characteristic
        super().__init__(dsc_handle, _FLAG_READ | _FLAG_WRITE, uuid)

    def __str__(self) -> str:
        return f"Descriptor: {self._value_handle} {self.properties} {self.uuid}"

    def _connection(self) -> DeviceConnection:
        return self.characteristic.service.connection

    @staticmethod
    def _start_discovery(characteristic: ClientCharacteristic) -> None:
        ble.gattc_discover_descriptors(
            characteristic.connection._conn_handle,
            characteristic._value_handle,
            characteristic._end_handle,
        )
