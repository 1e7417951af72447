"""Run in a fresh process by the start-up workload: bring a stack up on a virtual controller,
start advertising, print `ready` and exit. `python -m benchmarks.startup_child ours|bumble`."""

from __future__ import annotations

import asyncio
import sys


async def _ours() -> None:
    from aioble_hci.controller.air import Air
    from aioble_hci.controller.transport import VirtualTransport
    from aioble_hci.host.gap import attach_gap
    from aioble_hci.host.host import Host

    host = Host(VirtualTransport("virtual", air=Air(loop=asyncio.get_running_loop(), fast=True)))
    await host.start()
    gap = await attach_gap(host)
    await gap.advertise(b"\x02\x01\x06")
    print("ready", flush=True)
    await host.close()


async def _bumble() -> None:
    from bumble.controller import Controller
    from bumble.device import Device
    from bumble.hci import Address, OwnAddressType
    from bumble.host import Host
    from bumble.link import LocalLink
    from bumble.transport.common import AsyncPipeSink

    controller = Controller("bench", link=LocalLink(), public_address="F0:F1:F2:F3:F4:F5")
    device = Device(name="bench", address=Address("F0:F1:F2:F3:F4:F5"),
                    host=Host(controller, AsyncPipeSink(controller)))
    await device.power_on()
    await device.start_advertising(own_address_type=OwnAddressType.PUBLIC)
    print("ready", flush=True)


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(_ours() if sys.argv[1] == "ours" else _bumble(), 30))
