"""Fixtures: a private fast Air on the test's loop and two started Hosts on it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from aioble_hci.controller.air import Air
from aioble_hci.host.host import Host
from tests.gatt_host.pair import start_host


@pytest.fixture
async def air() -> Air:
    return Air(loop=asyncio.get_running_loop(), fast=True)


@pytest.fixture
async def hosts(air: Air) -> AsyncIterator[tuple[Host, Host]]:
    """(central, peripheral): two started Hosts, not yet connected."""
    central, peripheral = await start_host(air), await start_host(air)
    yield central, peripheral
    await central.close()
    await peripheral.close()
