# ruff: noqa: E402, F821, UP031, UP041  (MicroPython multitest style: imports after sys.path.append, injected names, asyncio.TimeoutError)
# Orderly L2CAP close through aioble (issue 15 item 2): the central sends 3,640 octets of seeded
# random data (16 SDUs of 400, 377, ... octets) on a channel with MTU 450; the peripheral reads them
# all; the central's channel.disconnect() returns once the peer has answered its
# L2CAP_DISCONNECTION_REQ (Vol 3 Part A, 4.6-4.7), so when the central's connection.disconnect()
# follows at once, the peripheral's channel has already closed by the request, with the link up.
import sys

sys.path.append("")

import asyncio
import random

import aioble

TIMEOUT_MS = 5000
PSM = 22
MTU = 450
FIRST_LEN = 400
STEP = -23
COUNT = 16
SEED = 22


async def peripheral():
    multitest.globals(BDADDR=aioble.config("mac"))
    multitest.next()
    connection = await aioble.advertise(20_000, adv_data=b"\x02\x01\x06\x04\xffMPY", timeout_ms=TIMEOUT_MS)
    print("connected")
    task = asyncio.create_task(connection.l2cap_accept(PSM, MTU, timeout_ms=TIMEOUT_MS))
    await asyncio.sleep_ms(100)
    multitest.broadcast("listening")
    channel = await task
    print("accepted", channel.our_mtu, channel.peer_mtu)
    random.seed(SEED)
    expected = FIRST_LEN * COUNT + STEP * COUNT * (COUNT - 1) // 2
    buf = bytearray(FIRST_LEN)
    received = correct = 0
    while received < expected:
        n = await channel.recvinto(buf, timeout_ms=TIMEOUT_MS)
        received += n
        for i in range(n):
            if buf[i] == random.randint(0, 255):
                correct += 1
    print("received", received, correct)
    multitest.broadcast("received")
    await channel.disconnected(timeout_ms=TIMEOUT_MS)
    print("channel disconnected, link still up:", connection.is_connected())
    await connection.disconnected(timeout_ms=TIMEOUT_MS)
    print("disconnected")


async def central():
    multitest.next()
    connection = await aioble.Device(*BDADDR).connect(timeout_ms=TIMEOUT_MS)
    print("connected")
    multitest.wait("listening")
    channel = await connection.l2cap_connect(PSM, MTU, timeout_ms=TIMEOUT_MS)
    print("connected channel", channel.our_mtu, channel.peer_mtu)
    random.seed(SEED)
    for index in range(COUNT):
        sdu = bytes(random.randint(0, 255) for _ in range(FIRST_LEN + index * STEP))
        await channel.send(sdu)
        await channel.flush(timeout_ms=TIMEOUT_MS)
    print("sent")
    multitest.wait("received")
    await channel.disconnect(timeout_ms=TIMEOUT_MS)
    print("channel disconnected")
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
