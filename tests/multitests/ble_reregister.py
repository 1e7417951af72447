# ruff: noqa: E402, F821, UP031, UP041  (MicroPython multitest style: imports after sys.path.append, injected names, asyncio.TimeoutError)
# Re-registration: the same Service and Characteristic objects registered again after each stop();
# initial= is applied on every registration, and a capture characteristic keeps working across
# stop() and re-registration.
import sys

sys.path.append("")

import asyncio

import aioble
import bluetooth

TIMEOUT_MS = 5000
SERVICE_UUID = bluetooth.UUID(0xFE90)
INITIAL_UUID = bluetooth.UUID(0xFE91)
RW_UUID = bluetooth.UUID(0xFE92)
CAPTURE_UUID = bluetooth.UUID(0xFE93)

service = aioble.Service(SERVICE_UUID)
initial_char = aioble.Characteristic(service, INITIAL_UUID, read=True, initial=b"hello")
rw_char = aioble.Characteristic(service, RW_UUID, read=True, write=True)
capture_char = aioble.Characteristic(service, CAPTURE_UUID, write=True, capture=True)


async def peripheral():
    multitest.globals(BDADDR=aioble.config("mac"))
    multitest.next()
    for cycle in range(3):
        aioble.register_services(service)
        rw_char.write("cycle-%d" % cycle)
        task = asyncio.create_task(
            aioble.advertise(20_000, adv_data=b"\x02\x01\x06\x04\xffMPY", timeout_ms=TIMEOUT_MS)
        )
        await asyncio.sleep_ms(100)
        multitest.broadcast("advertising %d" % cycle)
        connection = await task
        writer, data = await capture_char.written(timeout_ms=TIMEOUT_MS)
        print("captured", cycle, writer is connection, data)
        await connection.disconnected(timeout_ms=TIMEOUT_MS)
        aioble.stop()


async def central():
    multitest.next()
    for cycle in range(3):
        multitest.wait("advertising %d" % cycle)
        connection = await aioble.Device(*BDADDR).connect(timeout_ms=TIMEOUT_MS)
        service = await connection.service(SERVICE_UUID)
        initial = await service.characteristic(INITIAL_UUID)
        rw = await service.characteristic(RW_UUID)
        capture = await service.characteristic(CAPTURE_UUID)
        print("read", cycle, await initial.read(timeout_ms=TIMEOUT_MS), await rw.read(timeout_ms=TIMEOUT_MS))
        await capture.write("from central %d" % cycle, timeout_ms=TIMEOUT_MS)
        await connection.disconnect(timeout_ms=TIMEOUT_MS)
        aioble.stop()


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
