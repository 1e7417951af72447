"""The GATT client of the low-level API: discovery, read, write, MTU exchange, notifications.

Each call starts an ATT procedure on the host's bearer of the link (host_att.py) and
returns at once; results arrive as IRQs 9-21, reported by the bearer the moment each
procedure ends. Status convention (NimBLE's): 0 success, 0x100 + ATT error code for
an Error Response, small host codes otherwise (7 not connected, 13 timeout). When a
link drops, every pending procedure ends with a DONE carrying 7 before the
disconnect IRQ.
"""

from __future__ import annotations

import errno
from typing import Any

from aioble_hci.att.errors import AttError, AttTimeoutError, BearerClosedError
from aioble_hci.att.events import IndicationReceived, NotificationReceived
from aioble_hci.att.procedures import (
    DiscoverCharacteristics,
    DiscoverDescriptors,
    DiscoverPrimaryServices,
    ExchangeMtu,
    Read,
    Write,
)
from aioble_hci.facade.host_att import EXCHANGED_KEY, HostAtt
from aioble_hci.facade.irq import ATT_ERROR_BASE, STATUS_NOT_CONNECTED, STATUS_TIMEOUT, Irq
from aioble_hci.facade.stack import LinkState, LowLevelStack
from aioble_hci.uuid import UUID as CoreUUID
from bluetooth._uuid import UUID

STATUS_BAD_DATA = 10  # BLE_HS_EBADDATA: the server's answer made no sense


def status_of(error: BaseException | None) -> int:
    if error is None:
        return 0
    if isinstance(error, AttError):
        return ATT_ERROR_BASE + int(error.code)
    if isinstance(error, AttTimeoutError):
        return STATUS_TIMEOUT
    if isinstance(error, BearerClosedError):
        return STATUS_NOT_CONNECTED
    return STATUS_BAD_DATA


class GattClient:
    """gattc_* operations; each procedure remembers how to report itself."""

    def __init__(self, stack: LowLevelStack, att: HostAtt) -> None:
        self.stack = stack
        self.att = att
        att.client_events = self._events

    def _submit(self, conn: int, procedure: Any) -> None:
        bearer = self.att.bearer(conn)
        link = self.att.link(conn)
        try:
            bearer.start(procedure, lambda proc: self._finished(link, proc))
        except BearerClosedError as exc:
            raise OSError(errno.ENOTCONN, str(exc)) from None

    def discover_services(self, conn: int, uuid: CoreUUID | None) -> None:
        self._submit(conn, DiscoverPrimaryServices(uuid))

    def discover_characteristics(self, conn: int, start: int, end: int, uuid: CoreUUID | None) -> None:
        self._submit(conn, DiscoverCharacteristics(start, end, uuid))

    def discover_descriptors(self, conn: int, start: int, end: int) -> None:
        self._submit(conn, DiscoverDescriptors(start + 1, end))

    def read(self, conn: int, handle: int) -> None:
        self._submit(conn, Read(handle))

    def write(self, conn: int, handle: int, data: bytes, mode: int) -> None:
        bearer = self.att.bearer(conn)
        value = data[: bearer.mtu - 3]  # silently truncated, as NimBLE does
        if mode == 0:
            try:
                bearer.write_command(handle, value)
            except BearerClosedError as exc:
                raise OSError(errno.ENOTCONN, str(exc)) from None
        else:
            self._submit(conn, Write(handle, value))

    def exchange_mtu(self, conn: int) -> None:
        bearer = self.att.bearer(conn)
        link = self.att.link(conn)
        if link.extra.get(EXCHANGED_KEY):
            raise OSError(errno.EALREADY, "the MTU was already exchanged on this link")
        link.extra[EXCHANGED_KEY] = True
        bearer.client.rx_mtu = self.stack.settings.mtu
        self._submit(conn, ExchangeMtu(self.stack.settings.mtu))

    # --- events -----------------------------------------------------------------------

    def _events(self, link: LinkState, event: Any) -> None:
        """A client-side event of the link's bearer (procedures report through `_finished`)."""
        conn = link.handle
        if isinstance(event, NotificationReceived):
            self.stack.irq(Irq.GATTC_NOTIFY, (conn, event.handle, bytes(event.value)))
        elif isinstance(event, IndicationReceived):
            self.stack.irq(Irq.GATTC_INDICATE, (conn, event.handle, bytes(event.value)))

    def _finished(self, link: LinkState, proc: Any) -> None:
        conn = link.handle
        irq = self.stack.irq
        status = status_of(proc.error)
        found = proc.result if proc.error is None and proc.result else []
        if isinstance(proc, DiscoverPrimaryServices):
            for service in found:
                irq(Irq.GATTC_SERVICE_RESULT, (conn, service.start_handle, service.end_handle, UUID.from_core(service.uuid)))
            irq(Irq.GATTC_SERVICE_DONE, (conn, status))
        elif isinstance(proc, DiscoverCharacteristics):
            for ch in found:
                irq(Irq.GATTC_CHARACTERISTIC_RESULT,
                    (conn, ch.end_handle, ch.value_handle, ch.properties, UUID.from_core(ch.uuid)))
            irq(Irq.GATTC_CHARACTERISTIC_DONE, (conn, status))
        elif isinstance(proc, DiscoverDescriptors):
            for descriptor in found:
                irq(Irq.GATTC_DESCRIPTOR_RESULT, (conn, descriptor.handle, UUID.from_core(descriptor.uuid)))
            irq(Irq.GATTC_DESCRIPTOR_DONE, (conn, status))
        elif isinstance(proc, Read):
            if proc.error is None:
                irq(Irq.GATTC_READ_RESULT, (conn, proc.handle, bytes(proc.result or b"")))
            irq(Irq.GATTC_READ_DONE, (conn, proc.handle, status))
        elif isinstance(proc, Write):
            irq(Irq.GATTC_WRITE_DONE, (conn, proc.handle, status))
        elif isinstance(proc, ExchangeMtu):
            if proc.error is None:
                irq(Irq.MTU_EXCHANGED, (conn, int(proc.result)))
