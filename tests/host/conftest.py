"""A Host on the test's loop, driving a scripted Zephyr-like controller through a real pty."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from aioble_hci.host.host import Host, HostConfig
from aioble_hci.transport import open_transport
from tests.scripted.controller import ControllerConfig, ScriptedController, open_pty_controller

StartHost = Callable[..., "object"]


@pytest.fixture
async def scripted_host() -> AsyncIterator[Callable[..., object]]:
    """`await make(config=ControllerConfig(...), **host_config)` -> (host, controller)."""
    made: list[tuple[Host, ScriptedController]] = []

    async def make(config: ControllerConfig | None = None, start: bool = True, **host_config: object) -> tuple[Host, ScriptedController]:
        controller, path = open_pty_controller(config)
        host = Host(open_transport(f"serial:{path}"), HostConfig(**host_config))  # type: ignore[arg-type]
        made.append((host, controller))
        if start:
            await host.start()
        return host, controller

    yield make
    for host, controller in made:
        await host.close()
        controller.close()
