# Scanner: actively scans for a few seconds and prints one line per advertising device each time
# what we know about it changes (address, RSSI, name, services, manufacturer data), then a summary.
# Runs unchanged under MicroPython (aioble) and CPython (aioble-hci):
#   python examples/scanner.py [SECONDS]
#       (AIOBLE_HCI_TRANSPORT picks the controller, e.g. serial:/dev/ttyACM0; unset: the shared
#       virtual air)
#   mpremote run examples/scanner.py                (on a board: scans for DEFAULT_SECONDS)
# ruff: noqa: UP032, UP041  (MicroPython: str.format rather than f-strings; asyncio.TimeoutError)
import asyncio
import binascii
import sys

import aioble

DEFAULT_SECONDS = 10


def describe(result):
    """One line: address (type), RSSI, name, services, manufacturer data."""
    device = result.device
    name = result.name()
    services = ", ".join(str(uuid) for uuid in result.services())
    manufacturer = ", ".join(
        "0x{:04x}:{}".format(company, binascii.hexlify(data).decode()) for company, data in result.manufacturer()
    )
    return "{} {:<6} rssi={:<4} name={} services=[{}] manufacturer=[{}]{}".format(
        device.addr_hex(),
        "random" if device.addr_type else "public",
        result.rssi,
        "-" if name is None else repr(name),
        services,
        manufacturer,
        "" if result.connectable else " (not connectable)",
    )


async def main(seconds):
    print("Scanning for {} s ...".format(seconds))
    seen = {}
    async with aioble.scan(seconds * 1000, active=True) as scanner:
        async for result in scanner:
            line = describe(result)
            key = (result.device.addr_type, result.device.addr_hex())
            if seen.get(key) != line:
                print("+" if key not in seen else "~", line)
                seen[key] = line
    print("{} device(s):".format(len(seen)))
    for key in sorted(seen):
        print(" ", seen[key])


argv = getattr(sys, "argv", None) or []
asyncio.run(main(int(argv[1]) if len(argv) > 1 else DEFAULT_SECONDS))
