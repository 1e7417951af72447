# ruff: noqa: E402, F821, UP031, UP041  (MicroPython multitest style: imports after sys.path.append, injected names, asyncio.TimeoutError)
# Advertising payloads and scanning: the auto-built payload (flags, service lists, name given as str,
# manufacturer data) placed by the exclusive 31-byte rule, an over-long payload refused, an active
# scan seeing the scan response, non-connectable advertising seen by a passive scan, cancellation.
import sys

sys.path.append("")

import asyncio

import aioble
import bluetooth

TIMEOUT_MS = 5000
SERVICES = [bluetooth.UUID(0x181A), bluetooth.UUID(0x180F), bluetooth.UUID("AB12")]
NAME = "aioble-hci-mt1"  # 14 characters: with the 15 bytes before it, the field would end at 31
MANUFACTURER = (0x0A0B, b"mt")
NONCONN_ADV = b"\x02\x01\x06\x05\xffMPY!"


async def peripheral():
    try:
        await aioble.advertise(20_000, name="x" * 40, timeout_ms=TIMEOUT_MS)
    except ValueError as exc:
        print("refused:", exc)
    multitest.globals(BDADDR=aioble.config("mac"))
    multitest.next()
    connection = await aioble.advertise(
        20_000, name=NAME, services=SERVICES, manufacturer=MANUFACTURER, timeout_ms=TIMEOUT_MS
    )
    async with connection:
        print("connected")
        await connection.disconnected(timeout_ms=TIMEOUT_MS)
    print("disconnected")
    task = asyncio.create_task(aioble.advertise(20_000, adv_data=NONCONN_ADV, connectable=False))
    await asyncio.sleep_ms(100)
    multitest.broadcast("advertising again")
    multitest.wait("seen")
    task.cancel()
    print("cancelled advertise returned", await task)


async def find(device, active, want):
    async with aioble.scan(5000, interval_us=30000, window_us=30000, active=active) as scanner:
        async for result in scanner:
            if result.device == device and want(result):
                return result
    return None


async def central():
    multitest.next()
    device = aioble.Device(*BDADDR)
    result = await find(device, True, lambda r: r.adv_data and r.resp_data)
    print("name", result.name())
    print("services", list(result.services()))
    print("manufacturer", list(result.manufacturer()), list(result.manufacturer(0x1234)))
    print("connectable", result.connectable)
    print("adv_data", len(result.adv_data), result.adv_data)
    print("resp_data", len(result.resp_data), result.resp_data)
    async with await device.connect(timeout_ms=TIMEOUT_MS) as connection:
        print("connected", connection.device == device)
    print("disconnected")
    multitest.wait("advertising again")
    result = await find(device, False, lambda r: r.adv_data)
    print("passive", result.connectable, result.adv_data, result.resp_data, result.name())
    multitest.broadcast("seen")


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
