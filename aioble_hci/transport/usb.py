"""`usb[:VID:PID][,serial=S][,bus=B,port=P][#N]`: the HCI USB transport via pyusb (Core Vol 4 Part B).

A Bluetooth controller exposes an interface of class 0xE0 (Wireless Controller),
subclass 0x01 (RF), protocol 0x01 (Bluetooth), Vol 4 Part B, 2.1. Commands go out
as class requests on the control endpoint (bmRequestType 0x20), events come in on
the interrupt IN endpoint, ACL data on the bulk IN/OUT pair (Vol 4 Part B, 2.1.1).
Reader threads hand whole packets to the host loop; libusb comes from
libusb-package so a fresh machine needs no system library.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import queue
import struct
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aioble_hci.hci.packets import PacketType
from aioble_hci.transport.base import Transport, TransportError
from aioble_hci.transport.spec import UsbSpec, parse_usb

log = logging.getLogger(__name__)

HCI_CLASS = (0xE0, 0x01, 0x01)
HCI_COMMAND_REQUEST_TYPE = 0x20  # class request, host to device, recipient device
ENDPOINT_IN = 0x80
TRANSFER_TYPE_MASK = 0x03
TRANSFER_INTERRUPT = 0x03
TRANSFER_BULK = 0x02
READ_TIMEOUT_MS = 200
_STOP = object()


@dataclass(frozen=True)
class HciEndpoints:
    """Where HCI traffic goes on one USB device."""

    interface: int
    event_in: int
    acl_in: int
    acl_out: int
    event_size: int = 64
    acl_size: int = 64


def udev_rule(vendor_id: int, product_id: int) -> str:
    return (
        f'SUBSYSTEM=="usb", ATTRS{{idVendor}}=="{vendor_id:04x}", ATTRS{{idProduct}}=="{product_id:04x}", '
        'MODE="0660", GROUP="plugdev", TAG+="uaccess"'
    )


def permission_hint(vendor_id: int, product_id: int) -> str:
    return (
        f"permission denied opening USB device {vendor_id:04x}:{product_id:04x}: add this udev rule to "
        f"/etc/udev/rules.d/99-aioble-hci.rules\n    {udev_rule(vendor_id, product_id)}\n"
        "then run `sudo udevadm control --reload-rules && sudo udevadm trigger`, replug the device "
        "and make sure your user is in the 'plugdev' group"
    )


def _class_of(obj: Any, prefix: str) -> tuple[int, int, int]:
    return (
        getattr(obj, f"b{prefix}Class", None),
        getattr(obj, f"b{prefix}SubClass", None),
        getattr(obj, f"b{prefix}Protocol", None),
    )  # type: ignore[return-value]


def _configurations(device: Any) -> list[Any]:
    try:
        return [device.get_active_configuration()]
    except Exception:  # unconfigured or not accessible: look at every configuration
        return list(device)


def is_hci_device(device: Any) -> bool:
    """Whether the device (or one of its interfaces) is of the Bluetooth HCI class."""
    if _class_of(device, "Device") == HCI_CLASS:
        return True
    return any(_class_of(intf, "Interface") == HCI_CLASS for cfg in _configurations(device) for intf in cfg)


def select_hci_interface(device: Any) -> HciEndpoints:
    """Find the HCI interface (alternate setting 0) and its interrupt IN, bulk IN and bulk OUT endpoints.

    Prefers an interface of class E0/01/01; a device whose device descriptor is of that
    class may leave its interfaces generic, so fall back to any interface holding the
    three endpoints. Isochronous (SCO) interfaces are skipped.
    """
    candidates: list[Any] = []
    for cfg in _configurations(device):
        for intf in cfg:
            if getattr(intf, "bAlternateSetting", 0) != 0:
                continue
            if _class_of(intf, "Interface") == HCI_CLASS:
                candidates.insert(0, intf)
            elif _class_of(device, "Device") == HCI_CLASS:
                candidates.append(intf)
    for intf in candidates:
        found = _endpoints_of(intf)
        if found is not None:
            return found
    raise TransportError(
        f"USB device {device.idVendor:04x}:{device.idProduct:04x} has no Bluetooth HCI interface "
        "(class E0/01/01 with interrupt IN, bulk IN and bulk OUT endpoints)"
    )


def _endpoints_of(intf: Any) -> HciEndpoints | None:
    event_in = acl_in = acl_out = None
    event_size = acl_size = 64
    for ep in intf:
        address = ep.bEndpointAddress
        kind = ep.bmAttributes & TRANSFER_TYPE_MASK
        size = getattr(ep, "wMaxPacketSize", 64) or 64
        if kind == TRANSFER_INTERRUPT and address & ENDPOINT_IN and event_in is None:
            event_in, event_size = address, size
        elif kind == TRANSFER_BULK and address & ENDPOINT_IN and acl_in is None:
            acl_in, acl_size = address, size
        elif kind == TRANSFER_BULK and not address & ENDPOINT_IN and acl_out is None:
            acl_out = address
    if event_in is None or acl_in is None or acl_out is None:
        return None
    return HciEndpoints(intf.bInterfaceNumber, event_in, acl_in, acl_out, event_size, acl_size)


ZEPHYR_HCI_USB = (0x2FE3, 0x000B)  # Zephyr's hci_usb sample: VID 0x2FE3 (Zephyr), PID 0x000B


def describe_devices(devices: Iterable[Any]) -> str:
    """`vvvv:pppp` of every device seen, for messages (an empty list says so)."""
    ids = [f"{d.idVendor:04x}:{d.idProduct:04x}" for d in devices]
    return ", ".join(ids) if ids else "none"


def port_path(device: Any) -> str | None:
    """The dotted port path of a device (1.2: port 2 of the hub on root port 1), or None."""
    numbers = getattr(device, "port_numbers", None)
    return ".".join(str(n) for n in numbers) if numbers else None


def serial_number(device: Any) -> str | None:
    """The device's serial number string, or None when it has none or may not be read."""
    try:
        value = device.serial_number
    except (ValueError, NotImplementedError, OSError, AttributeError):  # no permission, no descriptor
        return None
    except Exception:  # pyusb raises USBError for an unreadable string descriptor
        return None
    return str(value) if value else None


