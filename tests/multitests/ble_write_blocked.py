# ruff: noqa: E402, F821, UP031, UP041  (MicroPython multitest style: imports after sys.path.append, injected names, asyncio.TimeoutError)
# Writes arriving while the server's asyncio loop is blocked (time.sleep_ms, then a blocking
# multitest.wait) are acknowledged by the stack and kept: capture characteristics hand out
# (connection, value) in global arrival order across characteristics, a plain characteristic's
# written() coalesces to one return with the last value, and the capture queue keeps the newest 10.
import sys

sys.path.append("")

import asyncio
import time

import aioble
import bluetooth

TIMEOUT_MS = 5000
SERVICE_UUID = bluetooth.UUID(0xFED0)
A_UUID = bluetooth.UUID(0xFED1)
B_UUID = bluetooth.UUID(0xFED2)
PLAIN_UUID = bluetooth.UUID(0xFED3)
ORDER = [("a", "a0"), ("b", "b0"), ("a", "a1"), ("plain", "p0"), ("plain", "p1"), ("b", "b1"), ("a", "a2")]


async def consume(name, char, connection, log):
    while True:
        writer, data = await char.written()
        log.append((name, writer is connection, data))


async def peripheral():
    service = aioble.Service(SERVICE_UUID)
    char_a = aioble.Characteristic(service, A_UUID, write=True, capture=True)
    char_b = aioble.Characteristic(service, B_UUID, write=True, capture=True)
    plain = aioble.Characteristic(service, PLAIN_UUID, read=True, write=True)
    aioble.register_services(service)
    multitest.globals(BDADDR=aioble.config("mac"))
    multitest.next()
    connection = await aioble.advertise(20_000, adv_data=b"\x02\x01\x06\x04\xffMPY", timeout_ms=TIMEOUT_MS)
    print("connected")
    multitest.broadcast("blocking")
    time.sleep_ms(300)
    multitest.wait("written in order")
    log = []
    tasks = [asyncio.create_task(consume("a", char_a, connection, log)),
             asyncio.create_task(consume("b", char_b, connection, log))]
    writer = await plain.written(timeout_ms=TIMEOUT_MS)
    print("plain written once", writer is connection, plain.read())
    try:
        await plain.written(timeout_ms=200)
        print("plain written again")
    except asyncio.TimeoutError:
        print("plain writes coalesced")
    while len(log) < 5:
        await asyncio.sleep_ms(20)
    await asyncio.sleep_ms(100)
    for entry in log:
        print("captured", *entry)
    for task in tasks:
        task.cancel()
    multitest.broadcast("blocking again")
    multitest.wait("written twelve")
    for _ in range(10):
        writer, data = await char_a.written(timeout_ms=TIMEOUT_MS)
        print("kept", data)
    try:
        await char_a.written(timeout_ms=200)
        print("more than ten kept")
    except asyncio.TimeoutError:
        print("oldest two dropped")
    await connection.disconnected(timeout_ms=TIMEOUT_MS)
    print("disconnected")


async def central():
    multitest.next()
    connection = await aioble.Device(*BDADDR).connect(timeout_ms=TIMEOUT_MS)
    print("connected")
    service = await connection.service(SERVICE_UUID)
    chars = {
        "a": await service.characteristic(A_UUID),
        "b": await service.characteristic(B_UUID),
        "plain": await service.characteristic(PLAIN_UUID),
    }
    multitest.wait("blocking")
    for name, value in ORDER:
        await chars[name].write(value, timeout_ms=TIMEOUT_MS)
    print("written", len(ORDER))
    multitest.broadcast("written in order")
    multitest.wait("blocking again")
    for i in range(12):
        await chars["a"].write("x%d" % i, response=True, timeout_ms=TIMEOUT_MS)
    print("written", 12)
    multitest.broadcast("written twelve")
    await asyncio.sleep_ms(500)
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
