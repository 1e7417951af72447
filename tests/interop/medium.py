"""Where the two stacks meet: Bumble's LocalLink (Bumble controllers under both hosts) or our
shared virtual air (our VirtualControllers under both hosts, served by our hub over a Unix socket).

On `BumbleLinkMedium` our Host drives a `bumble.controller.Controller` through
`BumbleControllerTransport`; on `OurAirMedium` a Bumble host drives one of our
controllers through Bumble's own `unix:PATH` transport, as it would a socket-attached
dongle, and our Host is another client of the same hub (`air:PATH`). `HardwareMedium` puts
both hosts on real controllers named in the environment (see `media`).
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from bumble.controller import Controller
from bumble.device import Device
from bumble.hci import Address as BumbleAddress
from bumble.host import Host as BumbleHost
from bumble.link import LocalLink
from bumble.transport import open_transport
from bumble.transport.common import AsyncPipeSink

from aioble_hci.controller.air import Air
from aioble_hci.controller.hub import Hub
from aioble_hci.controller.transport import AirTransport
from aioble_hci.transport.base import Transport
from tests.interop.bumble_link import BumbleControllerTransport, BumblePeer


class Medium(abc.ABC):
    """Makes the controllers both hosts use; `close()` releases them."""

    name: str

    @abc.abstractmethod
    def our_transport(self, name: str) -> Transport:
        """A transport for our Host."""

    @abc.abstractmethod
    async def bumble_peer(self, address: str, name: str = "bumble-peer") -> BumblePeer:
        """A powered-on Bumble Device with random static `address`."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release what the medium made."""


class BumbleLinkMedium(Medium):
    """Bumble's emulated controllers on one LocalLink."""

    name = "bumble_link"

    def __init__(self) -> None:
        self.link = LocalLink()

    def our_transport(self, name: str) -> Transport:
        return BumbleControllerTransport(Controller(name, link=self.link))

    async def bumble_peer(self, address: str, name: str = "bumble-peer") -> BumblePeer:
        controller = Controller(name, link=self.link)
        device = Device(name=name, address=BumbleAddress(address, BumbleAddress.RANDOM_DEVICE_ADDRESS),
                        host=BumbleHost(controller, AsyncPipeSink(controller)))
        await device.power_on()
        return BumblePeer(device, controller=controller)

    async def close(self) -> None:
        """Nothing to release: peers and stacks take their controllers off the link themselves."""


class OurAirMedium(Medium):
    """Our hub on a fast private Air, on the test's loop, serving a Unix socket."""

    name = "our_air"

    def __init__(self) -> None:
        # A short directory: Unix socket paths are limited to ~107 bytes, pytest's tmp_path can be longer.
        self.directory = Path(tempfile.mkdtemp(prefix="aioble-interop-"))
        self.path = self.directory / "air.sock"
        self.air = Air(loop=asyncio.get_running_loop(), fast=True)
        self.hub = Hub(self.path, self.air)
        self._serving: asyncio.Task[None] | None = None
        self._peers: list[BumblePeer] = []

    async def start(self) -> OurAirMedium:
        self._serving = asyncio.ensure_future(self.hub.serve())
        while not self.path.exists():
            await asyncio.sleep(0.01)
        return self

    def our_transport(self, name: str) -> Transport:
        return AirTransport(f"air:{self.path}", self.path, start_hub=False)

    async def bumble_peer(self, address: str, name: str = "bumble-peer") -> BumblePeer:
        transport = await open_transport(f"unix:{self.path}")
        device = Device.with_hci(name, BumbleAddress(address, BumbleAddress.RANDOM_DEVICE_ADDRESS),
                                 transport.source, transport.sink)
        device.name = name
        await device.power_on()
        peer = BumblePeer(device, transport=transport)
        self._peers.append(peer)
        return peer

    async def close(self) -> None:
        # Let the hub see every client leave before it stops, so no client task is left pending.
        while self.hub.clients:
            await asyncio.sleep(0.01)
        if self._serving is not None:
            self._serving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._serving
        shutil.rmtree(self.directory, ignore_errors=True)


class HardwareMedium(Medium):
    """Two real controllers: ours on `AIOBLE_INTEROP_OURS` (one of our transport specs, e.g.
    `serial:/dev/ttyACM0` or `usb`), Bumble's on `AIOBLE_INTEROP_BUMBLE` (a Bumble transport
    spec, e.g. `serial:/dev/ttyACM1,1000000,rtscts` or `usb:0`). Each is opened anew per test."""

    name = "hardware"

    def __init__(self, ours_spec: str, bumble_spec: str) -> None:
        self.ours_spec = ours_spec
        self.bumble_spec = bumble_spec

    def our_transport(self, name: str) -> Transport:
        from aioble_hci.transport import open_transport as open_our_transport

        return open_our_transport(self.ours_spec)

    async def bumble_peer(self, address: str, name: str = "bumble-peer") -> BumblePeer:
        transport = await open_transport(self.bumble_spec)
        device = Device.with_hci(name, BumbleAddress(address, BumbleAddress.RANDOM_DEVICE_ADDRESS),
                                 transport.source, transport.sink)
        device.name = name
        await device.power_on()
        return BumblePeer(device, transport=transport)

    async def close(self) -> None:
        """Nothing to release: peers and stacks close their transports themselves."""


HARDWARE_OURS = "AIOBLE_INTEROP_OURS"
HARDWARE_BUMBLE = "AIOBLE_INTEROP_BUMBLE"


def media() -> list[str]:
    """The media the peer scenarios run on: both emulations, or the two dongles named in the
    environment (AIOBLE_INTEROP_OURS and AIOBLE_INTEROP_BUMBLE) instead."""
    if os.environ.get(HARDWARE_OURS) and os.environ.get(HARDWARE_BUMBLE):
        return [HardwareMedium.name]
    return [BumbleLinkMedium.name, OurAirMedium.name]


async def make_medium(name: str) -> Medium:
    if name == BumbleLinkMedium.name:
        return BumbleLinkMedium()
    if name == HardwareMedium.name:
        return HardwareMedium(os.environ[HARDWARE_OURS], os.environ[HARDWARE_BUMBLE])
    return await OurAirMedium().start()
