"""Fixtures: a Host driving the scripted controller over a pty, and a guard that nothing escapes into the loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.host.conftest import scripted_host

__all__ = ["scripted_host", "loop_errors"]


@pytest.fixture(autouse=True)
async def loop_errors() -> AsyncIterator[list[dict[str, Any]]]:
    """Every context the loop's exception handler saw; the test fails if any did."""
    loop = asyncio.get_running_loop()
    seen: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: seen.append(context))
    yield seen
    await asyncio.sleep(0)
    loop.set_exception_handler(previous)
    assert seen == [], f"exceptions escaped into the event loop: {seen}"
