"""Fixtures: Hosts with a Gap on virtual controllers sharing one fast private Air on the test's loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from aioble_hci.address import Address
from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.host.gap import Gap, GapConfig, attach_gap
from aioble_hci.host.host import Host

WAIT = 5.0  # a guard against hangs, never a timing assertion

MakeGap = Callable[..., Awaitable[Gap]]


@pytest.fixture
async def air() -> Air:
    return Air(loop=asyncio.get_running_loop(), fast=True)


@pytest.fixture
async def make_gap(air: Air) -> AsyncIterator[MakeGap]:
    """`await make_gap(config=GapConfig(...), address="c0:..:01/random")` -> a started Host's Gap."""
    hosts: list[Host] = []

    async def make(config: GapConfig | None = None, address: str | None = None) -> Gap:
        transport = VirtualTransport(air=air, address=Address.parse(address) if address else None)
        host = Host(transport)
        hosts.append(host)
        await host.start()
        return await attach_gap(host, config)

    yield make
    for host in hosts:
        if host.gap is not None:
            host.gap.close()
        await host.close()
