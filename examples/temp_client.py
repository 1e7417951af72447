# A central that finds the temperature sensor, connects and prints what it reads.
# Runs unchanged under MicroPython (aioble) and CPython (aioble-hci):
#   python examples/temp_client.py
import asyncio
import struct

import aioble
import bluetooth

SERVICE_UUID = bluetooth.UUID(0x181A)
TEMP_UUID = bluetooth.UUID(0x2A6E)
READINGS = 5


async def find_sensor():
    async with aioble.scan(duration_ms=5000, active=True) as scanner:
        async for result in scanner:
            if SERVICE_UUID in result.services():
                return result.device
    return None


async def main():
    device = await find_sensor()
    if device is None:
        print("No temperature sensor found")
        return
    print("Found", device)
    async with await device.connect() as conn:
        service = await conn.service(SERVICE_UUID)
        char = await service.characteristic(TEMP_UUID)
        for _ in range(READINGS):
            (centi_deg,) = struct.unpack("<h", await char.read())
            print("Temperature: {:.2f} C".format(centi_deg / 100))
            await asyncio.sleep(1)


asyncio.run(main())
