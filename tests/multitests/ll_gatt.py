# ruff: noqa: E402, F821, UP031, UP041  (MicroPython multitest style: imports after sys.path.append, injected names, asyncio.TimeoutError)
# Low-level bluetooth.BLE GATT: IRQ tuples for connect, discovery, read, write, notify, disconnect;
# a notify characteristic spans 4 handles (service, declaration, value, CCCD); a remote write gives
# IRQ 3 with the value readable in the handler; CCCD writes give no IRQ 3; gatts_notify ignores the
# CCCD, gatts_write(send_update=True) honours it.
import sys

sys.path.append("")

import time

import machine
from micropython import const

import bluetooth

_IRQ_CENTRAL_CONNECT = const(1)
_IRQ_CENTRAL_DISCONNECT = const(2)
_IRQ_GATTS_WRITE = const(3)
_IRQ_PERIPHERAL_CONNECT = const(7)
_IRQ_PERIPHERAL_DISCONNECT = const(8)
_IRQ_GATTC_SERVICE_RESULT = const(9)
_IRQ_GATTC_SERVICE_DONE = const(10)
_IRQ_GATTC_CHARACTERISTIC_RESULT = const(11)
_IRQ_GATTC_CHARACTERISTIC_DONE = const(12)
_IRQ_GATTC_DESCRIPTOR_RESULT = const(13)
_IRQ_GATTC_DESCRIPTOR_DONE = const(14)
_IRQ_GATTC_READ_RESULT = const(15)
_IRQ_GATTC_READ_DONE = const(16)
_IRQ_GATTC_WRITE_DONE = const(17)
_IRQ_GATTC_NOTIFY = const(18)

TIMEOUT_MS = 5000
SERVICE_UUID = bluetooth.UUID("7e2c0100-1b9b-4d4e-9a43-2f1d5b8b0a01")
CHAR_UUID = bluetooth.UUID("7e2c0101-1b9b-4d4e-9a43-2f1d5b8b0a01")
CHAR_FLAGS = bluetooth.FLAG_READ | bluetooth.FLAG_WRITE | bluetooth.FLAG_NOTIFY
SERVICE = (SERVICE_UUID, ((CHAR_UUID, CHAR_FLAGS),))

events = {}
results = []
notifications = []
writes = []


def irq(event, data):
    if event == _IRQ_GATTS_WRITE:
        writes.append((data[1], ble.gatts_read(data[1])))
    elif event in (_IRQ_GATTC_SERVICE_RESULT, _IRQ_GATTC_CHARACTERISTIC_RESULT, _IRQ_GATTC_DESCRIPTOR_RESULT):
        results.append(tuple(bytes(x) if isinstance(x, memoryview) else x for x in data[1:]))
    elif event == _IRQ_GATTC_NOTIFY:
        notifications.append(bytes(data[2]))
    elif event == _IRQ_GATTC_READ_RESULT:
        data = (data[0], data[1], bytes(data[2]))
    elif event in (_IRQ_CENTRAL_CONNECT, _IRQ_PERIPHERAL_CONNECT, _IRQ_CENTRAL_DISCONNECT, _IRQ_PERIPHERAL_DISCONNECT):
        data = (data[0], data[1], bytes(data[2]))
    events[event] = data


def wait_for(event, timeout_ms=TIMEOUT_MS):
    start = time.ticks_ms()
    while time.ticks_diff(time.ticks_ms(), start) < timeout_ms:
        if event in events:
            return events.pop(event)
        machine.idle()
    print("timeout waiting for", event)
    return None


def wait_until(condition, timeout_ms=TIMEOUT_MS):
    start = time.ticks_ms()
    while not condition() and time.ticks_diff(time.ticks_ms(), start) < timeout_ms:
        machine.idle()


def instance0():
    ((char_handle,),) = ble.gatts_register_services((SERVICE,))
    ble.gatts_write(char_handle, "periph0")
    multitest.globals(BDADDR=ble.config("mac"))
    multitest.next()
    try:
        ble.gap_advertise(20_000, b"\x02\x01\x06\x04\xffMPY")
        conn, addr_type, addr = wait_for(_IRQ_CENTRAL_CONNECT)
        print("central connect", addr_type in (0, 1), len(addr))
        wait_until(lambda: writes)
        handle, value = writes[0]
        print("gatts write", handle == char_handle, value, ble.gatts_read(char_handle))
        ble.gatts_notify(conn, char_handle)
        ble.gatts_notify(conn, char_handle, "explicit")
        ble.gatts_write(char_handle, "not sent", True)
        multitest.broadcast("notified")
        multitest.wait("subscribed")
        ble.gatts_write(char_handle, "update", True)
        multitest.broadcast("updated")
        conn_again, addr_type_again, addr_again = wait_for(_IRQ_CENTRAL_DISCONNECT)
        print("central disconnect", conn_again == conn, addr_again == addr)
        print("gatts writes", len(writes), ble.gatts_read(char_handle))
    finally:
        ble.active(0)


def instance1():
    multitest.next()
    try:
        ble.gap_connect(*BDADDR)
        conn, addr_type, addr = wait_for(_IRQ_PERIPHERAL_CONNECT)
        print("peripheral connect", (addr_type, addr) == BDADDR)
        ble.gattc_discover_services(conn)
        print("services done", wait_for(_IRQ_GATTC_SERVICE_DONE) == (conn, 0))
        print("services", sorted(uuid for _, _, uuid in results))
        start, end = [(s, e) for s, e, uuid in results if uuid == SERVICE_UUID][0]
        print("service spans", end - start + 1)
        results.clear()
        ble.gattc_discover_characteristics(conn, start, end)
        print("characteristics done", wait_for(_IRQ_GATTC_CHARACTERISTIC_DONE) == (conn, 0))
        ((end_handle, value_handle, properties, uuid),) = results
        print("characteristic", end_handle == end, value_handle - start, hex(properties), uuid)
        results.clear()
        ble.gattc_discover_descriptors(conn, value_handle, end)
        print("descriptors done", wait_for(_IRQ_GATTC_DESCRIPTOR_DONE) == (conn, 0))
        print("descriptors", [(handle - value_handle, uuid) for handle, uuid in results])
        cccd_handle = results[0][0]
        ble.gattc_read(conn, value_handle)
        print("read result", wait_for(_IRQ_GATTC_READ_RESULT) == (conn, value_handle, b"periph0"))
        print("read done", wait_for(_IRQ_GATTC_READ_DONE) == (conn, value_handle, 0))
        ble.gattc_write(conn, value_handle, "central0", 1)
        print("write done", wait_for(_IRQ_GATTC_WRITE_DONE) == (conn, value_handle, 0))
        multitest.wait("notified")
        wait_until(lambda: len(notifications) >= 2)
        time.sleep_ms(100)
        print("notifications without subscribing", notifications)
        notifications.clear()
        ble.gattc_write(conn, cccd_handle, b"\x01\x00", 1)
        print("cccd write done", wait_for(_IRQ_GATTC_WRITE_DONE) == (conn, cccd_handle, 0))
        multitest.broadcast("subscribed")
        multitest.wait("updated")
        wait_until(lambda: notifications)
        print("notification after subscribing", notifications)
        print("disconnect", ble.gap_disconnect(conn))
        conn_again, addr_type, addr = wait_for(_IRQ_PERIPHERAL_DISCONNECT)
        print("peripheral disconnect", conn_again == conn, (addr_type, addr) == BDADDR)
    finally:
        ble.active(0)


ble = bluetooth.BLE()
ble.active(1)
ble.irq(irq)
