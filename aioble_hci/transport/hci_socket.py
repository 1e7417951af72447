"""`hci-socket:N`: a Linux Bluetooth adapter (hciN) through the HCI user channel.

The kernel's HCI_CHANNEL_USER gives one program exclusive, raw access to an adapter that is
down: BlueZ's mgmt interface and the kernel's host stack stay out of the way. Every read returns
one whole packet preceded by its H4 packet indicator (Core Vol 4 Part A, 2), and every write
sends one. Opening needs CAP_NET_ADMIN and the adapter down (`sudo hciconfig hciN down` or
`sudo btmgmt --index N power off`); the errors say which is missing.

The system calls go through `Syscalls`, so tests replace the socket at that boundary.
"""

from __future__ import annotations

import asyncio
import ctypes
import errno
import logging
import os
import socket
import sys
from typing import Any

from aioble_hci.hci.h4 import encode
from aioble_hci.hci.packets import PacketType
from aioble_hci.transport.base import Transport, TransportError
from aioble_hci.transport.h4stream import H4Receiver
from aioble_hci.transport.spec import spec_error

log = logging.getLogger(__name__)

AF_BLUETOOTH = 31
BTPROTO_HCI = 1
HCI_CHANNEL_USER = 1  # include/net/bluetooth/hci_sock.h
MAX_PACKET = 4 + 65535  # the largest HCI packet: an ACL packet with a 16-bit length


class SockaddrHci(ctypes.Structure):
    """struct sockaddr_hci: family, device index, channel."""

    _fields_ = [("hci_family", ctypes.c_ushort), ("hci_dev", ctypes.c_ushort), ("hci_channel", ctypes.c_ushort)]


class Syscalls:
    """The system calls the transport makes (Linux); tests pass a fake."""

    def socket(self) -> int:
        sock = socket.socket(AF_BLUETOOTH, socket.SOCK_RAW | socket.SOCK_CLOEXEC | socket.SOCK_NONBLOCK,
                             BTPROTO_HCI)
        return sock.detach()

    def bind_user_channel(self, fd: int, device: int) -> None:
        """bind(2) with a sockaddr_hci: Python's socket module cannot name the user channel."""
        libc = ctypes.CDLL(None, use_errno=True)
        address = SockaddrHci(AF_BLUETOOTH, device, HCI_CHANNEL_USER)
        if libc.bind(fd, ctypes.byref(address), ctypes.sizeof(address)) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))

    def read(self, fd: int) -> bytes:
        return os.read(fd, MAX_PACKET)

    def write(self, fd: int, data: bytes) -> int:
        return os.write(fd, data)

    def close(self, fd: int) -> None:
        os.close(fd)


def parse_hci_socket(spec: str) -> int:
    """`hci-socket:N` (or `hci-socket:hciN`): the adapter index."""
    body = spec.partition(":")[2].strip()
    if body.lower().startswith("hci"):
        body = body[3:]
    if not body.isdigit():
        raise spec_error(spec, "expected hci-socket:N, the N of the adapter hciN (`ls /sys/class/bluetooth`)")
    return int(body)


def open_error(device: int, exc: OSError) -> TransportError:
    """What a failed socket() or bind() means for the user, and the fix."""
    name = f"hci{device}"
    if exc.errno in (errno.EPERM, errno.EACCES):
        return TransportError(
            f"{name}: the HCI user channel needs CAP_NET_ADMIN: run as root, or grant it to this Python "
            "once with `sudo setcap cap_net_admin+eip \"$(readlink -f \"$(command -v python3)\")\"`")
    if exc.errno in (errno.EBUSY, errno.EALREADY):
        return TransportError(
            f"{name} is up and in use by the kernel's Bluetooth stack: take it down with "
            f"`sudo hciconfig {name} down` or `sudo btmgmt --index {device} power off` (and keep bluetoothd "
            "from powering it on again), then retry")
    if exc.errno == errno.ENODEV:
        return TransportError(f"there is no adapter {name} (`ls /sys/class/bluetooth` lists them)")
    if exc.errno in (errno.EAFNOSUPPORT, errno.EPROTONOSUPPORT, errno.EINVAL):
        return TransportError("this system has no Linux Bluetooth sockets (hci-socket: needs Linux with "
                              "the bluetooth kernel module); use usb or serial: instead")
    return TransportError(f"cannot open {name} through the HCI user channel: {exc.strerror or exc}")


class HciSocketTransport(Transport):
    """H4 packets over a Linux HCI user-channel socket; reads through the loop's reader callback."""

    def __init__(self, spec: str, syscalls: Syscalls | None = None) -> None:
        super().__init__(spec)
        self.device = parse_hci_socket(spec)
        self._sys = syscalls or Syscalls()
        self._fd: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closing = False
        self._receiver = H4Receiver(self)  # one packet per read on Linux; a fake may batch them

    async def open(self) -> None:
        if not sys.platform.startswith("linux") and type(self._sys) is Syscalls:
            raise TransportError("hci-socket: is Linux only; use usb or serial: on this system")
        try:
            fd = self._sys.socket()
        except OSError as exc:
            raise open_error(self.device, exc) from exc
        try:
            self._sys.bind_user_channel(fd, self.device)
        except OSError as exc:
            self._sys.close(fd)
            raise open_error(self.device, exc) from exc
        self._fd = fd
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(fd, self._readable)
        log.info("opened hci%d through the HCI user channel", self.device)

    def send(self, packet_type: PacketType, payload: bytes) -> None:
        if self._fd is None or self._closing:
            raise TransportError(f"{self.spec} is not open")
        try:
            self._sys.write(self._fd, encode(packet_type, payload))
        except OSError as exc:
            self._fail(exc)

    async def close(self) -> None:
        if self._fd is None or self._closing:
            return
        self._closing = True
        if self._loop is not None:
            self._loop.remove_reader(self._fd)
        self._sys.close(self._fd)

    def _readable(self) -> None:
        assert self._fd is not None
        try:
            data = self._sys.read(self._fd)
        except BlockingIOError:
            return
        except OSError as exc:
            self._fail(exc)
            return
        if not data:
            self._fail(OSError(errno.ENODEV, "the adapter went away"))
            return
        self._receiver.feed(bytes(data))

    def _fail(self, exc: Any) -> None:
        if self._closing:
            return
        self._closing = True
        if self._loop is not None and self._fd is not None:
            self._loop.remove_reader(self._fd)
        log.error("%s: adapter lost: %s", self.spec, exc)
        self._lost(TransportError(f"hci{self.device} failed: {getattr(exc, 'strerror', None) or exc}"))
