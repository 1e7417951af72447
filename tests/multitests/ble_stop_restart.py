# ruff: noqa: E402, F821, UP031, UP041  (MicroPython multitest style: imports after sys.path.append, injected names, asyncio.TimeoutError)
# aioble.stop() and restart in one process: three cycles of new services, advertising and
# connecting, each ended by stop() (called twice, harmless), inside one asyncio.run and once more
# after it returned; the last stop() drops a live link and the peer's waiting notified() raises
# DeviceDisconnectedError. The process then exits promptly.
import sys

sys.path.append("")

import asyncio

import aioble
import bluetooth

TIMEOUT_MS = 5000
SERVICE_UUID = bluetooth.UUID(0xFEE0)
CHAR_UUID = bluetooth.UUID(0xFEE1)


async def peripheral():
    mac = aioble.config("mac")
    multitest.globals(BDADDR=mac)
    multitest.next()
    for cycle in range(3):
        service = aioble.Service(SERVICE_UUID)
        char = aioble.Characteristic(service, CHAR_UUID, read=True, notify=True)
        aioble.register_services(service)
        char.write("cycle-%d" % cycle)
        print("same address", aioble.config("mac") == mac)
        task = asyncio.create_task(
            aioble.advertise(20_000, adv_data=b"\x02\x01\x06\x04\xffMPY", timeout_ms=TIMEOUT_MS)
        )
        await asyncio.sleep_ms(100)
        multitest.broadcast("advertising %d" % cycle)
        connection = await task
        print("connected", cycle)
        if cycle < 2:
            await connection.disconnected(timeout_ms=TIMEOUT_MS)
            print("disconnected", cycle)
        else:
            multitest.wait("waiting for a notification")
        aioble.stop()
        aioble.stop()
        print("stopped", cycle)


async def central():
    multitest.next()
    for cycle in range(3):
        multitest.wait("advertising %d" % cycle)
        connection = await aioble.Device(*BDADDR).connect(timeout_ms=TIMEOUT_MS)
        service = await connection.service(SERVICE_UUID)
        char = await service.characteristic(CHAR_UUID)
        print("read", await char.read(timeout_ms=TIMEOUT_MS))
        if cycle < 2:
            await connection.disconnect(timeout_ms=TIMEOUT_MS)
            print("disconnected", cycle)
        else:
            multitest.broadcast("waiting for a notification")
            try:
                print("notified", await char.notified())
            except aioble.DeviceDisconnectedError:
                print("peer stopped: DeviceDisconnectedError")
            print("connected", connection.is_connected())
        aioble.stop()
        print("stopped", cycle)


def instance0():
    try:
        asyncio.run(peripheral())
    finally:
        aioble.stop()
    print("stopped after asyncio.run")


def instance1():
    try:
        asyncio.run(central())
    finally:
        aioble.stop()
    print("stopped after asyncio.run")
