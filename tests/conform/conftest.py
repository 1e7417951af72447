"""Fixtures: a fast private air with our peripheral IUT and the lower tester on it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aioble_hci.conform import Ixit, LowerTester, Runner
from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from tests.conform.our_iut import IUT_ADDRESS, IXIT, TESTER_ADDRESS, OurIut


@pytest.fixture
async def air() -> Air:
    return Air(loop=asyncio.get_running_loop(), fast=True)


@pytest.fixture
async def our_iut(air: Air, tmp_path: Path) -> AsyncIterator[OurIut]:
    iut = await OurIut.start(air, tmp_path)
    yield iut
    await iut.close()


@pytest.fixture
async def tester(air: Air) -> AsyncIterator[LowerTester]:
    made = await LowerTester.open(VirtualTransport("virtual", air=air, address=TESTER_ADDRESS))
    yield made
    await made.close()


@pytest.fixture
async def runner(tester: LowerTester, our_iut: OurIut, tmp_path: Path) -> Runner:
    return Runner(tester, IUT_ADDRESS, Ixit.from_dict(IXIT), upper=our_iut, captures=tmp_path / "captures")
