"""Fake pyusb devices built from the descriptors of real HCI dongles (no USB hardware here)."""

from __future__ import annotations

import queue
from dataclasses import dataclass, field
from typing import Any

import usb.core

INTERRUPT, BULK, ISO = 0x03, 0x02, 0x01


@dataclass
class Endpoint:
    bEndpointAddress: int
    bmAttributes: int
    wMaxPacketSize: int = 64


@dataclass
class Interface:
    bInterfaceNumber: int
    bAlternateSetting: int
    bInterfaceClass: int
    bInterfaceSubClass: int
    bInterfaceProtocol: int
    endpoints: list[Endpoint] = field(default_factory=list)

    def __iter__(self) -> Any:
        return iter(self.endpoints)


@dataclass
class Configuration:
    interfaces: list[Interface]

    def __iter__(self) -> Any:
        return iter(self.interfaces)


class FakeContext:
    def __init__(self, device: FakeDevice) -> None:
        self.device = device

    def managed_claim_interface(self, device: Any, interface: int) -> None:
        if self.device.claim_error is not None:
            raise self.device.claim_error
        self.device.claimed.append(interface)

    def managed_release_interface(self, device: Any, interface: int) -> None:
        self.device.claimed.remove(interface)

    def dispose(self, device: Any) -> None:
        pass


class FakeDevice:
    """Enough of usb.core.Device for the HCI transport: descriptors, claim, transfers."""

    def __init__(self, vendor: int, product: int, device_class: tuple[int, int, int], config: Configuration) -> None:
        self.idVendor, self.idProduct = vendor, product
        self.bDeviceClass, self.bDeviceSubClass, self.bDeviceProtocol = device_class
        self.config = config
        self._ctx = FakeContext(self)
        self.serial_number: str | None = None
        self.bus: int | None = None
        self.port_numbers: tuple[int, ...] | None = None
        self.claimed: list[int] = []
        self.claim_error: Exception | None = None
        self.kernel_driver = False
        self.detached: list[int] = []
        self.control: list[tuple[int, int, int, int, bytes]] = []
        self.bulk_out: list[tuple[int, bytes]] = []
        self.reads: dict[int, queue.Queue[bytes | Exception]] = {}

    def __iter__(self) -> Any:
        return iter([self.config])

    def get_active_configuration(self) -> Configuration:
        return self.config

    def is_kernel_driver_active(self, interface: int) -> bool:
        return self.kernel_driver

    def detach_kernel_driver(self, interface: int) -> None:
        self.kernel_driver = False
        self.detached.append(interface)

    def ctrl_transfer(self, request_type: int, request: int, value: int, index: int, data: bytes, timeout: int) -> int:
        self.control.append((request_type, request, value, index, bytes(data)))
        return len(data)

    def write(self, endpoint: int, data: bytes, timeout: int) -> int:
        self.bulk_out.append((endpoint, bytes(data)))
        return len(data)

    def feed(self, endpoint: int, item: bytes | Exception) -> None:
        self.reads.setdefault(endpoint, queue.Queue()).put(item)

    def read(self, endpoint: int, size: int, timeout: int) -> bytes:
        q = self.reads.setdefault(endpoint, queue.Queue())
        try:
            item = q.get(timeout=timeout / 1000)
        except queue.Empty:
            raise usb.core.USBTimeoutError("Operation timed out", errno=110) from None
        if isinstance(item, Exception):
            raise item
        return item


def _iso_interface(alt: int, size: int) -> Interface:
    return Interface(1, alt, 0xE0, 0x01, 0x01, [Endpoint(0x83, ISO, size), Endpoint(0x03, ISO, size)])


def zephyr_hci_usb() -> FakeDevice:
    """Zephyr's hci_usb sample (VID 0x2FE3 PID 0x000B, CONFIG_USB_DEVICE_PID in samples/bluetooth/hci_usb/prj.conf): HCI on interface 0, SCO/ISO on interface 1."""
    hci = Interface(0, 0, 0xE0, 0x01, 0x01, [Endpoint(0x81, INTERRUPT, 16), Endpoint(0x82, BULK, 64), Endpoint(0x01, BULK, 64)])
    return FakeDevice(0x2FE3, 0x000B, (0x00, 0x00, 0x00), Configuration([hci] + [_iso_interface(a, a * 9) for a in range(6)]))


def generic_dongle(vendor: int = 0x0A12, product: int = 0x0001) -> FakeDevice:
    """A generic class-0xE0 dongle: the device descriptor itself says E0/01/01."""
    hci = Interface(0, 0, 0xE0, 0x01, 0x01, [Endpoint(0x81, INTERRUPT, 16), Endpoint(0x02, BULK, 64), Endpoint(0x82, BULK, 64)])
    return FakeDevice(vendor, product, (0xE0, 0x01, 0x01), Configuration([hci, _iso_interface(0, 0), _iso_interface(1, 9)]))


def hid_mouse() -> FakeDevice:
    mouse = Interface(0, 0, 0x03, 0x01, 0x02, [Endpoint(0x81, INTERRUPT, 8)])
    return FakeDevice(0x046D, 0xC077, (0x00, 0x00, 0x00), Configuration([mouse]))
