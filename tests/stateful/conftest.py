"""A fresh World (two full stacks on a fast air) per test, closed afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.stateful.world import World


@pytest.fixture
async def world() -> AsyncIterator[World]:
    made = await World.create()
    yield made
    await made.close()
