# ruff: noqa: E402, F821, UP031, UP041  (MicroPython multitest style: imports after sys.path.append, injected names, asyncio.TimeoutError)
# BufferedCharacteristic and MTU exchange: the ATT MTU stays 23 (connection.mtu None) until
# exchange_mtu, so a 38-byte client write arrives as 20 bytes; after exchange_mtu(100) both sides
# see min(100, 256) and whole writes arrive, up to max_len; append=True accumulates until read.
import sys

sys.path.append("")

import asyncio

import aioble
import bluetooth

TIMEOUT_MS = 5000
SERVICE_UUID = bluetooth.UUID(0xFEC0)
DEFAULT_UUID = bluetooth.UUID(0xFEC1)
LARGE_UUID = bluetooth.UUID(0xFEC2)
APPEND_UUID = bluetooth.UUID(0xFEC3)
DATA = "0123456789abcdefghijklmnopqrstuvwxyzAB"  # 38 bytes


async def peripheral():
    service = aioble.Service(SERVICE_UUID)
    default = aioble.BufferedCharacteristic(service, DEFAULT_UUID, read=True, write=True)
    large = aioble.BufferedCharacteristic(service, LARGE_UUID, read=True, write=True, max_len=30)
    append = aioble.BufferedCharacteristic(service, APPEND_UUID, read=True, write=True, max_len=60, append=True)
    aioble.register_services(service)
    multitest.globals(BDADDR=aioble.config("mac"))
    multitest.next()
    connection = await aioble.advertise(20_000, adv_data=b"\x02\x01\x06\x04\xffMPY", timeout_ms=TIMEOUT_MS)
    print("connected, mtu", connection.mtu)
    for step, char in enumerate((default, large, append, default, large, append, append)):
        await char.written(timeout_ms=TIMEOUT_MS)
        print("written", len(char.read()))
        multitest.broadcast("checked %d" % step)
    print("mtu", connection.mtu)
    multitest.wait("append twice")
    print("appended", append.read())
    print("read clears the append buffer", append.read())
    await connection.disconnected(timeout_ms=TIMEOUT_MS)
    print("disconnected")


async def central():
    multitest.next()
    connection = await aioble.Device(*BDADDR).connect(timeout_ms=TIMEOUT_MS)
    print("connected, mtu", connection.mtu)
    service = await connection.service(SERVICE_UUID)
    chars = [await service.characteristic(uuid) for uuid in (DEFAULT_UUID, LARGE_UUID, APPEND_UUID)]
    for step, char in enumerate(chars):
        await char.write(DATA, response=True, timeout_ms=TIMEOUT_MS)
        multitest.wait("checked %d" % step)
    print("exchanged", await connection.exchange_mtu(100, timeout_ms=TIMEOUT_MS))
    for step, char in enumerate(chars, 3):
        await char.write(DATA, response=True, timeout_ms=TIMEOUT_MS)
        multitest.wait("checked %d" % step)
    await chars[2].write("tail", response=True, timeout_ms=TIMEOUT_MS)
    multitest.wait("checked 6")
    await chars[2].write("first-", response=True, timeout_ms=TIMEOUT_MS)
    await chars[2].write("second", response=True, timeout_ms=TIMEOUT_MS)
    multitest.broadcast("append twice")
    print("mtu", connection.mtu)
    await asyncio.sleep_ms(200)
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
