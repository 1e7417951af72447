# ruff: noqa: E402, F821, UP031, UP041  (MicroPython multitest style: imports after sys.path.append, injected names, asyncio.TimeoutError)
# Descriptors: user descriptors after the automatic CCCD (and nothing else), a descriptor's initial
# value, remote descriptor read and write (written() on the server), discovery of every characteristic.
import sys

sys.path.append("")

import asyncio

import aioble
import bluetooth

TIMEOUT_MS = 5000
SERVICE_UUID = bluetooth.UUID(0xFEB0)
CHAR1_UUID = bluetooth.UUID(0xFEB1)
CHAR2_UUID = bluetooth.UUID(0xFEB2)
DESC_RO_UUID = bluetooth.UUID(0x2901)
DESC_RW_UUID = bluetooth.UUID("7e2c00d1-1b9b-4d4e-9a43-2f1d5b8b0a01")


async def peripheral():
    service = aioble.Service(SERVICE_UUID)
    char1 = aioble.Characteristic(service, CHAR1_UUID, read=True, notify=True)
    desc_ro = aioble.Descriptor(char1, DESC_RO_UUID, read=True, initial="user description")
    desc_rw = aioble.Descriptor(char1, DESC_RW_UUID, read=True, write=True)
    desc_rw.write("rw-initial")
    aioble.Characteristic(service, CHAR2_UUID, read=True, write=True)
    aioble.register_services(service)
    print("descriptors", desc_ro.read(), desc_rw.read())
    multitest.globals(BDADDR=aioble.config("mac"))
    multitest.next()
    connection = await aioble.advertise(20_000, adv_data=b"\x02\x01\x06\x04\xffMPY", timeout_ms=TIMEOUT_MS)
    print("connected")
    writer = await desc_rw.written(timeout_ms=TIMEOUT_MS)
    print("descriptor written", writer is connection, desc_rw.read())
    await connection.disconnected(timeout_ms=TIMEOUT_MS)
    print("disconnected")


async def central():
    multitest.next()
    connection = await aioble.Device(*BDADDR).connect(timeout_ms=TIMEOUT_MS)
    print("connected")
    service = await connection.service(SERVICE_UUID)
    uuids = []
    async for char in service.characteristics():
        uuids.append(char.uuid)
    print("characteristics", sorted(uuids))
    char1 = await service.characteristic(CHAR1_UUID)
    uuids = []
    async for desc in char1.descriptors():
        uuids.append(desc.uuid)
    print("char1 descriptors", sorted(uuids))
    char2 = await service.characteristic(CHAR2_UUID)
    uuids = []
    async for desc in char2.descriptors():
        uuids.append(desc.uuid)
    print("char2 descriptors", uuids)
    desc_ro = await char1.descriptor(DESC_RO_UUID)
    print("read", await desc_ro.read(timeout_ms=TIMEOUT_MS))
    desc_rw = await char1.descriptor(DESC_RW_UUID)
    print("read", await desc_rw.read(timeout_ms=TIMEOUT_MS))
    await desc_rw.write("rw-remote", timeout_ms=TIMEOUT_MS)
    print("read", await desc_rw.read(timeout_ms=TIMEOUT_MS))
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
