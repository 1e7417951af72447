"""Notifications per second through one host as its simultaneous connections grow (1, 4, 16).

One peripheral Host serves N central Hosts on a private fast Air, each subscribed to one
notify characteristic; the peripheral sends the same total round-robin over its links, and
every centrals' value callback counts. The peripheral's host loop carries all N links, so the
curve shows what a link costs the host beyond the notifications themselves.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from aioble_hci.att.gatt import Characteristic, Service
from aioble_hci.att.gatt import CharacteristicProperties as P
from aioble_hci.controller.air import Air
from aioble_hci.host.connection import Connection
from aioble_hci.host.gap import attach_gap
from aioble_hci.host.gap.advertising import AdvertisingParameters
from aioble_hci.host.gatt import attach_gatt
from aioble_hci.host.host import Host
from benchmarks.core import Settings
from benchmarks.gatt_setup import VALUE
from benchmarks.ours import NOTIFY_CHAR, SERVICE, start_host


def sizes(settings: Settings) -> Sequence[int]:
    return (1, 4, 16)


async def _rate(links: int, total: int) -> float:
    air = Air(loop=asyncio.get_running_loop(), fast=True)
    peripheral = await start_host(air)
    hosts: list[Host] = [peripheral]
    try:
        p_gap, p_gatt = await attach_gap(peripheral), attach_gatt(peripheral)
        char = Characteristic(NOTIFY_CHAR, P.READ | P.NOTIFY, value=b"\x00")
        p_gatt.server.register_services([Service(SERVICE, [char])])
        received = 0
        arrived = asyncio.Event()

        def hit(*_args: object) -> None:
            nonlocal received
            received += 1
            arrived.set()

        served: list[Connection] = []
        for _ in range(links):
            central = await start_host(air)
            hosts.append(central)
            c_gap, c_gatt = await attach_gap(central), attach_gatt(central)
            await p_gap.advertise(b"\x02\x01\x06", params=AdvertisingParameters(interval_min=32))
            address = p_gap.identity_address
            assert address is not None
            waiting = asyncio.ensure_future(p_gap.wait_for_connection(timeout=10))
            conn = await c_gap.connect(address)
            served.append(await waiting)
            client = c_gatt.client(conn)
            await client.exchange_mtu()
            service = (await client.discover_services(SERVICE))[0]
            remote = {c.uuid: c for c in await client.discover_characteristics(service)}[NOTIFY_CHAR]
            await client.subscribe(remote, notify=True)
            client.on_value(remote.value_handle, hit)
        server, handle = p_gatt.server, char.value_handle
        start = time.perf_counter()
        for i in range(total):
            server.notify(served[i % links], handle, VALUE)
            if i % 64 == 63:  # let the links drain as an application loop would
                await asyncio.sleep(0)
        while received < total:
            arrived.clear()
            await arrived.wait()
        return total / (time.perf_counter() - start)
    finally:
        for host in reversed(hosts):
            await host.close()


def measure(settings: Settings, links: int) -> dict[str, float]:
    total = settings.n(4000, 800)
    rate = asyncio.run(asyncio.wait_for(_rate(links, total), 180))
    return {"notifications": rate}
