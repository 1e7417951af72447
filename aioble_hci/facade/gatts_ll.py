"""The GATT server of the low-level API: gatts_register_services and the gatts_* calls.

Layout per characteristic: declaration, value, CCCD (only for notify/indicate),
then the user descriptors (aioble-api.md 8.7); the GAP (0x1800) and GATT (0x1801)
services come first. Value buffers hold 20 bytes and silently truncate remote
writes (NimBLE parity); a local write grows them. The database is the host's GATT
server's (host/gatt/server.py), served by the host's ATT bearer of each link
(host_att.py); before the first activation it is only built here.
"""

from __future__ import annotations

import errno
import logging
from typing import Any

from aioble_hci.att.database import AttPermissions, AttributeDatabase
from aioble_hci.att.errors import AttError, IndicationPendingError
from aioble_hci.att.events import IndicationConfirmed, MtuChanged, TransactionTimedOut, Written
from aioble_hci.att.gatt import (
    Characteristic,
    CharacteristicProperties,
    Descriptor,
    Service,
    build_database,
    gap_service,
    gatt_service,
)
from aioble_hci.facade.host_att import EXCHANGED_KEY, HostAtt
from aioble_hci.facade.irq import STATUS_NOT_CONNECTED, STATUS_TIMEOUT, Irq
from aioble_hci.facade.stack import LinkState, LowLevelStack

log = logging.getLogger(__name__)

DEFAULT_BUFFER = 20

FLAG_READ = 0x0002
FLAG_WRITE_NO_RESPONSE = 0x0004
FLAG_WRITE = 0x0008
_SECURITY = {
    0x0200: AttPermissions.READ_ENCRYPTED,
    0x0400: AttPermissions.READ_AUTHENTICATED,
    0x0800: AttPermissions.READ_AUTHORIZED,
    0x1000: AttPermissions.WRITE_ENCRYPTED,
    0x2000: AttPermissions.WRITE_AUTHENTICATED,
    0x4000: AttPermissions.WRITE_AUTHORIZED,
}


def permissions(flags: int) -> AttPermissions:
    """ATT permissions from MicroPython's FLAG_* bits (bits above 0xFFFF, e.g. aioble's capture, ignored)."""
    perms = AttPermissions.NONE
    if flags & FLAG_READ:
        perms |= AttPermissions.READABLE
    if flags & (FLAG_WRITE | FLAG_WRITE_NO_RESPONSE):
        perms |= AttPermissions.WRITEABLE
    for bit, perm in _SECURITY.items():
        if flags & bit:
            perms |= perm
    return perms


def parse_definition(definition: Any, to_core: Any) -> list[Service]:
    """The att.gatt model of ``((uuid, ((uuid, flags[, ((uuid, flags), ...)]), ...)), ...)``."""
    services = []
    for service_def in definition:
        uuid, chars = service_def[0], service_def[1]
        model = Service(to_core(uuid))
        for char_def in chars:
            flags = int(char_def[1]) & 0xFFFF
            descriptors = [
                Descriptor(to_core(d[0]), permissions(int(d[1])), max_len=DEFAULT_BUFFER)
                for d in (char_def[2] if len(char_def) > 2 else ())
            ]
            model.characteristics.append(Characteristic(
                to_core(char_def[0]), CharacteristicProperties(flags & 0xFF), permissions(flags),
                max_len=DEFAULT_BUFFER, truncate=True, descriptors=descriptors))
        services.append(model)
    return services


