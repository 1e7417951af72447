"""pytest plugin: `recorded_device(path)` serves a capture's peripheral on a private air.

Enable it in your conftest.py with `pytest_plugins = ["aioble_hci.emulate.pytest_plugin"]`, then:

    async def test_my_client_reads_the_treadmill(recorded_device):
        address = recorded_device("captures/treadmill.btsnoop", speed=10)
        # aioble, `bluetooth.BLE`, `open_host()` and child processes now use the private air
        ...

The fixture starts a private air (a hub on its own socket), serves the device on it, and points
AIOBLE_HCI_TRANSPORT at that air for the test, so client code finds it with no configuration.
Everything stops at the end of the test.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from aioble_hci.address import Address
from aioble_hci.controller.air import Air
from aioble_hci.controller.hub import Hub
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.emulate.builder import build_model
from aioble_hci.emulate.serve import DeviceEmulator
from aioble_hci.emulate.summary import choose
from aioble_hci.host.api import ENV_TRANSPORT
from aioble_hci.host.thread import HostThread

START_TIMEOUT = 30.0


class RecordedDevices:
    """A private air with a hub on a socket, and the emulated devices served on it."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="aioble-rec-"))  # short: AF_UNIX paths are limited
        self.socket = self.directory / "air.sock"
        self.spec = f"air:{self.socket}"
        """The transport spec client code uses to reach the private air."""
        self.air = Air(fast=True)
        self._stop = asyncio.Event()
        self._hub: concurrent.futures.Future[None] = asyncio.run_coroutine_threadsafe(
            _serve(Hub(self.socket, self.air), self._stop), self.air.loop)
        self._thread = HostThread("recorded devices").start()
        self.emulators: list[DeviceEmulator] = []

    def __call__(self, path: str | os.PathLike[str], device: str | None = None, speed: float = 1.0) -> Address:
        """Serve the peripheral of capture `path` (`device` picks one of several) and return its address."""
        emulator = DeviceEmulator(choose(build_model(path), device), speed=speed)
        self.emulators.append(emulator)
        return self._thread.run_sync(emulator.start(VirtualTransport("virtual", air=self.air)), START_TIMEOUT)

    def close(self) -> None:
        try:
            for emulator in self.emulators:
                self._thread.run_sync(emulator.close(), 10.0)
        finally:
            self._thread.stop()
            self.air.loop.call_soon_threadsafe(self._stop.set)
            with contextlib.suppress(Exception):
                self._hub.result(5.0)
            self.air.close()
            shutil.rmtree(self.directory, ignore_errors=True)


async def _serve(hub: Hub, stop: asyncio.Event) -> None:
    """Run the hub until `stop` is set, then close its socket before the air stops."""
    task = asyncio.ensure_future(hub.serve())
    await stop.wait()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@pytest.fixture
def recorded_device(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordedDevices]:
    """Call it with a capture path: the recorded peripheral runs on a private air, its address is returned."""
    devices = RecordedDevices()
    monkeypatch.setenv(ENV_TRANSPORT, devices.spec)
    try:
        yield devices
    finally:
        devices.close()
