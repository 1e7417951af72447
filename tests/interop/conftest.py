"""Fixtures: a Bumble LocalLink, a Bumble peer on it, and our Host with GAP on another Bumble Controller."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from bumble.link import LocalLink

from tests.interop.bumble_link import BumblePeer, make_bumble_peer
from tests.interop.stack import OurStack, close_stack, make_stack

PEER_ADDRESS = "c0:11:22:33:44:55"

MakeStack = Callable[..., Awaitable[OurStack]]


@pytest.fixture
async def link() -> LocalLink:
    return LocalLink()


@pytest.fixture
async def peer(link: LocalLink) -> AsyncIterator[BumblePeer]:
    peer = await make_bumble_peer(link, PEER_ADDRESS)
    yield peer
    await peer.close()


@pytest.fixture
async def make_ours(link: LocalLink, tmp_path: Path) -> AsyncIterator[MakeStack]:
    """`await make_ours()` -> our Host (with GAP, L2CAP, GATT and SMP bearers) on a Bumble Controller of the link."""
    stacks: list[OurStack] = []

    async def make(**options: Any) -> OurStack:
        stack = await make_stack(link, tmp_path / f"ours{len(stacks)}", **options)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        await close_stack(stack)


@pytest.fixture
async def ours(make_ours: MakeStack) -> OurStack:
    return await make_ours()
