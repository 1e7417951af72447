# ruff: noqa: E402, F821, UP031, UP041  (MicroPython multitest style: imports after sys.path.append, injected names, asyncio.TimeoutError)
# Link timing: the central writes with response every 200 ms while the server handles one write
# per 500 ms. A write with response takes one to two connection intervals (50 ms here: NimBLE
# asks for 30-50 ms and the controller takes the maximum), so when the server looks again its
# plain characteristic holds the second write, not the third: a board prints central0, central1.
# A capture characteristic queues every write, so all five come out, in order.
import sys

sys.path.append("")

import asyncio

import aioble
import bluetooth

TIMEOUT_MS = 5000
SERVICE_UUID = bluetooth.UUID("5d6f0001-7c1e-4b7a-a0f1-3e2d1c0b9a88")
PLAIN_UUID = bluetooth.UUID("5d6f0002-7c1e-4b7a-a0f1-3e2d1c0b9a88")
CAPTURE_UUID = bluetooth.UUID("5d6f0003-7c1e-4b7a-a0f1-3e2d1c0b9a88")
WRITES = 5


async def peripheral():
    service = aioble.Service(SERVICE_UUID)
    plain = aioble.Characteristic(service, PLAIN_UUID, write=True)
    captured = aioble.Characteristic(service, CAPTURE_UUID, write=True, capture=True)
    aioble.register_services(service)
    multitest.globals(BDADDR=aioble.config("mac"))
    multitest.next()
    connection = await aioble.advertise(20_000, adv_data=b"\x02\x01\x06\x04\xffMPY", timeout_ms=TIMEOUT_MS)
    print("connected")
    # Slower than the writer: the writes that come while we sleep replace each other.
    for _ in range(2):
        await plain.written(timeout_ms=TIMEOUT_MS)
        print("written", plain.read())
        await asyncio.sleep_ms(500)
    # Captured writes wait in a queue, however slow we are.
    for _ in range(WRITES):
        writer, value = await captured.written(timeout_ms=TIMEOUT_MS)
        print("captured", value, writer is connection)
        await asyncio.sleep_ms(500)
    multitest.broadcast("all captured")
    await connection.disconnected(timeout_ms=TIMEOUT_MS)
    print("disconnected")


async def central():
    multitest.next()
    connection = await aioble.Device(*BDADDR).connect(timeout_ms=TIMEOUT_MS)
    print("connected")
    service = await connection.service(SERVICE_UUID)
    plain = await service.characteristic(PLAIN_UUID)
    captured = await service.characteristic(CAPTURE_UUID)
    for characteristic in (plain, captured):
        for i in range(WRITES):
            await characteristic.write("central%d" % i, response=True, timeout_ms=TIMEOUT_MS)
            await asyncio.sleep_ms(200)
        print("wrote", WRITES)
    multitest.wait("all captured")
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
