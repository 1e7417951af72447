"""Peripheral / broadcaster role: ``advertise()`` and the advertising payload builder
(aioble-api.md section 6; AD structures per Core Supplement Part A section 1).
"""

from __future__ import annotations

import asyncio
import struct
from typing import Any

from . import core
from .core import ThreadSafeFlag, ble, ensure_active, register_irq_handler, to_bytes
from .device import Device, DeviceConnection, DeviceTimeout

_IRQ_CENTRAL_CONNECT = 1
_IRQ_CENTRAL_DISCONNECT = 2

_ADV_TYPE_FLAGS = 0x01
_ADV_TYPE_UUID16_COMPLETE = 0x03
_ADV_TYPE_UUID32_COMPLETE = 0x05
_ADV_TYPE_UUID128_COMPLETE = 0x07
_ADV_TYPE_NAME = 0x09
_ADV_TYPE_APPEARANCE = 0x19
_ADV_TYPE_MANUFACTURER = 0xFF

# A payload must stay strictly below this many bytes (aioble's rule: "< 31").
_ADV_PAYLOAD_MAX_LEN = 31

# The connection that arrived last and no advertise() has returned yet, and its flag.
_incoming_connection: DeviceConnection | None = None
_connect_event = ThreadSafeFlag()


def _peripheral_irq(event: int, data: Any) -> None:
    global _incoming_connection
    if event == _IRQ_CENTRAL_CONNECT:
        conn_handle, addr_type, addr = data
        connection = DeviceConnection(Device(addr_type, bytes(addr)))
        connection._register(conn_handle)
        with core.lock:
            _incoming_connection = connection
        _connect_event.set()
    elif event == _IRQ_CENTRAL_DISCONNECT:
        disconnected = DeviceConnection._connected.get(data[0])
        if disconnected is not None:
            disconnected._on_disconnect()


def _peripheral_shutdown() -> None:
    global _incoming_connection
    with core.lock:
        _incoming_connection = None
    _connect_event.clear()


register_irq_handler(_peripheral_irq, _peripheral_shutdown)


def _append(adv_data: bytearray, resp_data: bytearray | None, ad_type: int,
            value: bytes) -> bytearray | None:
    """Put one AD structure in the advertising payload, else the scan response, else fail."""
    field = bytes((len(value) + 1, ad_type)) + value
    if len(field) + len(adv_data) < _ADV_PAYLOAD_MAX_LEN:
        adv_data += field
        return resp_data
    if len(field) + (len(resp_data) if resp_data is not None else 0) < _ADV_PAYLOAD_MAX_LEN:
        if resp_data is None:
            resp_data = bytearray()
        resp_data += field
        return resp_data
    raise ValueError("Advertising payload too long")


def build_payloads(
    limited_disc: bool = False,
    br_edr: bool = False,
    name: Any = None,
    services: Any = None,
    appearance: int = 0,
    manufacturer: Any = None,
) -> tuple[bytes, bytes | None]:
    """Build ``(adv_data, resp_data)`` from advertise()'s keyword arguments.

    Fields in order: flags, 16/32/128-bit service lists (one field per size), complete name,
    appearance, manufacturer data. ``resp_data`` is None when everything fits in ``adv_data``.
    """
    adv_data = bytearray()
    resp_data: bytearray | None = None
    flags = (0x01 if limited_disc else 0x02) + (0x18 if br_edr else 0x04)
    resp_data = _append(adv_data, resp_data, _ADV_TYPE_FLAGS, bytes((flags,)))
    if services:
        for size, ad_type in (
            (2, _ADV_TYPE_UUID16_COMPLETE),
            (4, _ADV_TYPE_UUID32_COMPLETE),
            (16, _ADV_TYPE_UUID128_COMPLETE),
        ):
            uuids = [bytes(uuid) for uuid in services if len(bytes(uuid)) == size]
            if uuids:
                resp_data = _append(adv_data, resp_data, ad_type, b"".join(uuids))
    if name:
        resp_data = _append(adv_data, resp_data, _ADV_TYPE_NAME, bytes(to_bytes(name)))
    if appearance:
        resp_data = _append(adv_data, resp_data, _ADV_TYPE_APPEARANCE, struct.pack("<H", appearance))
    if manufacturer:
        company_id, payload = manufacturer
        resp_data = _append(
            adv_data,
            resp_data,
            _ADV_TYPE_MANUFACTURER,
            struct.pack("<H", company_id) + bytes(to_bytes(payload)),
        )
    return bytes(adv_data), None if resp_data is None else bytes(resp_data)


async def advertise(
    interval_us: int,
    adv_data: Any = None,
    resp_data: Any = None,
    connectable: bool = True,
    limited_disc: bool = False,
    br_edr: bool = False,
    name: Any = None,
    services: Any = None,
    appearance: int = 0,
    manufacturer: Any = None,
    timeout_ms: int | None = None,
) -> DeviceConnection | None:
    """Advertise until a central connects and return the connection.

    A timeout stops advertising and raises ``asyncio.TimeoutError``; cancelling the task stops
    advertising and returns None (aioble swallows that cancellation).
    """
    global _incoming_connection
    ensure_active()
    if not adv_data and not resp_data:
        adv_data, resp_data = build_payloads(
            limited_disc, br_edr, name, services, appearance, manufacturer
        )
    else:
        adv_data = to_bytes(adv_data)
        resp_data = to_bytes(resp_data)
    ble.gap_advertise(interval_us, adv_data=adv_data, resp_data=resp_data, connectable=connectable)
    connection: DeviceConnection | None = None
    try:
        with DeviceTimeout(None, timeout_ms):
            while True:
                await _connect_event.wait()
                with core.lock:
                    connection, _incoming_connection = _incoming_connection, None
                if connection is not None:
                    break
            connection._run_task()
    except asyncio.CancelledError:
        ble.gap_advertise(None)
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()
        return None
    except TimeoutError:
        ble.gap_advertise(None)
        raise
    return connection
