"""An aioble client program for the recorded treadmill (run as its own process by the tests).

argv[1] is a JSON plan: the address, the characteristic to subscribe to, the characteristic and
value to write, and how many notifications to wait for after each. It prints one JSON object:
the database it discovered, and every notification it received, in order, after each step.
Every notification is taken from aioble's IRQ chain (`aioble.core.register_irq_handler`), since
`characteristic.notified()` keeps only the newest value.
"""

import asyncio
import json
import sys

import aioble
import aioble.core
import bluetooth

_IRQ_GATTC_NOTIFY = 18
received = []


def on_irq(event, data):
    if event == _IRQ_GATTC_NOTIFY:
        _, handle, value = data
        received.append((handle, bytes(value).hex()))


aioble.core.register_irq_handler(on_irq, None)


def uuid_text(uuid):
    raw = bytes(uuid)
    return "{:04x}".format(int.from_bytes(raw, "little")) if len(raw) == 2 else raw[::-1].hex()


def uuid_of(text):
    return bluetooth.UUID(int(text, 16)) if len(text) == 4 else bluetooth.UUID(text)


async def wait_for(count, timeout):
    deadline = asyncio.get_running_loop().time() + timeout
    while len(received) < count and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.02)


async def main(plan):
    device = aioble.Device(plan["type"], plan["address"])
    connection = await device.connect(timeout_ms=10000)
    database = []
    services = []
    async for service in connection.services():
        services.append(service)
    for service in services:
        entry = {"start": service._start_handle, "end": service._end_handle, "uuid": uuid_text(service.uuid),
                 "characteristics": []}
        characteristics = []
        async for characteristic in service.characteristics():
            characteristics.append(characteristic)
        for characteristic in characteristics:
            descriptors = []
            async for descriptor in characteristic.descriptors():
                descriptors.append([descriptor._value_handle, uuid_text(descriptor.uuid)])
            entry["characteristics"].append({
                "value_handle": characteristic._value_handle, "properties": characteristic.properties,
                "uuid": uuid_text(characteristic.uuid), "descriptors": descriptors})
        database.append(entry)
    steps = []
    sub = plan["subscribe"]
    char = await (await connection.service(uuid_of(sub["service"]))).characteristic(uuid_of(sub["char"]))
    await char.subscribe(notify=True)
    await wait_for(sub["expect"], 10)
    steps.append(list(received))
    received.clear()
    write = plan["write"]
    char = await (await connection.service(uuid_of(write["service"]))).characteristic(uuid_of(write["char"]))
    await char.write(bytes.fromhex(write["value"]), response=True)
    await wait_for(write["expect"], 10)
    steps.append(list(received))
    await connection.disconnect()
    print(json.dumps({"database": database, "steps": steps}))


asyncio.run(main(json.loads(sys.argv[1])))
