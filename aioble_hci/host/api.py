"""The thread-safe public handle on a running host.

    from aioble_hci.host.api import open_host

    handle = open_host("serial:/dev/ttyACM0")          # blocking, from any thread
    print(handle.controller_info.address)
    info = handle.send_command(ReadBdAddr())           # blocking call into the host thread
    handle.close()

    async with await open_host_async("virtual") as handle:   # from any event loop
        ret = await handle.send_command_async(ReadBdAddr())

`open_host` starts a `HostThread` (the host's own loop on a daemon thread), opens
the transport named by the spec (or `AIOBLE_HCI_TRANSPORT` when spec is None, else the shared virtual air) and
runs the init sequence there. Keyword arguments are `HostConfig` fields
(`command_timeout`, `capture_path`, ...). Everything the handle does runs on the
host thread; `run`/`call` submit your own coroutines to it (e.g. to use `Host`
directly). `close()` stops the host and its thread so the process exits promptly.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

from aioble_hci.host.host import Host, HostConfig
from aioble_hci.host.startup import ControllerInfo
from aioble_hci.host.thread import HostThread
from aioble_hci.transport import open_transport
from aioble_hci.transport.base import Transport

T = TypeVar("T")

ENV_TRANSPORT = "AIOBLE_HCI_TRANSPORT"


DEFAULT_SPEC = "air"

_DEFAULT_NOTICE = (
    "aioble-hci: using a virtual controller on the shared air ({path}); "
    "to use a real controller set {env}, e.g. {env}=serial:/dev/ttyACM0 or {env}=usb\n"
)


def resolve_spec(spec: str | None) -> str:
    """The spec to use: the argument, else AIOBLE_HCI_TRANSPORT, else the shared virtual air.

    When falling back to the shared air, say so once on an interactive stderr, with how to
    choose a real dongle; scripts and test harnesses comparing output see nothing.
    """
    if spec:
        return spec
    env = os.environ.get(ENV_TRANSPORT)
    if env:
        return env
    if sys.stderr is not None and sys.stderr.isatty():
        _announce_default_air()
    return DEFAULT_SPEC


@functools.cache
def _announce_default_air() -> None:
    from aioble_hci.controller.hub import default_socket_path

    sys.stderr.write(_DEFAULT_NOTICE.format(path=default_socket_path(), env=ENV_TRANSPORT))


class HostHandle:
    """A started host on its own thread; every method is safe from any thread or loop."""

    def __init__(self, thread: HostThread, host: Host) -> None:
        self.thread = thread
        self.host = host

    @property
    def controller_info(self) -> ControllerInfo:
        return self.host.controller_info

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run a coroutine on the host loop and wait for its result (blocking)."""
        return self.thread.run_sync(coro, timeout)

    async def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await a coroutine on the host loop from any event loop."""
        return await self.thread.call(coro)

    def send_command(self, command: Any, timeout: float | None = None) -> Any:
        return self.run(self.host.send_command(command, timeout))

    async def send_command_async(self, command: Any, timeout: float | None = None) -> Any:
        return await self.call(self.host.send_command(command, timeout))

    def close(self) -> None:
        """Close the transport and stop the host thread. Idempotent."""
        if not self.thread.running:
            return
        try:
            self.thread.run_sync(self.host.close(), timeout=5.0)
        except Exception:  # closing must always finish
            pass
        finally:
            self.thread.stop()

    async def aclose(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.close)

    def __enter__(self) -> HostHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> HostHandle:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


async def start_host(spec: str | Transport, config: HostConfig) -> Host:
    """On the host loop: open the transport, run the init sequence; close everything if that fails."""
    transport = open_transport(spec) if isinstance(spec, str) else spec
    host = Host(transport, config)
    try:
        await host.start()
    except BaseException:
        await host.close()
        raise
    return host


def open_host(spec: str | Transport | None = None, timeout: float | None = 30.0, **config: Any) -> HostHandle:
    """Start a host thread, open the transport and run the init sequence (blocking, any thread)."""
    target = spec if isinstance(spec, Transport) else resolve_spec(spec)
    thread = HostThread().start()
    try:
        host = thread.run_sync(start_host(target, HostConfig(**config)), timeout)
    except BaseException:
        thread.stop()
        raise
    return HostHandle(thread, host)


async def open_host_async(spec: str | Transport | None = None, **config: Any) -> HostHandle:
    """`open_host` for an event loop: the calling loop is never blocked."""
    target = spec if isinstance(spec, Transport) else resolve_spec(spec)
    thread = HostThread().start()
    try:
        host = await thread.call(start_host(target, HostConfig(**config)))
    except BaseException:
        await asyncio.get_running_loop().run_in_executor(None, thread.stop)
        raise
    return HostHandle(thread, host)
