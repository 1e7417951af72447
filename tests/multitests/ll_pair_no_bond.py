# ruff: noqa: E402, F821, UP031, UP041  (MicroPython multitest style: imports after sys.path.append, injected names, asyncio.TimeoutError)
# Pairing without bonding, low-level API (issue 15 items 1 and 5): a peripheral with an
# encrypted-read characteristic; the central pairs with gap_pair and no config(bond=...) (NimBLE in
# MicroPython builds with BLE_SM_BONDING 0: no bond by default) and reads. A board raises
# _IRQ_ENCRYPTION_UPDATE once per side, from the one Encryption Change, with bonded=0, and no
# _IRQ_SET_SECRET of peer keys follows.
import sys

sys.path.append("")

import time

import machine
from micropython import const

import bluetooth

_IRQ_CENTRAL_CONNECT = const(1)
_IRQ_CENTRAL_DISCONNECT = const(2)
_IRQ_GATTS_READ_REQUEST = const(4)
_IRQ_PERIPHERAL_CONNECT = const(7)
_IRQ_PERIPHERAL_DISCONNECT = const(8)
_IRQ_GATTC_CHARACTERISTIC_RESULT = const(11)
_IRQ_GATTC_CHARACTERISTIC_DONE = const(12)
_IRQ_GATTC_READ_RESULT = const(15)
_IRQ_GATTC_READ_DONE = const(16)
_IRQ_ENCRYPTION_UPDATE = const(28)
_IRQ_SET_SECRET = const(30)

TIMEOUT_MS = 5000
SERVICE_UUID = bluetooth.UUID("7e2c0200-1b9b-4d4e-9a43-2f1d5b8b0a01")
CHAR_UUID = bluetooth.UUID("7e2c0201-1b9b-4d4e-9a43-2f1d5b8b0a01")
SERVICE = (SERVICE_UUID, ((CHAR_UUID, bluetooth.FLAG_READ | 0x0200),))  # 0x0200: _FLAG_READ_ENCRYPTED

events = {}


def irq(event, data):
    if event == _IRQ_CENTRAL_CONNECT:
        print("_IRQ_CENTRAL_CONNECT")
    elif event == _IRQ_CENTRAL_DISCONNECT:
        print("_IRQ_CENTRAL_DISCONNECT")
    elif event == _IRQ_GATTS_READ_REQUEST:
        print("_IRQ_GATTS_READ_REQUEST")
    elif event == _IRQ_PERIPHERAL_CONNECT:
        print("_IRQ_PERIPHERAL_CONNECT")
    elif event == _IRQ_PERIPHERAL_DISCONNECT:
        print("_IRQ_PERIPHERAL_DISCONNECT")
    elif event == _IRQ_GATTC_CHARACTERISTIC_RESULT:
        if data[-1] != CHAR_UUID:
            return None
        print("_IRQ_GATTC_CHARACTERISTIC_RESULT", data[-1])
    elif event == _IRQ_GATTC_CHARACTERISTIC_DONE:
        print("_IRQ_GATTC_CHARACTERISTIC_DONE")
    elif event == _IRQ_GATTC_READ_RESULT:
        print("_IRQ_GATTC_READ_RESULT", bytes(data[-1]))
    elif event == _IRQ_ENCRYPTION_UPDATE:
        print("_IRQ_ENCRYPTION_UPDATE", data[1], data[2], data[3])
    elif event == _IRQ_SET_SECRET:
        if data[0] != 10:  # 10: our own IRK, stored at activation; anything else is a peer's keys
            print("_IRQ_SET_SECRET", data[0])
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
    """Let any late (duplicate) event arrive before the next step prints."""
    start = time.ticks_ms()
    while time.ticks_diff(time.ticks_ms(), start) < ms:
        machine.idle()


def instance0():
    ((char_handle,),) = ble.gatts_register_services((SERVICE,))
    ble.gatts_write(char_handle, "encrypted")
    multitest.globals(BDADDR=ble.config("mac"))
    print("gap_advertise")
    ble.gap_advertise(20_000, b"\x02\x01\x06\x04\xffMPY")
    multitest.next()
    try:
        wait_for(_IRQ_CENTRAL_CONNECT)
        wait_for(_IRQ_ENCRYPTION_UPDATE)
        wait_for(_IRQ_GATTS_READ_REQUEST)
        wait_for(_IRQ_CENTRAL_DISCONNECT)
    finally:
        ble.active(0)


def instance1():
    multitest.next()
    try:
        print("gap_connect")
        ble.gap_connect(*BDADDR)
        conn = wait_for(_IRQ_PERIPHERAL_CONNECT)[0]
        ble.gattc_discover_characteristics(conn, 1, 65535)
        value_handle = wait_for(_IRQ_GATTC_CHARACTERISTIC_RESULT)[2]
        wait_for(_IRQ_GATTC_CHARACTERISTIC_DONE)
        print("gap_pair")
        ble.gap_pair(conn)
        wait_for(_IRQ_ENCRYPTION_UPDATE)
        settle()
        print("gattc_read")
        ble.gattc_read(conn, value_handle)
        wait_for(_IRQ_GATTC_READ_RESULT)
        wait_for(_IRQ_GATTC_READ_DONE)
        settle()
        print("gap_disconnect")  # before the call: the IRQ may come before the call returns here
        ble.gap_disconnect(conn)
        wait_for(_IRQ_PERIPHERAL_DISCONNECT)
    finally:
        ble.active(0)


ble = bluetooth.BLE()
ble.config(mitm=True, le_secure=True)
ble.active(1)
ble.irq(irq)
