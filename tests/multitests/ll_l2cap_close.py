# ruff: noqa: E402, F821, UP031, UP041  (MicroPython multitest style: imports after sys.path.append, injected names, asyncio.TimeoutError)
# Orderly L2CAP close, low-level API (issue 15 item 2). The central sends 3,640 octets (16 SDUs of
# 400, 377, ... octets of seeded random data) on a channel with MTU 450; the peripheral reads them
# with l2cap_recvinto. The central then calls l2cap_disconnect: its L2CAP_DISCONNECTION_REQ is
# answered (Vol 3 Part A, 4.6-4.7), so its _IRQ_L2CAP_DISCONNECT comes with status 0 once the
# peer has closed too; only then gap_disconnect. The peripheral sees, in this order,
# _IRQ_L2CAP_DISCONNECT with status 0 (from the request, not the link loss), every octet, and
# _IRQ_CENTRAL_DISCONNECT.
import sys

sys.path.append("")

import random
import time

import machine
from micropython import const

import bluetooth

_IRQ_CENTRAL_CONNECT = const(1)
_IRQ_CENTRAL_DISCONNECT = const(2)
_IRQ_PERIPHERAL_CONNECT = const(7)
_IRQ_PERIPHERAL_DISCONNECT = const(8)
_IRQ_L2CAP_ACCEPT = const(22)
_IRQ_L2CAP_CONNECT = const(23)
_IRQ_L2CAP_DISCONNECT = const(24)
_IRQ_L2CAP_RECV = const(25)
_IRQ_L2CAP_SEND_READY = const(26)

TIMEOUT_MS = 5000
MTU = const(450)
PSM = const(22)
FIRST_LEN = const(400)
STEP = -23
COUNT = const(16)
SEED = 22

events = {}
order = []  # the peripheral's IRQs, as they came


def irq(event, data):
    if event == _IRQ_L2CAP_CONNECT:
        print("_IRQ_L2CAP_CONNECT", data[2], data[3], data[4])
    elif event == _IRQ_L2CAP_DISCONNECT:
        order.append("_IRQ_L2CAP_DISCONNECT %d %d" % (data[2], data[3]))
    elif event == _IRQ_CENTRAL_DISCONNECT:
        order.append("_IRQ_CENTRAL_DISCONNECT")
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
        wait_for(_IRQ_CENTRAL_CONNECT)
        ble.l2cap_listen(PSM, MTU)
        multitest.broadcast("listening")
        conn, cid = wait_for(_IRQ_L2CAP_CONNECT)[:2]
        random.seed(SEED)
        expected = FIRST_LEN * COUNT + STEP * COUNT * (COUNT - 1) // 2
        buf = bytearray(FIRST_LEN)
        received = correct = 0
        while received < expected:
            if wait_for(_IRQ_L2CAP_RECV) is None:
                break
            while True:
                n = ble.l2cap_recvinto(conn, cid, buf)
                if n == 0:
                    break
                received += n
                for i in range(n):
                    if buf[i] == random.randint(0, 255):
                        correct += 1
        wait_for(_IRQ_CENTRAL_DISCONNECT)
        for line in order:
            if line == "_IRQ_CENTRAL_DISCONNECT":
                print("received", received, correct)
            print(line)
    finally:
        ble.active(0)


def instance1():
    multitest.next()
    try:
        ble.gap_connect(*BDADDR)
        conn = wait_for(_IRQ_PERIPHERAL_CONNECT)[0]
        multitest.wait("listening")
        ble.l2cap_connect(conn, PSM, MTU)
        cid = wait_for(_IRQ_L2CAP_CONNECT)[1]
        random.seed(SEED)
        buf = bytearray(FIRST_LEN)
        mv = memoryview(buf)
        for index in range(COUNT):
            n = FIRST_LEN + index * STEP
            for j in range(n):
                buf[j] = random.randint(0, 255)
            if not ble.l2cap_send(conn, cid, mv[:n]):
                wait_for(_IRQ_L2CAP_SEND_READY)
        print("sent")
        ble.l2cap_disconnect(conn, cid)
        status = wait_for(_IRQ_L2CAP_DISCONNECT)[3]
        print("_IRQ_L2CAP_DISCONNECT status", status)
        ble.gap_disconnect(conn)
        wait_for(_IRQ_PERIPHERAL_DISCONNECT)
        print("disconnected")
    finally:
        ble.active(0)


ble = bluetooth.BLE()
ble.active(1)
ble.irq(irq)
