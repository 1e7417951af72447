"""Attach our Host to a Bumble emulated controller (`bumble.controller.Controller`) over real HCI bytes.

`BumbleControllerTransport` is a `Transport` whose far end is a Bumble Controller
on a `bumble.link.LocalLink`, running on the same event loop as our Host: every
packet our Host sends is H4-encoded and fed to `Controller.on_packet`, and every
packet the Controller emits (H4 bytes, via its `host` sink) is split into
indicator and payload and delivered to our Host. Nothing is parsed in between,
so both stacks see exactly the bytes the other produced.

`BumblePeer` is a Bumble host (`bumble.device.Device`): the independent stack our
Host talks to (see `medium` for where its controller lives).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bumble.controller import Controller
from bumble.device import Device
from bumble.hci import Address as BumbleAddress
from bumble.transport.common import Transport as BumbleTransport

from aioble_hci.address import Address, AddressType
from aioble_hci.hci import h4
from aioble_hci.hci.packets import PacketType
from aioble_hci.transport.base import Transport, TransportError

log = logging.getLogger(__name__)


class BumbleControllerTransport(Transport):
    """Our side of the HCI of one Bumble Controller; everything runs on the host loop."""

    def __init__(self, controller: Controller) -> None:
        super().__init__(f"bumble:{controller.name}")
        self.controller = controller
        self._open = False
        self.sent: list[tuple[PacketType, bytes]] = []  # what our host sent, for assertions
        self.largest_acl_received = 0  # Bumble may deliver ACL larger than its advertised buffer size

    async def open(self) -> None:
        if self._open:
            raise TransportError(f"{self.spec} is already open")
        self.controller.host = self  # the controller calls on_packet(h4 bytes) for its output
        self._open = True

    def send(self, packet_type: PacketType, payload: bytes) -> None:
        if not self._open:
            raise TransportError(f"{self.spec} is not open")
        self.sent.append((PacketType(packet_type), bytes(payload)))
        # Feed the controller from a fresh loop callback, as a wire would: never re-enter our host.
        asyncio.get_running_loop().call_soon(self._feed, h4.encode(packet_type, payload))

    def _feed(self, packet: bytes) -> None:
        if not self._open:
            return
        try:
            self.controller.on_packet(packet)
        except Exception:  # a Bumble controller bug must not break our loop; the host's timeout reports it
            log.exception("Bumble controller %s failed on packet %s", self.controller.name, packet.hex())

    def on_packet(self, packet: bytes) -> None:
        """Bumble's TransportSink interface: one H4 packet from the controller."""
        if self._open and packet:
            if packet[0] == PacketType.ACL:
                self.largest_acl_received = max(self.largest_acl_received, len(packet) - 5)
            self._deliver(PacketType(packet[0]), bytes(packet[1:]))

    async def close(self) -> None:
        if not self._open:
            return
        self._open = False
        self.controller.host = None


def bumble_address(address: Address) -> BumbleAddress:
    """Our Address as Bumble's (Bumble writes addresses MSB first in strings, as we do)."""
    kind = BumbleAddress.PUBLIC_DEVICE_ADDRESS if address.type == AddressType.PUBLIC else BumbleAddress.RANDOM_DEVICE_ADDRESS
    return BumbleAddress(str(address), kind)


def our_address(address: BumbleAddress) -> Address:
    """Bumble's Address as ours."""
    kind = AddressType.PUBLIC if address.address_type == BumbleAddress.PUBLIC_DEVICE_ADDRESS else AddressType.RANDOM
    return Address.parse(f"{address.to_string(with_type_qualifier=False)}/{kind.name.lower()}")


@dataclass
class BumblePeer:
    """A Bumble host (Device): on its own Bumble Controller (`controller`), or on one of our
    controllers through a Bumble transport (`transport`)."""

    device: Device
    controller: Controller | None = None
    transport: BumbleTransport | None = None

    @property
    def address(self) -> Address:
        """The peer's random static address, the one it advertises and connects from."""
        return our_address(self.device.random_address)

    async def close(self) -> None:
        """Stop advertising/scanning, then take the controller off the link or close the transport."""
        device = self.device
        if device.is_advertising:
            await device.stop_advertising()
        if device.is_scanning:
            await device.stop_scanning()
        if self.controller is not None and self.controller in self.controller.link.controllers:
            self.controller.link.remove_controller(self.controller)
        if self.transport is not None:
            await self.transport.close()
