"""Small helpers for the controller-fault tests (waiting on host state, never timing it)."""

from __future__ import annotations

import asyncio
from typing import Any

from aioble_hci.host.host import Host
from tests.scripted.controller import ScriptedController, le_connection_complete

PEER = bytes.fromhex("a1a2a3a4a5c6")
WAIT = 5.0  # a guard against hangs, never a timing assertion


async def connect(host: Host, controller: ScriptedController, handle: int = 0x0040) -> None:
    controller.send_raw(le_connection_complete(handle, PEER))
    await until(lambda: handle in host.connections)


async def until(predicate: Any) -> None:
    """Poll host-loop state until `predicate()` holds (bounded by WAIT)."""

    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.005)

    await asyncio.wait_for(poll(), WAIT)


async def on_controller(controller: ScriptedController, predicate: Any) -> None:
    """Wait, off the loop, until the controller's thread sees `predicate()` hold."""
    await asyncio.to_thread(controller.wait_for, predicate, WAIT)


def reinitialised(host: Host) -> asyncio.Future[str]:
    """A future resolved with the reason the next time the host re-initialises the controller."""
    future: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def done(why: str) -> None:
        if not future.done():
            future.set_result(why)

    host.on_reinitialised(done)
    return future
