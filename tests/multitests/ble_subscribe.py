# ruff: noqa: E402, F821, UP031, UP041  (MicroPython multitest style: imports after sys.path.append, injected names, asyncio.TimeoutError)
# Subscriptions: write(send_update=True) honours the client's CCCD (notify, indicate, nothing once
# unsubscribed); notify() ignores it; notified() keeps only the latest value and times out when empty.
import sys

sys.path.append("")

import asyncio

import aioble
import bluetooth

TIMEOUT_MS = 5000
SERVICE_UUID = bluetooth.UUID(0xFEA0)
NOTIFY_UUID = bluetooth.UUID(0xFEA1)
INDICATE_UUID = bluetooth.UUID(0xFEA2)


async def peripheral():
    service = aioble.Service(SERVICE_UUID)
    notify_char = aioble.Characteristic(service, NOTIFY_UUID, read=True, notify=True)
    indicate_char = aioble.Characteristic(service, INDICATE_UUID, read=True, indicate=True)
    aioble.register_services(service)
    multitest.globals(BDADDR=aioble.config("mac"))
    multitest.next()
    connection = await aioble.advertise(20_000, adv_data=b"\x02\x01\x06\x04\xffMPY", timeout_ms=TIMEOUT_MS)
    print("connected")
    multitest.wait("registered")
    notify_char.write("unsubscribed", send_update=True)
    multitest.broadcast("sent unsubscribed")
    multitest.wait("subscribed")
    notify_char.write("subscribed", send_update=True)
    indicate_char.write("indicated", send_update=True)
    multitest.wait("got updates")
    for i in range(3):
        notify_char.notify(connection, "burst-%d" % i)
    multitest.broadcast("burst sent")
    multitest.wait("unsubscribed")
    notify_char.write("after-unsubscribe", send_update=True)
    notify_char.notify(connection, "direct")
    multitest.broadcast("sent after unsubscribe")
    await connection.disconnected(timeout_ms=TIMEOUT_MS)
    print("disconnected")


async def central():
    multitest.next()
    connection = await aioble.Device(*BDADDR).connect(timeout_ms=TIMEOUT_MS)
    print("connected")
    service = await connection.service(SERVICE_UUID)
    notify_char = await service.characteristic(NOTIFY_UUID)
    indicate_char = await service.characteristic(INDICATE_UUID)
    print("read", await notify_char.read(timeout_ms=TIMEOUT_MS))
    multitest.broadcast("registered")
    multitest.wait("sent unsubscribed")
    try:
        print("notified", await notify_char.notified(timeout_ms=500))
    except asyncio.TimeoutError:
        print("nothing while unsubscribed")
    await notify_char.subscribe(notify=True)
    await indicate_char.subscribe(notify=False, indicate=True)
    multitest.broadcast("subscribed")
    print("notified", await notify_char.notified(timeout_ms=TIMEOUT_MS))
    print("indicated", await indicate_char.indicated(timeout_ms=TIMEOUT_MS))
    multitest.broadcast("got updates")
    multitest.wait("burst sent")
    # "burst sent" travels by the harness, the notifications by the air: give the air time to
    # deliver all three, so the 1-deep queue has really been overwritten before it is read.
    await asyncio.sleep(0.5)
    print("latest of burst", await notify_char.notified(timeout_ms=TIMEOUT_MS))
    try:
        print("notified", await notify_char.notified(timeout_ms=200))
    except asyncio.TimeoutError:
        print("burst collapsed to one")
    await notify_char.subscribe(notify=False)
    multitest.broadcast("unsubscribed")
    multitest.wait("sent after unsubscribe")
    print("notify ignores the CCCD", await notify_char.notified(timeout_ms=TIMEOUT_MS))
    print("read", await notify_char.read(timeout_ms=TIMEOUT_MS))
    await connection.disconnect(timeout_ms=TIMEOUT_MS)
    print("disconnected")


def instance0():
    try:
        asyncio.run(peripheral())
    finally:
        aioble.stop()


def instance1():
    try:
        asyncio.run(central())
    finally:
        aioble.stop()
