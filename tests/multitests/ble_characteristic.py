# ruff: noqa: E402, F821, UP031, UP041  (MicroPython multitest style: imports after sys.path.append, injected names, asyncio.TimeoutError)
# Characteristic read, write with response, notify and indicate without any subscription.
# notify(conn, data) sends data without changing the stored value; written() gives the connection.
import sys

sys.path.append("")

import asyncio

import aioble
import bluetooth

TIMEOUT_MS = 5000
SERVICE_UUID = bluetooth.UUID("7e2c0001-1b9b-4d4e-9a43-2f1d5b8b0a01")
CHAR_UUID = bluetooth.UUID("7e2c0002-1b9b-4d4e-9a43-2f1d5b8b0a01")


async def peripheral():
    service = aioble.Service(SERVICE_UUID)
    char = aioble.Characteristic(service, CHAR_UUID, read=True, write=True, notify=True, indicate=True)
    aioble.register_services(service)
    char.write("p-initial")
    multitest.globals(BDADDR=aioble.config("mac"))
    multitest.next()
    connection = await aioble.advertise(20_000, adv_data=b"\x02\x01\x06\x04\xffMPY", timeout_ms=TIMEOUT_MS)
    print("connected")
    writer = await char.written(timeout_ms=TIMEOUT_MS)
    print("written by the connection:", writer is connection, char.read())
    char.write("p-stored")
    char.notify(connection)
    multitest.wait("got stored")
    char.notify(connection, "p-explicit")
    multitest.wait("got explicit")
    print("stored after explicit notify:", char.read())
    char.write("p-indicated")
    await char.indicate(connection, timeout_ms=TIMEOUT_MS)
    print("indication acknowledged")
    await connection.disconnected(timeout_ms=TIMEOUT_MS)
    print("disconnected")


async def central():
    multitest.next()
    connection = await aioble.Device(*BDADDR).connect(timeout_ms=TIMEOUT_MS)
    print("connected")
    service = await connection.service(SERVICE_UUID)
    char = await service.characteristic(CHAR_UUID)
    print("properties", hex(char.properties))
    print("read", await char.read(timeout_ms=TIMEOUT_MS))
    await char.write("c-written", response=True, timeout_ms=TIMEOUT_MS)
    print("write acknowledged")
    print("notified", await char.notified(timeout_ms=TIMEOUT_MS))
    multitest.broadcast("got stored")
    print("notified", await char.notified(timeout_ms=TIMEOUT_MS))
    multitest.broadcast("got explicit")
    print("indicated", await char.indicated(timeout_ms=TIMEOUT_MS))
    print("read", await char.read(timeout_ms=TIMEOUT_MS))
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