def _matches(device: Any, options: UsbSpec) -> bool:
    if options.vendor_id is not None and (device.idVendor, device.idProduct) != (options.vendor_id, options.product_id):
        return False
    if options.bus is not None and getattr(device, "bus", None) != options.bus:
        return False
    if options.port is not None and port_path(device) != options.port:
        return False
    return options.serial is None or serial_number(device) == options.serial


def _describe_filter(options: UsbSpec) -> str:
    parts = []
    if options.vendor_id is not None:
        parts.append(f"{options.vendor_id:04x}:{options.product_id or 0:04x}")
    if options.serial is not None:
        parts.append(f"serial number {options.serial}")
    if options.bus is not None or options.port is not None:
        parts.append(f"bus {options.bus if options.bus is not None else '*'} port {options.port or '*'}")
    return "USB device " + ", ".join(parts)


def find_device(options: UsbSpec, devices: Iterable[Any], spec: str) -> Any:
    """Pick the Nth device matching the spec's filters (without filters: the Nth HCI device)."""
    devices = list(devices)
    filtered = options.vendor_id is not None or options.serial is not None or options.bus is not None \
        or options.port is not None
    if filtered:
        matches = [d for d in devices if _matches(d, options)]
        what = _describe_filter(options)
    else:
        matches = [d for d in devices if is_hci_device(d)]
        what = "USB Bluetooth controller (class E0/01/01)"
    if not matches:
        vid, pid = ZEPHYR_HCI_USB
        raise TransportError(
            f"no {what} found; USB devices seen (VID:PID): {describe_devices(devices)} "
            f"(a Zephyr hci_usb board shows as {vid:04x}:{pid:04x}; is it plugged in and flashed? "
            "`aioble-hci devices` lists the controllers present)"
        )
    if options.index >= len(matches):
        raise TransportError(f"{spec}: only {len(matches)} matching device(s), index #{options.index} is out of range")
    return matches[options.index]


def _libusb_init_problem(path: str) -> str:
    """Why libusb_init fails with the library at `path` (its error name), or "" when it works."""
    import ctypes

    try:
        lib = ctypes.CDLL(path)
        context = ctypes.c_void_p()
        code = lib.libusb_init(ctypes.byref(context))
        if code == 0:
            lib.libusb_exit(context)
            return ""
        lib.libusb_error_name.restype = ctypes.c_char_p
        return str(lib.libusb_error_name(code).decode())
    except (OSError, AttributeError) as exc:
        return str(exc)


