# ruff: noqa: E402, F821, UP031, UP041  (MicroPython multitest style: imports after sys.path.append, injected names, asyncio.TimeoutError)
# A bond kept by the application survives ble.active(0)/active(1), low-level API. NimBLE's store
# asks the application for a peer's keys by the peer's address (_IRQ_GET_SECRET with index 0 and
# key = address type + address); iterating by index (key None) is only how a stack enumerates.
# This application answers keyed look-ups only, as MicroPython's own bond tests do. After the
# restart the central connects again: the bond is found by address, the link is encrypted with
# the stored key without pairing (_IRQ_ENCRYPTION_UPDATE 1 0 1 on both sides), and the
# encrypted-read characteristic can be read.
import sys

sys.path.append("")

import time

import machine
from micropython import const

import bluetooth

_IRQ_CENTRAL_CONNECT = const(1)
_IRQ_CENTRAL_DISCONNECT = const(2)
_IRQ_PERIPHERAL_CONNECT = const(7)
_IRQ_PERIPHERAL_DISCONNECT = const(8)
_IRQ_GATTC_CHARACTERISTIC_RESULT = const(11)
_IRQ_GATTC_CHARACTERISTIC_DONE = const(12)
_IRQ_GATTC_READ_RESULT = const(15)
_IRQ_GATTC_READ_DONE = const(16)
_IRQ_ENCRYPTION_UPDATE = const(28)
_IRQ_GET_SECRET = const(29)
_IRQ_SET_SECRET = const(30)

TIMEOUT_MS = 5000
SERVICE_UUID = bluetooth.UUID("7e2c0300-1b9b-4d4e-9a43-2f1d5b8b0a01")
CHAR_UUID = bluetooth.UUID("7e2c0301-1b9b-4d4e-9a43-2f1d5b8b0a01")
SERVICE = (SERVICE_UUID, ((CHAR_UUID, bluetooth.FLAG_READ | 0x0200),))  # 0x0200: _FLAG_READ_ENCRYPTED

events = {}
secrets = {}


def irq(event, data):
    if event == _IRQ_CENTRAL_CONNECT:
        print("_IRQ_CENTRAL_CONNECT")
    elif event == _IRQ_CENTRAL_DISCONNECT:
        print("_IRQ_CENTRAL_DISCONNECT")
    elif event == _IRQ_PERIPHERAL_CONNECT:
        print("_IRQ_PERIPHERAL_CONNECT")
    elif event == _IRQ_PERIPHERAL_DISCONNECT:
        print("_IRQ_PERIPHERAL_DISCONNECT")
    elif event == _IRQ_GATTC_CHARACTERISTIC_RESULT:
        if data[-1] != CHAR_UUID:
            return None
    elif event == _IRQ_GATTC_READ_RESULT:
        print("_IRQ_GATTC_READ_RESULT", bytes(data[-1]))
    elif event == _IRQ_ENCRYPTION_UPDATE:
        print("_IRQ_ENCRYPTION_UPDATE", data[1], data[2], data[3])
    elif event == _IRQ_GET_SECRET:
        sec_type, _index, key = data
        if key is None:  # only keyed look-ups are answered
            return None
        return secrets.get((sec_type, bytes(key)), None)
    elif event == _IRQ_SET_SECRET:
        sec_type, key, value = data
        if value is None:
            secrets.pop((sec_type, bytes(key)), None)
        else:
            secrets[(sec_type, bytes(key))] = bytes(value)
        return True
    events[event] = data
    return None


def wait_for(event, timeout_ms=TIMEOUT_MS):
    start = time.ticks_ms()
    while time.ticks_diff(time.ticks_ms(), start) < timeout_ms:
        if event in events:
            return events.pop(event)
        machine.idle()
    print("timeout waiting for", event)
    return None


def settle(ms=300):
    start = time.ticks_ms()
    while time.ticks_diff(time.ticks_ms(), start) < ms:
        machine.idle()


def restart():
    """What a reboot leaves: the application's secrets, nothing in the stack."""
    ble.active(0)
    ble.active(1)
    ble.irq(irq)


def instance0():
    ((char_handle,),) = ble.gatts_register_services((SERVICE,))
    ble.gatts_write(char_handle, "encrypted")
    multitest.globals(BDADDR=ble.config("mac"))
    ble.gap_advertise(20_000, b"\x02\x01\x06\x04\xffMPY")
    multitest.next()
    wait_for(_IRQ_CENTRAL_CONNECT)
    wait_for(_IRQ_ENCRYPTION_UPDATE)
    wait_for(_IRQ_CENTRAL_DISCONNECT)
    print("restart")
    restart()
    ((char_handle,),) = ble.gatts_register_services((SERVICE,))
    ble.gatts_write(char_handle, "still encrypted")
    ble.gap_advertise(20_000, b"\x02\x01\x06\x04\xffMPY")
    multitest.next()
    try:
        wait_for(_IRQ_CENTRAL_CONNECT)
        wait_for(_IRQ_ENCRYPTION_UPDATE)
        wait_for(_IRQ_CENTRAL_DISCONNECT)
    finally:
        ble.active(0)


def read(conn):
    ble.gattc_discover_characteristics(conn, 1, 65535)
    value_handle = wait_for(_IRQ_GATTC_CHARACTERISTIC_RESULT)[2]
    wait_for(_IRQ_GATTC_CHARACTERISTIC_DONE)
    ble.gattc_read(conn, value_handle)
    wait_for(_IRQ_GATTC_READ_RESULT)
    wait_for(_IRQ_GATTC_READ_DONE)
    settle()


def instance1():
    multitest.next()
    print("gap_connect")
    ble.gap_connect(*BDADDR)
    conn = wait_for(_IRQ_PERIPHERAL_CONNECT)[0]
    print("gap_pair")
    ble.gap_pair(conn)
    wait_for(_IRQ_ENCRYPTION_UPDATE)
    settle()
    read(conn)
    print("gap_disconnect")
    ble.gap_disconnect(conn)
    wait_for(_IRQ_PERIPHERAL_DISCONNECT)
    print("restart")
    restart()
    multitest.next()
    try:
        print("gap_connect")
        ble.gap_connect(*BDADDR)
        conn = wait_for(_IRQ_PERIPHERAL_CONNECT)[0]
        wait_for(_IRQ_ENCRYPTION_UPDATE)
        settle()
        read(conn)
        print("gap_disconnect")
        ble.gap_disconnect(conn)
        wait_for(_IRQ_PERIPHERAL_DISCONNECT)
    finally:
        ble.active(0)


ble = bluetooth.BLE()
ble.config(bond=True, le_secure=True)
ble.active(1)
ble.irq(irq)
