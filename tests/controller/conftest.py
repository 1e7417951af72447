"""Fixtures: a fast private Air on the test's loop, and controllers with a raw test host."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from aioble_hci.address import Address
from aioble_hci.controller.air import Air
from aioble_hci.controller.controller import VirtualController
from tests.controller.rawhost import RawHost


@pytest.fixture
async def air() -> Air:
    return Air(loop=asyncio.get_running_loop(), fast=True)


@pytest.fixture
def make_host(air: Air) -> Callable[..., Awaitable[RawHost]]:
    async def make(address: str | None = None, init: bool = True) -> RawHost:
        controller = VirtualController(air, Address.parse(address) if address else None)
        host = RawHost(controller)
        if init:
            await host.init()
        return host

    return make
