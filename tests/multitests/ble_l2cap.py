# ruff: noqa: E402, F821, UP031, UP041  (MicroPython multitest style: imports after sys.path.append, injected names, asyncio.TimeoutError)
# L2CAP connection-oriented channels: accept/connect with each side's MTU, send (a str, and a buffer
# split into SDUs of the peer's MTU), recvinto never crossing an SDU, "can't connect while
# listening", listening kept for a second channel, and L2CAPDisconnectedError after disconnect.
import sys

sys.path.append("")

import asyncio

import aioble
import aioble.l2cap

TIMEOUT_MS = 5000
PSM = 0x0081
SERVER_MTU = 128
CLIENT_MTU = 64


async def accept(connection):
    task = asyncio.create_task(connection.l2cap_accept(PSM, SERVER_MTU, timeout_ms=TIMEOUT_MS))
    await asyncio.sleep_ms(100)
    multitest.broadcast("listening")
    return await task


async def peripheral():
    multitest.globals(BDADDR=aioble.config("mac"))
    multitest.next()
    connection = await aioble.advertise(20_000, adv_data=b"\x02\x01\x06\x04\xffMPY", timeout_ms=TIMEOUT_MS)
    print("connected")
    channel = await accept(connection)
    print("accepted", channel.our_mtu, channel.peer_mtu)
    try:
        await connection.l2cap_connect(PSM, SERVER_MTU)
    except ValueError as exc:
        print("refused:", exc)
    buf = bytearray(50)
    sizes = []
    total = 0
    while total < 205:
        n = await channel.recvinto(buf, timeout_ms=TIMEOUT_MS)
        sizes.append(n)
        total += n
    print("received", sizes, buf[:n])
    await channel.send("echo %d" % total)
    await channel.flush(timeout_ms=TIMEOUT_MS)
    await channel.disconnected(timeout_ms=TIMEOUT_MS)
    print("channel disconnected")
    try:
        await channel.recvinto(buf)
    except aioble.l2cap.L2CAPDisconnectedError:
        print("recvinto after disconnect: L2CAPDisconnectedError")
    channel = await accept(connection)
    n = await channel.recvinto(buf, timeout_ms=TIMEOUT_MS)
    print("second channel", bytes(buf[:n]))
    await connection.disconnected(timeout_ms=TIMEOUT_MS)
    print("disconnected")


async def central():
    multitest.next()
    connection = await aioble.Device(*BDADDR).connect(timeout_ms=TIMEOUT_MS)
    print("connected")
    multitest.wait("listening")
    channel = await connection.l2cap_connect(PSM, CLIENT_MTU, timeout_ms=TIMEOUT_MS)
    print("connected channel", channel.our_mtu, channel.peer_mtu)
    await channel.send("hello")
    await channel.flush(timeout_ms=TIMEOUT_MS)
    await channel.send(bytes(range(200)))
    await channel.flush(timeout_ms=TIMEOUT_MS)
    buf = bytearray(CLIENT_MTU)
    n = await channel.recvinto(buf, timeout_ms=TIMEOUT_MS)
    print("received", bytes(buf[:n]))
    await channel.disconnect(timeout_ms=TIMEOUT_MS)
    print("channel disconnected")
    multitest.wait("listening")
    async with await connection.l2cap_connect(PSM, CLIENT_MTU, timeout_ms=TIMEOUT_MS) as channel:
        await channel.send(b"again")
        await channel.flush(timeout_ms=TIMEOUT_MS)
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
