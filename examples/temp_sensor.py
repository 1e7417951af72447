# A temperature sensor peripheral, as in the aioble documentation.
# Runs unchanged under MicroPython (aioble) and CPython (aioble-hci):
#   python examples/temp_sensor.py
import asyncio
import random
import struct

import aioble
import bluetooth

SERVICE_UUID = bluetooth.UUID(0x181A)  # Environmental Sensing
TEMP_UUID = bluetooth.UUID(0x2A6E)  # Temperature
APPEARANCE_GENERIC_THERMOMETER = 768
ADV_INTERVAL_US = 250000

service = aioble.Service(SERVICE_UUID)
temp = aioble.Characteristic(service, TEMP_UUID, read=True, notify=True)
aioble.register_services(service)


def encode_temperature(deg_c):
    """org.bluetooth.characteristic.temperature: sint16 in 0.01 degrees Celsius."""
    return struct.pack("<h", int(deg_c * 100))


async def sensor_task():
    deg_c = 24.5
    while True:
        temp.write(encode_temperature(deg_c), send_update=True)
        deg_c += random.uniform(-0.5, 0.5)
        await asyncio.sleep(1)


async def peripheral_task():
    while True:
        conn = await aioble.advertise(
            ADV_INTERVAL_US,
            name="openmv-temp",
            services=[SERVICE_UUID],
            appearance=APPEARANCE_GENERIC_THERMOMETER,
        )
        print("Connection from", conn.device)
        async with conn:
            await conn.disconnected()


async def main():
    await asyncio.gather(sensor_task(), peripheral_task())


asyncio.run(main())
