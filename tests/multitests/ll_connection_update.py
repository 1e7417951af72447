# ruff: noqa: E402, F821, UP031, UP041  (MicroPython multitest style: imports after sys.path.append, injected names, asyncio.TimeoutError)
# _IRQ_CONNECTION_UPDATE (27) in both roles (issue 15 item 6): the central changes the connection
# parameters with a raw HCI LE Connection Update (Vol 4 Part E, 7.8.18: interval 40 x 1.25 ms,
# latency 0, supervision timeout 200 x 10 ms); each side's NimBLE raises BLE_GAP_EVENT_CONN_UPDATE,
# which MicroPython passes on as (conn_handle, conn_interval, conn_latency, supervision_timeout,
# status 0). Then the peripheral asks for interval 24, latency 0, timeout 300 the same way (an LL
# connection parameter request, which a NimBLE central accepts): both raise it again. No update
# event comes at connection time.
import sys

sys.path.append("")

import struct
import time

import machine
from micropython import const

import bluetooth

_IRQ_CENTRAL_CONNECT = const(1)
_IRQ_CENTRAL_DISCONNECT = const(2)
_IRQ_PERIPHERAL_CONNECT = const(7)
_IRQ_PERIPHERAL_DISCONNECT = const(8)
_IRQ_CONNECTION_UPDATE = const(27)

TIMEOUT_MS = 5000
OGF_LE = const(0x08)
OCF_LE_CONNECTION_UPDATE = const(0x0013)

events = {}


def irq(event, data):
    if event == _IRQ_CENTRAL_CONNECT:
        print("_IRQ_CENTRAL_CONNECT")
    elif event == _IRQ_CENTRAL_DISCONNECT:
        print("_IRQ_CENTRAL_DISCONNECT")
    elif event == _IRQ_PERIPHERAL_CONNECT:
        print("_IRQ_PERIPHERAL_CONNECT")
    elif event == _IRQ_PERIPHERAL_DISCONNECT:
        print("_IRQ_PERIPHERAL_DISCONNECT")
    elif event == _IRQ_CONNECTION_UPDATE:
        print("_IRQ_CONNECTION_UPDATE", data[1], data[2], data[3], data[4])
    events[event] = data


def wait_for(event, timeout_ms=TIMEOUT_MS):
    start = time.ticks_ms()
    while time.ticks_diff(time.ticks_ms(), start) < timeout_ms:
        if event in events:
            return events.pop(event)
        machine.idle()
    print("timeout waiting for", event)
    return None


def instance0():
    multitest.globals(BDADDR=ble.config("mac"))
    ble.gap_advertise(20_000, b"\x02\x01\x06\x04\xffMPY")
    multitest.next()
    try:
        conn = wait_for(_IRQ_CENTRAL_CONNECT)[0]
        update = wait_for(_IRQ_CONNECTION_UPDATE)
        print("same connection", update[0] == conn)
        multitest.wait("central updated")
        # Now the peripheral asks (LL connection parameter request); a NimBLE central accepts.
        print("hci_cmd LE Connection Update")
        status = ble.hci_cmd(OGF_LE, OCF_LE_CONNECTION_UPDATE, struct.pack("<7H", conn, 24, 24, 0, 300, 0, 0), None)
        wait_for(_IRQ_CONNECTION_UPDATE)
        print("command status", status)
        multitest.broadcast("updated again")
        wait_for(_IRQ_CENTRAL_DISCONNECT)
    finally:
        ble.active(0)


def instance1():
    multitest.next()
    try:
        ble.gap_connect(*BDADDR)
        conn = wait_for(_IRQ_PERIPHERAL_CONNECT)[0]
        print("hci_cmd LE Connection Update")  # before the call: the IRQ may come before it returns here
        status = ble.hci_cmd(OGF_LE, OCF_LE_CONNECTION_UPDATE, struct.pack("<7H", conn, 40, 40, 0, 200, 0, 0), None)
        update = wait_for(_IRQ_CONNECTION_UPDATE)
        print("command status", status)
        print("same connection", update[0] == conn)
        multitest.broadcast("central updated")
        wait_for(_IRQ_CONNECTION_UPDATE)
        multitest.wait("updated again")
        print("gap_disconnect")
        ble.gap_disconnect(conn)
        wait_for(_IRQ_PERIPHERAL_DISCONNECT)
    finally:
        ble.active(0)


ble = bluetooth.BLE()
ble.active(1)
ble.irq(irq)