class GattServer:
    """The local database and the gatts_* operations."""

    def __init__(self, stack: LowLevelStack, att: HostAtt) -> None:
        self.stack = stack
        self.att = att
        self.db = AttributeDatabase()
        self._services: list[Service] = []
        self._pending_indications: dict[int, int] = {}  # conn -> value handle
        self._owed: dict[int, dict[int, None]] = {}  # conn -> value handles updated while indicating
        self.register([], lambda u: u)
        att.server_events = self._events
        stack.on_activate.append(self._install)
        stack.on_link_down.append(self._link_down)
        stack.on_deactivate.append(self._clear)

    def _clear(self) -> None:
        self.register([], lambda u: u)
        self._pending_indications.clear()
        self._owed.clear()

    # --- registration ---------------------------------------------------------------

    def register(self, definition: Any, to_core: Any) -> tuple[tuple[int, ...], ...]:
        services = parse_definition(definition, to_core)
        self._services = services
        self._install()
        return tuple(tuple(h for c in s.characteristics for h in (c.value_handle, *(d.handle for d in c.descriptors)))
                     for s in services)

    def _install(self) -> None:
        """Build the database of the registered services: the host's GATT server's once the host
        is open (every link's bearer then serves it), else only here until the first activation."""
        gap = gap_service()
        gap.characteristics[0].read_callback = lambda conn: self.stack.settings.gap_name
        if self.att.opened:
            db = self.att.gatt.server.register_services(self._services, gap=gap, gatt=gatt_service())
        else:
            db = build_database([gap, gatt_service(), *self._services])
        for service in self._services:
            for char in service.characteristics:
                for handle in (char.value_handle, *(d.handle for d in char.descriptors)):
                    attr = db.get(handle)
                    assert attr is not None
                    attr.value.truncate = True
                    attr.read_callback = self._read_callback(handle)
        self.db = db

    def _read_callback(self, handle: int) -> Any:
        def read(connection: Any) -> bytes:
            status = self.stack.irq(Irq.GATTS_READ_REQUEST, (connection.handle, handle))
            if status:
                raise AttError(int(status), handle)
            attr = self.db.get(handle)
            return attr.value.data if attr is not None else b""

        return read

    # --- local access -----------------------------------------------------------------

    def _attr(self, handle: int) -> Any:
        attr = self.db.get(handle)
        if attr is None:
            raise OSError(errno.EINVAL, f"no attribute with handle {handle}")
        return attr

    def read(self, handle: int) -> bytes:
        return self._attr(handle).value.take()

    def write(self, handle: int, value: bytes, send_update: bool) -> None:
        """Store a value; with send_update each subscribed client gets it. An indication while
        one is unconfirmed goes after the confirmation with the latest value (NimBLE's
        ble_gatts_chr_updated); one client's failure never skips the others."""
        self._attr(handle).value.set(value)
        if not send_update:
            return
        for link, bearer in self.att.bearers():
            try:
                cccd = bearer.server.subscription(handle)
                if cccd & 1:
                    self.notify(link.handle, handle, value)
                elif cccd & 2 and bearer.server.indication_pending:
                    self._owed.setdefault(link.handle, {})[handle] = None
                elif cccd & 2:
                    self.indicate(link.handle, handle, value)
            except Exception:
                log.exception("gatts_write update of %d to connection %d failed", handle, link.handle)

    def set_buffer(self, handle: int, length: int, append: bool) -> None:
        buffer = self._attr(handle).value
        buffer.max_len = length
        buffer.append = append
        buffer.data = b""

    def notify(self, conn: int, handle: int, data: bytes | None) -> None:
        bearer = self.att.bearer(conn)
        value = self._attr(handle).value.data if data is None else data
        bearer.notify(handle, value)

    def indicate(self, conn: int, handle: int, data: bytes | None) -> None:
        bearer = self.att.bearer(conn)
        value = self._attr(handle).value.data if data is None else data
        try:
            bearer.server.indicate(handle, value, bearer.now())
        except IndicationPendingError as exc:
            raise OSError(errno.EALREADY, str(exc)) from None
        self._pending_indications[conn] = handle
        bearer.flush()

    # --- events -----------------------------------------------------------------------------

    def _events(self, link: LinkState, event: Any) -> None:
        """A server-side event of the link's bearer."""
        conn = link.handle
        if isinstance(event, Written):
            self.stack.irq(Irq.GATTS_WRITE, (conn, event.handle))
        elif isinstance(event, IndicationConfirmed):
            if self._pending_indications.get(conn) == event.handle:  # the application's own, not
                del self._pending_indications[conn]                   # the host's Service Changed
                self.stack.irq(Irq.GATTS_INDICATE_DONE, (conn, event.handle, 0))
            self._send_owed(link)
        elif isinstance(event, TransactionTimedOut):
            handle = self._pending_indications.pop(conn, None)
            if handle is not None:
                self.stack.irq(Irq.GATTS_INDICATE_DONE, (conn, handle, STATUS_TIMEOUT))
        elif isinstance(event, MtuChanged):
            link.extra[EXCHANGED_KEY] = True
            self.stack.irq(Irq.MTU_EXCHANGED, (conn, event.mtu))

    def _send_owed(self, link: LinkState) -> None:
        """Updates of indicated values made while an indication was unconfirmed, one at a time,
        with the value stored now (Service Changed is the host GATT server's to send)."""
        owed = self._owed.get(link.handle)
        while owed:
            try:
                bearer = self.att.bearer(link.handle)
            except OSError:
                return
            if bearer.server.indication_pending:
                return
            handle = next(iter(owed))
            del owed[handle]
            attr = self.db.get(handle)
            if attr is not None and bearer.server.subscription(handle) & 2:
                self.indicate(link.handle, handle, attr.value.data)

    def _link_down(self, link: LinkState, reason: int) -> None:
        self._owed.pop(link.handle, None)
        handle = self._pending_indications.pop(link.handle, None)
        if handle is not None:
            self.stack.irq(Irq.GATTS_INDICATE_DONE, (link.handle, handle, STATUS_NOT_CONNECTED))

