"""Observer / central role: ``scan``, ``ScanResult`` and outgoing connections
(aioble-api.md sections 3 and 7).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

import bluetooth

from . import core
from .core import ThreadSafeFlag, ble, ensure_active, register_irq_handler
from .device import Device, DeviceConnection, DeviceTimeout

_IRQ_SCAN_RESULT = 5
_IRQ_SCAN_DONE = 6
_IRQ_PERIPHERAL_CONNECT = 7
_IRQ_PERIPHERAL_DISCONNECT = 8

_ADV_IND = 0
_ADV_DIRECT_IND = 1
_ADV_SCAN_IND = 2
_ADV_NONCONN_IND = 3
_SCAN_RSP = 4

_ADV_TYPE_SHORT_NAME = 0x08
_ADV_TYPE_NAME = 0x09
_ADV_TYPE_UUID16_INCOMPLETE = 0x02
_ADV_TYPE_UUID16_COMPLETE = 0x03
_ADV_TYPE_UUID32_INCOMPLETE = 0x04
_ADV_TYPE_UUID32_COMPLETE = 0x05
_ADV_TYPE_UUID128_INCOMPLETE = 0x06
_ADV_TYPE_UUID128_COMPLETE = 0x07
_ADV_TYPE_MANUFACTURER = 0xFF

_DEFAULT_INTERVAL_US = 1280000
_DEFAULT_WINDOW_US = 11250

# The scan that receives reports, and the devices with a connection attempt in progress.
_active_scanner: scan | None = None
_connecting: dict[Device, DeviceConnection] = {}


def _central_irq(event: int, data: Any) -> None:
    if event == _IRQ_SCAN_RESULT:
        addr_type, addr, adv_type, rssi, adv_data = data
        scanner = _active_scanner
        if scanner is not None:
            # Copied now: the LL's buffers are only valid during the event.
            scanner._queue.append((addr_type, bytes(addr), adv_type, rssi, bytes(adv_data)))
            scanner._event.set()
    elif event == _IRQ_SCAN_DONE:
        scanner = _active_scanner
        if scanner is not None:
            scanner._done = True
            scanner._event.set()
    elif event == _IRQ_PERIPHERAL_CONNECT:
        conn_handle, addr_type, addr = data
        with core.lock:
            connection = _connecting.get(Device(addr_type, bytes(addr)))
        if connection is not None and connection._conn_handle is None:
            connection._register(conn_handle)
            connection._event.set()
    elif event == _IRQ_PERIPHERAL_DISCONNECT:
        connection = DeviceConnection._connected.get(data[0])
        if connection is not None:
            connection._on_disconnect()


def _central_shutdown() -> None:
    global _active_scanner
    scanner = _active_scanner
    _active_scanner = None
    if scanner is not None:
        scanner._done = True
        scanner._event.set()
    with core.lock:
        _connecting.clear()


register_irq_handler(_central_irq, _central_shutdown)


async def _cancel_pending() -> None:
    if _active_scanner is not None:
        await _active_scanner.cancel()


async def _connect(
    connection: DeviceConnection,
    timeout_ms: int | None,
    scan_duration_ms: int | None,
    min_conn_interval_us: int | None,
    max_conn_interval_us: int | None,
) -> None:
    """Start an LL connection to ``connection.device`` and wait for its connect event."""
    device = connection.device
    with core.lock:
        if device in _connecting:
            raise AssertionError("a connection to this device is already in progress")
    ensure_active()
    await _cancel_pending()
    with core.lock:
        _connecting[device] = connection
    try:
        with DeviceTimeout(None, timeout_ms):
            # None means "the LL's default" (2000 ms scan, 30-50 ms interval): leave those out.
            options = {
                name: value
                for name, value in (
                    ("scan_duration_ms", scan_duration_ms),
                    ("min_conn_interval_us", min_conn_interval_us),
                    ("max_conn_interval_us", max_conn_interval_us),
                )
                if value is not None
            }
            ble.gap_connect(device.addr_type, device.addr, **options)
            while connection._conn_handle is None:
                await connection._event.wait()
    finally:
        with core.lock:
            if _connecting.get(device) is connection:
                del _connecting[device]


class ScanResult:
    """One device seen during one scan; updated in place by each of its reports."""

    def __init__(self, device: Device) -> None:
        self.device = device
        self.adv_data: bytes | None = None
        self.resp_data: bytes | None = None
        self.rssi: int | None = None
        self.connectable = False

    def _update(self, adv_type: int, rssi: int, adv_data: bytes) -> bool:
        """Store one report; True if it changed something the application may care about."""
        updated = False
        if rssi != self.rssi:
            self.rssi = rssi
            updated = True
        if adv_type in (_ADV_IND, _ADV_NONCONN_IND):
            if adv_data != self.adv_data:
                self.adv_data = adv_data
                self.connectable = adv_type == _ADV_IND
                updated = True
        elif adv_type == _ADV_SCAN_IND:
            if adv_data != self.adv_data and self.resp_data:
                updated = True
            self.adv_data = adv_data
        elif adv_type == _SCAN_RSP and adv_data:
            if adv_data != self.resp_data:
                self.resp_data = adv_data
                updated = True
        return updated

    def __str__(self) -> str:
        return f"Scan result: {self.device} {self.rssi}"

    def _decode_field(self, *ad_types: int) -> Iterator[bytes]:
        for payload in (self.adv_data, self.resp_data):
            if not payload:
                continue
            i = 0
            while i + 1 < len(payload):
                length = payload[i]
                if length == 0:
                    break
                if payload[i + 1] in ad_types:
                    yield payload[i + 2 : i + 1 + length]
                i += 1 + length

    def name(self) -> str | None:
        for value in self._decode_field(_ADV_TYPE_NAME, _ADV_TYPE_SHORT_NAME):
            return value.decode("utf-8", "replace")
        return None

    def services(self) -> Iterator[bluetooth.UUID]:
        for size, ad_types in (
            (2, (_ADV_TYPE_UUID16_INCOMPLETE, _ADV_TYPE_UUID16_COMPLETE)),
            (4, (_ADV_TYPE_UUID32_INCOMPLETE, _ADV_TYPE_UUID32_COMPLETE)),
            (16, (_ADV_TYPE_UUID128_INCOMPLETE, _ADV_TYPE_UUID128_COMPLETE)),
        ):
            for value in self._decode_field(*ad_types):
                for i in range(0, len(value) - size + 1, size):
                    yield bluetooth.UUID(value[i : i + size])

    def manufacturer(self, filter: int | None = None) -> Iterator[tuple[int, bytes]]:
        for value in self._decode_field(_ADV_TYPE_MANUFACTURER):
            if len(value) < 2:
                continue
            (company_id,) = struct.unpack("<H", value[:2])
            if filter is None or company_id == filter:
                yield company_id, value[2:]


class scan:  # noqa: N801 - aioble's public name is lower case
    """``async with scan(duration_ms, ...) as scanner: async for result in scanner:``."""

    def __init__(self, duration_ms: int, interval_us: int | None = None,
                 window_us: int | None = None, active: bool = False) -> None:
        self._queue: list[tuple[int, bytes, int, int, bytes]] = []
        self._event = ThreadSafeFlag()
        self._done = False
        self._results: dict[tuple[int, bytes], ScanResult] = {}
        self._duration_ms = duration_ms
        self._interval_us = interval_us or _DEFAULT_INTERVAL_US
        self._window_us = window_us or _DEFAULT_WINDOW_US
        self._active = active

    async def __aenter__(self) -> scan:
        global _active_scanner
        ensure_active()
        await _cancel_pending()
        _active_scanner = self
        try:
            ble.gap_scan(self._duration_ms, self._interval_us, self._window_us, self._active)
        except BaseException:
            _active_scanner = None
            raise
        return self

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        if _active_scanner is self:
            await self.cancel()

    def __aiter__(self) -> scan:
        assert _active_scanner is self
        return self

    async def __anext__(self) -> ScanResult:
        global _active_scanner
        while _active_scanner is self:
            # Read "done" before draining: reports always precede SCAN_DONE.
            done = self._done
            while self._queue:
                addr_type, addr, adv_type, rssi, adv_data = self._queue.pop()  # LIFO
                key = (addr_type, addr)
                result = self._results.get(key)
                if result is None:
                    result = self._results[key] = ScanResult(Device(addr_type, addr))
                if result._update(adv_type, rssi, adv_data):
                    return result
            if done:
                _active_scanner = None
                break
            await self._event.wait()
        raise StopAsyncIteration

    async def cancel(self) -> None:
        global _active_scanner
        if self._done:
            return
        ble.gap_scan(None)
        while not self._done:
            await self._event.wait()
        if _active_scanner is self:
            _active_scanner = None
