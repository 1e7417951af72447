# ruff: noqa: E402, F821, UP031, UP041  (MicroPython multitest style: imports after sys.path.append, injected names, asyncio.TimeoutError)
# Low-level bluetooth.BLE advertising and scanning: non-connectable advertising is ADV_SCAN_IND (2),
# connectable is ADV_IND (0); a passive scan reports (addr_type, addr, adv_type, rssi, adv_data)
# with the payload unchanged; stopping a scan gives SCAN_DONE.
import sys

sys.path.append("")

import time

import machine
from micropython import const

import bluetooth

_IRQ_SCAN_RESULT = const(5)
_IRQ_SCAN_DONE = const(6)

TIMEOUT_MS = 5000
ADV_DATA = b"\x02\x01\x06\x0b\xffaioble-hci"

adv_types = []
payloads = []
scan_done = []


def irq(event, data):
    if event == _IRQ_SCAN_RESULT:
        addr_type, addr, adv_type, rssi, adv_data = data
        if (addr_type, bytes(addr)) == BDADDR:
            adv_types.append(adv_type)
            payloads.append((isinstance(rssi, int), bytes(adv_data)))
    elif event == _IRQ_SCAN_DONE:
        scan_done.append(data)


def wait_until(condition, timeout_ms=TIMEOUT_MS):
    start = time.ticks_ms()
    while not condition() and time.ticks_diff(time.ticks_ms(), start) < timeout_ms:
        machine.idle()
    return bool(condition())


def instance0():
    multitest.globals(BDADDR=ble.config("mac"))
    multitest.next()
    try:
        ble.gap_advertise(20_000, adv_data=ADV_DATA, connectable=False)
        multitest.broadcast("non-connectable")
        multitest.wait("seen")
        ble.gap_advertise(20_000, adv_data=ADV_DATA)
        multitest.broadcast("connectable")
        multitest.wait("seen")
        ble.gap_advertise(None)
        print("advertising stopped")
    finally:
        ble.active(0)


def scan_once():
    del adv_types[:]
    del scan_done[:]
    ble.gap_scan(TIMEOUT_MS, 30_000, 30_000)
    seen = wait_until(lambda: adv_types)
    ble.gap_scan(None)
    print("scan done", wait_until(lambda: scan_done), scan_done[:1])
    multitest.broadcast("seen")
    return adv_types[0] if seen else None


def instance1():
    multitest.next()
    try:
        multitest.wait("non-connectable")
        first = scan_once()
        multitest.wait("connectable")
        second = scan_once()
        print("adv types", [first, second])
        print("payloads", sorted(set(payloads)))
    finally:
        ble.active(0)


ble = bluetooth.BLE()
ble.active(1)
ble.irq(irq)
