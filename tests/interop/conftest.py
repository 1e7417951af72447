"""Fixtures: the medium (Bumble's LocalLink or our air), a Bumble peer on it, and our stack on it.

Every scenario taking `ours`/`peer` runs on both media: against Bumble's emulated
controllers, and with both hosts on our own virtual controllers behind our hub; with
AIOBLE_INTEROP_OURS and AIOBLE_INTEROP_BUMBLE set, on those two real controllers instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.interop.bumble_link import BumblePeer
from tests.interop.medium import Medium, make_medium, media
from tests.interop.stack import OurStack, close_stack, make_stack

PEER_ADDRESS = "c0:11:22:33:44:55"

MakeStack = Callable[..., Awaitable[OurStack]]


@pytest.fixture(params=media())
async def medium(request: pytest.FixtureRequest) -> AsyncIterator[Medium]:
    made = await make_medium(request.param)
    yield made
    await made.close()


@pytest.fixture
async def bumble_medium() -> AsyncIterator[Medium]:
    """Only Bumble's LocalLink: for scenarios about Bumble's emulated controller itself."""
    made = await make_medium("bumble_link")
    yield made
    await made.close()


@pytest.fixture
async def peer(medium: Medium) -> AsyncIterator[BumblePeer]:
    made = await medium.bumble_peer(PEER_ADDRESS)
    yield made
    await made.close()


@pytest.fixture
async def make_ours(medium: Medium, tmp_path: Path) -> AsyncIterator[MakeStack]:
    """`await make_ours(security=..., prompts=...)` -> our Host with every bearer, on the medium."""
    stacks: list[OurStack] = []

    async def make(name: str | None = None, **options: Any) -> OurStack:
        """`name` picks the state directory (bonds, IRK, static address): the same name is the same device."""
        name = name or f"ours{len(stacks)}"
        stack = await make_stack(medium.our_transport(name), tmp_path / name, **options)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        await close_stack(stack)


@pytest.fixture
async def ours(make_ours: MakeStack) -> OurStack:
    return await make_ours()


@pytest.fixture
async def ours_on_bumble(bumble_medium: Medium, tmp_path: Path) -> AsyncIterator[OurStack]:
    """Our stack on a Bumble Controller (no peer)."""
    stack = await make_stack(bumble_medium.our_transport("ours"), tmp_path / "ours")
    yield stack
    await close_stack(stack)


@pytest.fixture
async def peer_on_bumble(bumble_medium: Medium) -> AsyncIterator[BumblePeer]:
    """A Bumble peer on the same LocalLink as `ours_on_bumble`."""
    made = await bumble_medium.bumble_peer(PEER_ADDRESS)
    yield made
    await made.close()