def backend_failure(library: str | None) -> TransportError:
    """The error for a libusb library that exists but would not start, with the likely reason."""
    problem = _libusb_init_problem(library) if library else ""
    detail = f" ({problem})" if problem else ""
    if sys.platform.startswith("linux") and not os.path.isdir("/dev/bus/usb"):
        hint = ("there is no /dev/bus/usb here: in a container pass the USB bus in "
                "(docker run --device /dev/bus/usb ...), in WSL attach the dongle with usbipd")
    else:
        hint = "check that you may read /dev/bus/usb (see docs/hardware.md for the udev rule)"
    return TransportError(f"libusb is installed ({library or 'system library'}) but failed to start{detail}: {hint}")


def usb_backend() -> Any:
    """pyusb's libusb backend, from libusb-package (else the system's libusb-1.0).

    Raises TransportError saying which problem it is: no backend at all (pyusb or libusb
    missing), or a backend that is there but failed to start.
    """
    try:
        import usb.backend.libusb1
    except ImportError as exc:
        raise TransportError("no USB backend: the pyusb package is missing (pip install pyusb libusb-package)") from exc
    bundled: Any
    try:
        import libusb_package as bundled
    except ImportError:
        bundled = None
    if bundled is not None:
        backend = bundled.get_libusb1_backend()
        if backend is not None:
            return backend
        library = bundled.get_library_path()
        if library is not None:
            raise backend_failure(str(library))
    backend = usb.backend.libusb1.get_backend()
    if backend is not None:
        return backend
    import ctypes.util

    system = ctypes.util.find_library("usb-1.0")
    if system is not None:
        raise backend_failure(system)
    raise TransportError("no USB backend: libusb is not installed "
                         "(pip install libusb-package, or install your system's libusb-1.0)")


def default_finder() -> list[Any]:
    """Every USB device libusb sees, through libusb-package's bundled backend."""
    import usb.core

    backend = usb_backend()
    try:
        return list(usb.core.find(find_all=True, backend=backend) or [])
    except usb.core.NoBackendError as exc:
        raise TransportError("no USB backend: install the libusb-package Python package (pip install libusb-package)") from exc
    except usb.core.USBError as exc:
        raise TransportError(f"libusb failed to list the USB devices: {exc}") from exc


class _EventAssembler:
    """Joins interrupt/bulk transfers into whole packets (an event may span several transfers)."""

    def __init__(self, header_len: int, length: Callable[[bytes], int]) -> None:
        self._buffer = bytearray()
        self._header_len = header_len
        self._length = length

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        out: list[bytes] = []
        while len(self._buffer) >= self._header_len:
            total = self._header_len + self._length(bytes(self._buffer[: self._header_len]))
            if len(self._buffer) < total:
                break
            out.append(bytes(self._buffer[:total]))
            del self._buffer[:total]
        return out


def _is_permission_error(exc: BaseException) -> bool:
    return getattr(exc, "errno", None) == errno.EACCES or "Access denied" in str(exc)


def _is_gone(exc: BaseException) -> bool:
    return getattr(exc, "errno", None) in (errno.ENODEV, errno.EIO, errno.EPIPE) or "No such device" in str(exc)


