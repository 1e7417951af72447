"""Soak: many GATT operations and connect/disconnect cycles between two Hosts on a fast virtual air.

Resource use must stay flat: live asyncio tasks, the host's per-connection state and
subscriptions return to their level after warm-up, Python objects and RSS grow by
no more than a bound. `make test` runs a short version; `make soak`
(AIOBLE_HCI_SOAK=long) runs 100,000 GATT operations and 1,000 cycles.
"""

from __future__ import annotations

import asyncio
import gc
import os
import resource
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from aioble_hci.att.gatt import Characteristic, Service
from aioble_hci.att.gatt import CharacteristicProperties as P
from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.host.connection import Connection
from aioble_hci.host.gap import Gap, attach_gap
from aioble_hci.host.gatt import Gatt, attach_gatt
from aioble_hci.host.host import Host
from aioble_hci.uuid import UUID

LONG = os.environ.get("AIOBLE_HCI_SOAK") == "long"
GATT_OPERATIONS = 100_000 if LONG else 2_000
CYCLES = 1_000 if LONG else 50
WAIT = 10.0  # a guard against hangs, never a timing assertion

RSS_GROWTH_LIMIT = 16 * 1024 * 1024  # bytes after warm-up, whatever the run length
OBJECT_GROWTH_LIMIT = 5_000  # live Python objects after warm-up
TIMER_SLACK = 4  # live loop timers after warm-up (timers armed by the operation in progress)
SERVICE = UUID("5e0a0001-0000-1000-8000-00805f9b34fb")
CHAR = UUID("5e0a0002-0000-1000-8000-00805f9b34fb")


def rss_bytes() -> int:
    """Resident set size now (Linux /proc/self/statm), else the peak from getrusage."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def live_tasks() -> int:
    return sum(1 for task in asyncio.all_tasks() if not task.done())


def live_timers() -> int:
    """Timers scheduled on the running loop and not cancelled (a timer per operation is a leak)."""
    scheduled = getattr(asyncio.get_running_loop(), "_scheduled", [])
    return sum(1 for handle in scheduled if not handle.cancelled())


def subscriptions(host: Host) -> int:
    return host.events.subscriptions()


@dataclass
class Side:
    host: Host
    gap: Gap
    gatt: Gatt


@dataclass
class Usage:
    tasks: int
    timers: int
    objects: int
    rss: int
    subscriptions: tuple[int, int]

    @classmethod
    def now(cls, central: Side, peripheral: Side) -> Usage:
        gc.collect()
        return cls(live_tasks(), live_timers(), len(gc.get_objects()), rss_bytes(),
                   (subscriptions(central.host), subscriptions(peripheral.host)))

    def assert_stable_since(self, start: Usage, what: str) -> None:
        assert self.tasks <= start.tasks, f"{what}: live tasks grew from {start.tasks} to {self.tasks}"
        assert self.subscriptions == start.subscriptions, f"{what}: event subscriptions grew"
        assert self.timers <= start.timers + TIMER_SLACK, \
            f"{what}: live loop timers grew from {start.timers} to {self.timers}"
        assert self.objects - start.objects <= OBJECT_GROWTH_LIMIT, \
            f"{what}: {self.objects - start.objects} more live objects than after warm-up"
        assert self.rss - start.rss <= RSS_GROWTH_LIMIT, f"{what}: RSS grew by {self.rss - start.rss} bytes"


@pytest.fixture
async def sides() -> AsyncIterator[tuple[Side, Side]]:
    air = Air(loop=asyncio.get_running_loop(), fast=True)
    made: list[Side] = []
    for _ in range(2):
        host = Host(VirtualTransport("virtual", air=air))
        await host.start()
        made.append(Side(host, await attach_gap(host), attach_gatt(host)))
    made[1].gatt.server.register_services(
        [Service(SERVICE, [Characteristic(CHAR, P.READ | P.WRITE, value=b"soak")])])
    yield made[0], made[1]
    for side in made:
        side.gap.close()
        await side.host.close()


async def connect(central: Side, peripheral: Side) -> tuple[Connection, Connection]:
    aset = await peripheral.gap.advertise(b"")
    assert peripheral.gap.address is not None
    conn = await central.gap.connect(peripheral.gap.address, timeout=WAIT)
    return conn, await aset.wait_connection(WAIT)


async def disconnect(central: Side, peripheral: Side, conn: Connection, peer: Connection) -> None:
    await central.gap.disconnect(conn, timeout=WAIT)
    await asyncio.wait_for(peer.closed.wait(), WAIT)
    assert central.host.connections == {} and peripheral.host.connections == {}


async def test_gatt_operations_keep_tasks_timers_objects_and_rss_flat(sides: tuple[Side, Side]) -> None:
    central, peripheral = sides
    conn, peer = await connect(central, peripheral)
    client = central.gatt.client(conn)
    (service,) = await asyncio.wait_for(client.discover_services(SERVICE), WAIT)
    (char,) = await asyncio.wait_for(client.discover_characteristics(service, CHAR), WAIT)
    warm_up = max(100, GATT_OPERATIONS // 10)
    start: Usage | None = None
    for n in range(GATT_OPERATIONS):
        if n == warm_up:
            start = Usage.now(central, peripheral)
        value = n.to_bytes(4, "little")
        if n % 2:
            await asyncio.wait_for(client.write(char.value_handle, value), WAIT)
        else:
            expected = (n - 1).to_bytes(4, "little") if n else b"soak"  # what the last write left
            assert await asyncio.wait_for(client.read(char.value_handle), WAIT) == expected
    assert start is not None
    Usage.now(central, peripheral).assert_stable_since(start, f"after {GATT_OPERATIONS} GATT operations")
    assert central.host.acl.queued == 0 and central.host.commands.queued == 0
    await disconnect(central, peripheral, conn, peer)


async def test_connect_disconnect_cycles_leave_no_state_behind(sides: tuple[Side, Side]) -> None:
    central, peripheral = sides
    warm_up = max(5, CYCLES // 10)
    start: Usage | None = None
    for n in range(CYCLES):
        if n == warm_up:
            start = Usage.now(central, peripheral)
        conn, peer = await connect(central, peripheral)
        client = central.gatt.client(conn)
        assert await asyncio.wait_for(client.read(3), WAIT)  # the Device Name, through a fresh bearer
        await disconnect(central, peripheral, conn, peer)
        assert central.host._waiters == set() and peripheral.host._waiters == set()
    assert start is not None
    Usage.now(central, peripheral).assert_stable_since(start, f"after {CYCLES} connect/disconnect cycles")
    assert central.host.acl.credits == central.host.acl.total_buffers
