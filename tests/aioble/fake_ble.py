"""A fake ``bluetooth.BLE`` for aioble's tests: records every call, and delivers IRQs on its own
"host" thread, as the real host does, while the test's loop may be blocked.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import bluetooth

IRQ_SCAN_DONE = 6


class FakeBLE:
    """Implements the ``bluetooth.BLE`` calls aioble makes, with an in-memory GATT database."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.handler: Callable[[int, Any], Any] | None = None
        self._active = False
        self.settings: dict[str, Any] = {"mtu": 256, "gap_name": b"MPY"}
        self.values: dict[int, bytearray] = {}
        self.buffers: dict[int, tuple[int, bool]] = {}
        self.scanning = False
        self.l2cap_send_result = True
        self.l2cap_sdu = bytearray()
        self.disconnect_result = True
        self.disconnect_error: OSError | None = None
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._host, name="fake-ble-host", daemon=True)
        self._thread.start()

    # The fake host thread.
    def _host(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, future = job
            try:
                future.set_result(fn())
            except BaseException as e:  # handed to the test that injected the event
                future.set_exception(e)

    def on_host(self, fn: Callable[[], Any]) -> Future[Any]:
        future: Future[Any] = Future()
        self._jobs.put((fn, future))
        return future

    def inject(self, event: int, data: Any) -> Any:
        """Deliver one IRQ on the host thread; block until the handler returned; return its answer."""
        return self.on_host(lambda: self._deliver(event, data)).result(timeout=10)

    def inject_later(self, event: int, data: Any) -> Future[Any]:
        return self.on_host(lambda: self._deliver(event, data))

    def _deliver(self, event: int, data: Any) -> Any:
        if self.handler is None:
            return None
        return self.handler(event, data)

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=5)

    def called(self, name: str) -> list[tuple[Any, ...]]:
        return [args for n, args in self.calls if n == name]

    def _record(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))

    # The BLE API.
    def active(self, value: Any = None) -> bool:
        if value is not None:
            self._record("active", bool(value))
            self._active = bool(value)
            if not value:
                self.scanning = False
        return self._active

    def irq(self, handler: Callable[[int, Any], Any]) -> None:
        self.handler = handler

    def config(self, *args: Any, **kwargs: Any) -> Any:
        self._record("config", *args, *sorted(kwargs.items()))
        if args:
            if args[0] == "mac":
                return (0, bytes.fromhex("c0ffee000001"))
            return self.settings[args[0]]
        self.settings.update(kwargs)
        return None

    def gap_advertise(self, interval_us: Any, adv_data: Any = None, resp_data: Any = None,
                      connectable: bool = True) -> None:
        self._record("gap_advertise", interval_us, adv_data, resp_data, connectable)

    def gap_scan(self, duration_ms: Any, *args: Any) -> None:
        self._record("gap_scan", duration_ms, *args)
        if duration_ms is None:
            if self.scanning:
                self.scanning = False
                self.inject(IRQ_SCAN_DONE, ())
        else:
            self.scanning = True

    def gap_connect(self, addr_type: Any, addr: Any = None, **options: Any) -> None:
        self._record("gap_connect", addr_type, addr, options)

    def gap_disconnect(self, conn_handle: int) -> bool:
        self._record("gap_disconnect", conn_handle)
        if self.disconnect_error is not None:
            raise self.disconnect_error
        return self.disconnect_result

    def gap_pair(self, conn_handle: int) -> None:
        self._record("gap_pair", conn_handle)

    def gatts_register_services(self, services: Any) -> tuple[tuple[int, ...], ...]:
        """Lay out handles like the reference LL: GAP and GATT services first, then per
        characteristic its declaration, value, CCCD (notify/indicate) and descriptors."""
        self._record("gatts_register_services", services)
        self.values.clear()
        self.buffers.clear()
        handle = 10
        result = []
        for service in services:
            uuid, characteristics = service
            assert isinstance(uuid, bluetooth.UUID)
            handles = []
            handle += 1  # service declaration
            for characteristic in characteristics:
                flags = characteristic[1]
                assert flags <= 0xFFFF
                handle += 2  # declaration, value
                handles.append(handle)
                self.values[handle] = bytearray()
                if flags & (bluetooth.FLAG_NOTIFY | bluetooth.FLAG_INDICATE):
                    handle += 1
                for _descriptor in characteristic[2] if len(characteristic) > 2 else ():
                    handle += 1
                    handles.append(handle)
                    self.values[handle] = bytearray()
            result.append(tuple(handles))
        return tuple(result)

    def gatts_read(self, value_handle: int) -> bytes:
        self._record("gatts_read", value_handle)
        value = bytes(self.values[value_handle])
        if self.buffers.get(value_handle, (0, False))[1]:
            self.values[value_handle] = bytearray()
        return value

    def gatts_write(self, value_handle: int, data: Any, send_update: bool = False) -> None:
        self._record("gatts_write", value_handle, data, send_update)
        assert not isinstance(data, str)
        self.values[value_handle] = bytearray(data)

    def remote_write(self, value_handle: int, data: bytes) -> None:
        """What the host does on an ATT write: store (append mode appends), then raise IRQ 3."""
        if self.buffers.get(value_handle, (0, False))[1]:
            self.values[value_handle] += data
        else:
            self.values[value_handle] = bytearray(data)

    def gatts_set_buffer(self, value_handle: int, size: int, append: bool = False) -> None:
        self._record("gatts_set_buffer", value_handle, size, append)
        self.buffers[value_handle] = (size, append)
        self.values[value_handle] = bytearray()

    def gatts_notify(self, conn_handle: int, value_handle: int, data: Any = None) -> None:
        self._record("gatts_notify", conn_handle, value_handle, data)

    def gatts_indicate(self, conn_handle: int, value_handle: int, data: Any = None) -> None:
        self._record("gatts_indicate", conn_handle, value_handle, data)

    def gattc_discover_services(self, conn_handle: int, uuid: Any = None) -> None:
        self._record("gattc_discover_services", conn_handle, uuid)

    def gattc_discover_characteristics(self, conn_handle: int, start: int, end: int,
                                       uuid: Any = None) -> None:
        self._record("gattc_discover_characteristics", conn_handle, start, end, uuid)

    def gattc_discover_descriptors(self, conn_handle: int, start: int, end: int) -> None:
        self._record("gattc_discover_descriptors", conn_handle, start, end)

    def gattc_read(self, conn_handle: int, value_handle: int) -> None:
        self._record("gattc_read", conn_handle, value_handle)

    def gattc_write(self, conn_handle: int, value_handle: int, data: Any, mode: int = 0) -> None:
        self._record("gattc_write", conn_handle, value_handle, data, mode)

    def gattc_exchange_mtu(self, conn_handle: int) -> None:
        self._record("gattc_exchange_mtu", conn_handle)

    def l2cap_listen(self, psm: int, mtu: int) -> None:
        self._record("l2cap_listen", psm, mtu)

    def l2cap_connect(self, conn_handle: int, psm: int, mtu: int) -> None:
        self._record("l2cap_connect", conn_handle, psm, mtu)

    def l2cap_disconnect(self, conn_handle: int, cid: int) -> None:
        self._record("l2cap_disconnect", conn_handle, cid)

    def l2cap_send(self, conn_handle: int, cid: int, buf: Any) -> bool:
        self._record("l2cap_send", conn_handle, cid, bytes(buf))
        return self.l2cap_send_result

    def l2cap_recvinto(self, conn_handle: int, cid: int, buf: Any) -> int:
        self._record("l2cap_recvinto", conn_handle, cid, None if buf is None else len(buf))
        if buf is None:
            return len(self.l2cap_sdu)
        n = min(len(buf), len(self.l2cap_sdu))
        buf[:n] = self.l2cap_sdu[:n]
        del self.l2cap_sdu[:n]
        return n