class UsbTransport(Transport):
    """HCI over USB. `finder` returns candidate pyusb devices (tests pass fakes)."""

    reorders_events_and_acl = True  # interrupt IN (events) and bulk IN (ACL) are read by two threads

    def __init__(self, spec: str, finder: Callable[[], Iterable[Any]] | None = None) -> None:
        super().__init__(spec)
        self.options = parse_usb(spec)
        self._finder = finder or default_finder
        self.device: Any = None
        self.endpoints: HciEndpoints | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._writes: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._closing = False
        self._lost_reported = False

    async def open(self) -> None:
        self._loop = asyncio.get_running_loop()
        device = find_device(self.options, self._finder(), self.spec)
        self.endpoints = endpoints = select_hci_interface(device)
        vid, pid = device.idVendor, device.idProduct
        try:
            if device.is_kernel_driver_active(endpoints.interface):
                log.info("detaching kernel driver from %04x:%04x interface %d", vid, pid, endpoints.interface)
                device.detach_kernel_driver(endpoints.interface)
        except NotImplementedError:  # not on this platform
            pass
        except Exception as exc:
            if _is_permission_error(exc):
                raise TransportError(permission_hint(vid, pid)) from exc
            raise TransportError(
                f"the kernel's Bluetooth driver holds {vid:04x}:{pid:04x} and could not be detached: {exc} "
                "(run `sudo rmmod btusb` or add a udev rule giving you access)"
            ) from exc
        try:
            import usb.util

            usb.util.claim_interface(device, endpoints.interface)
        except Exception as exc:
            if _is_permission_error(exc):
                raise TransportError(permission_hint(vid, pid)) from exc
            raise TransportError(f"cannot claim USB interface {endpoints.interface} of {vid:04x}:{pid:04x}: {exc}") from exc
        self.device = device
        log.info("opened USB %04x:%04x interface %d", vid, pid, endpoints.interface)
        events = _EventAssembler(2, lambda h: h[1])
        acl = _EventAssembler(4, lambda h: struct.unpack_from("<H", h, 2)[0])
        for target, args, name in (
            (self._read_loop, (endpoints.event_in, endpoints.event_size, events, PacketType.EVENT), "events"),
            (self._read_loop, (endpoints.acl_in, max(endpoints.acl_size, 1024), acl, PacketType.ACL), "acl"),
            (self._write_loop, (), "writer"),
        ):
            thread = threading.Thread(target=target, args=args, name=f"aioble-hci usb {name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def send(self, packet_type: PacketType, payload: bytes) -> None:
        if self.device is None or self._closing:
            raise TransportError(f"{self.spec} is not open")
        if packet_type not in (PacketType.COMMAND, PacketType.ACL):
            raise TransportError(f"{self.spec}: cannot send {packet_type.name} packets over USB")
        self._writes.put((packet_type, payload))

    async def close(self) -> None:
        if self.device is None or self._closing:
            return
        self._closing = True
        self._writes.put(_STOP)
        await asyncio.get_running_loop().run_in_executor(None, self._join)
        try:
            import usb.util

            usb.util.release_interface(self.device, self.endpoints.interface if self.endpoints else 0)
            usb.util.dispose_resources(self.device)
        except Exception:  # the device may already be gone
            log.debug("releasing USB device failed", exc_info=True)

    def _join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=2.0)

    def _read_loop(self, endpoint: int, size: int, assembler: _EventAssembler, ptype: PacketType) -> None:
        while not self._closing:
            try:
                data = bytes(self.device.read(endpoint, size, READ_TIMEOUT_MS))
            except Exception as exc:
                if _is_timeout(exc):
                    continue
                if not self._closing:
                    self._report_lost(exc)
                return
            for packet in assembler.feed(data):
                self._call(self._deliver, ptype, packet)

    def _write_loop(self) -> None:
        assert self.endpoints is not None
        while True:
            item = self._writes.get()
            if item is _STOP:
                return
            assert isinstance(item, tuple)
            ptype: PacketType = item[0]
            payload: bytes = item[1]
            try:
                if ptype == PacketType.COMMAND:
                    self.device.ctrl_transfer(HCI_COMMAND_REQUEST_TYPE, 0, 0, self.endpoints.interface, payload, 1000)
                else:
                    self.device.write(self.endpoints.acl_out, payload, 1000)
            except Exception as exc:
                if not self._closing:
                    self._report_lost(exc)
                return

    def _call(self, func: Callable[..., None], *args: object) -> None:
        assert self._loop is not None
        try:
            self._loop.call_soon_threadsafe(func, *args)
        except RuntimeError:
            self._closing = True

    def _report_lost(self, exc: BaseException) -> None:
        if self._lost_reported:
            return
        self._lost_reported = True
        what = "unplugged" if _is_gone(exc) else "failed"
        log.error("%s: controller %s: %s", self.spec, what, exc)
        self._call(self._lost, TransportError(f"USB controller {what}: {exc}"))


def _is_timeout(exc: BaseException) -> bool:
    return type(exc).__name__ == "USBTimeoutError" or getattr(exc, "errno", None) in (errno.ETIMEDOUT, 110)
