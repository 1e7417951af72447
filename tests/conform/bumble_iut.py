"""IUT 2: Bumble's peripheral (a Bumble Device, GATT server, LE CoC echo server, SMP) on Bumble's
emulated controllers, our lower tester on another Bumble Controller of the same LocalLink."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from bumble.att import ATT_Error
from bumble.controller import Controller
from bumble.device import Device, Peer
from bumble.gatt import Characteristic, Descriptor, Service
from bumble.hci import Address as BumbleAddress
from bumble.host import Host as BumbleHost
from bumble.l2cap import LeCreditBasedChannelSpec
from bumble.link import LocalLink
from bumble.pairing import PairingConfig, PairingDelegate
from bumble.transport.common import AsyncPipeSink

from aioble_hci.address import Address
from aioble_hci.conform import LowerTester
from tests.interop.bumble_link import BumbleControllerTransport, bumble_address

IUT_ADDRESS = Address.parse("c0:11:22:33:44:55/random")
ECHO_SPSM = 0x0080
IXIT = {
    "l2cap": {"spsm": ECHO_SPSM, "echo": True},
    "timing": {"timeout": 1.0, "silence": 0.2},
}
P = Characteristic.Properties
PERM = Characteristic.Permissions


class Display(PairingDelegate):
    """The Bumble device's display (DisplayOnly): passkeys it shows, for the upper tester."""

    def __init__(self, shown: asyncio.Queue[int]) -> None:
        super().__init__(io_capability=PairingDelegate.IoCapability.DISPLAY_OUTPUT_ONLY)
        self.shown = shown

    async def display_number(self, number: int, digits: int) -> None:
        self.shown.put_nowait(number)


class BumbleIut:
    def __init__(self, device: Device, link: LocalLink) -> None:
        self.device = device
        self.link = link
        self.shown: asyncio.Queue[int] = asyncio.Queue()
        self.counter = 0
        self.tasks: list[asyncio.Task[Any]] = []
        self.sensor = Characteristic("2A37", P.READ | P.NOTIFY | P.INDICATE, PERM.READABLE, b"\x00\x48")
        plain = Characteristic("AA01", P.READ | P.WRITE | P.WRITE_WITHOUT_RESPONSE, PERM.READABLE | PERM.WRITEABLE,
                               b"hello", descriptors=[Descriptor("2901", Descriptor.READABLE, b"plain")])
        long = Characteristic("AA02", P.READ | P.WRITE, PERM.READABLE | PERM.WRITEABLE, bytes(i % 256 for i in range(300)))
        write_only = Characteristic("AA03", P.WRITE, PERM.WRITEABLE, b"")
        secret = Characteristic("AA04", P.READ, PERM.READ_REQUIRES_ENCRYPTION, b"secret")
        device.add_service(Service("6e400001-b5a3-f393-e0a9-e50e24dcca9e", [plain, long, write_only, secret,
                                                                           self.sensor]))
        device.pairing_config_factory = lambda _conn: PairingConfig(sc=True, mitm=False, bonding=True,
                                                                    delegate=Display(self.shown))
        device.create_l2cap_server(LeCreditBasedChannelSpec(psm=ECHO_SPSM, mtu=512, mps=200, max_credits=4),
                                   self._echo)

    @classmethod
    async def start(cls, link: LocalLink) -> BumbleIut:
        controller = Controller("bumble-iut", link=link)
        device = Device(name="bumble-iut", address=BumbleAddress(str(IUT_ADDRESS).split("/")[0],
                                                                 BumbleAddress.RANDOM_DEVICE_ADDRESS),
                        host=BumbleHost(controller, AsyncPipeSink(controller)))
        iut = cls(device, link)
        device.advertising_data = b"\x02\x01\x06\x0b\x09bumble-iut"
        await device.power_on()
        await iut.advertise()
        return iut

    def _spawn(self, coro: Any) -> None:
        self.tasks.append(asyncio.ensure_future(coro))

    async def advertise(self) -> None:
        with contextlib.suppress(Exception):
            if not self.device.is_advertising:
                await self.device.start_advertising(auto_restart=True, advertising_interval_min=20)

    def _echo(self, channel: Any) -> None:
        channel.sink = lambda sdu: channel.write(sdu)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        with contextlib.suppress(Exception):
            await self.device.stop_advertising()
        controller = self.device.host.controller
        if controller in self.link.controllers:
            self.link.remove_controller(controller)

    # --- the upper tester -----------------------------------------------------------------------

    async def notify(self, value_handle: int) -> None:
        """Send the new value to whoever subscribed, as their CCCD asks."""
        self.counter += 1
        attribute = self.device.gatt_server.get_attribute(value_handle)
        self._spawn(self.device.notify_subscribers(attribute, bytes([self.counter])))
        self._spawn(self.device.indicate_subscribers(attribute, bytes([self.counter])))

    async def connect(self, address: Address) -> None:
        with contextlib.suppress(Exception):
            await self.device.stop_advertising()
        self._spawn(self.device.connect(bumble_address(address)))

    async def read(self, handle: int) -> bytes | int:
        connection = next(iter(self.device.connections.values()))
        try:
            return bytes(await Peer(connection).read_value(handle))
        except ATT_Error as error:
            return int(error.error_code)

    async def pair(self) -> None:
        connection = next(iter(self.device.connections.values()))
        self._spawn(connection.pair())

    async def passkey(self) -> int:
        value = await asyncio.wait_for(self.shown.get(), 5.0)
        while not self.shown.empty():
            value = self.shown.get_nowait()
        return value


async def bumble_tester(link: LocalLink) -> LowerTester:
    return await LowerTester.open(BumbleControllerTransport(Controller("tester", link=link)), command_timeout=0.5,
                                  timeout=1.0)
