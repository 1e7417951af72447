"""Transport spec strings: parse `serial:...`, `usb...`, `tcp-client:...` and friends.

A spec string names one controller link; the same strings are used by the API, the
command line (`-t/--transport`) and the `AIOBLE_HCI_TRANSPORT` environment variable.
Other packages add schemes with `register_scheme` (the virtual controller registers
`virtual` and `air`, the capture package `replay`); their modules are imported
lazily the first time their scheme is asked for.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from aioble_hci.transport.base import Transport, TransportError

log = logging.getLogger(__name__)

TransportFactory = Callable[[str], Transport]
"""Called with the whole spec string (e.g. ``"air:/tmp/air.sock"``), returns an unopened Transport."""

ACCEPTED_FORMS = """\
accepted transport specs:
  serial:DEVICE[,BAUD][,rtscts|,nortscts]   e.g. serial:/dev/ttyACM0 (default 1000000 baud, RTS/CTS on)
  usb[:VID:PID][#N]                          e.g. usb, usb:2fe3:000b, usb#1 (Nth matching HCI device, from 0)
  usb:serial=SERIAL | usb:bus=B,port=P       the USB device with that serial number, or on that bus and port path
  hci-socket:N                               Linux adapter hciN through the HCI user channel (adapter down)
  tcp-client:HOST:PORT                       connect to a controller serving H4 over TCP
  tcp-server:HOST:PORT                       wait for one controller to connect, H4 over TCP
  unix:PATH                                  H4 over a Unix stream socket
  virtual                                    the built-in virtual controller
  air[:PATH] | air:tcp:HOST:PORT             a virtual controller on a shared virtual air (Unix socket or TCP)
  replay:FILE                                replay a recorded HCI capture"""

# Schemes provided by other packages: importing the module registers the scheme.
_LAZY_MODULES: dict[str, tuple[str, ...]] = {
    "virtual": ("aioble_hci.controller.transport", "aioble_hci.controller"),
    "air": ("aioble_hci.controller.transport", "aioble_hci.controller"),
    "replay": ("aioble_hci.capture.replay", "aioble_hci.capture"),
}

_schemes: dict[str, TransportFactory] = {}


def spec_error(spec: str, problem: str) -> TransportError:
    """A TransportError saying what is wrong with `spec` and listing the accepted forms."""
    return TransportError(f"bad transport spec {spec!r}: {problem}\n{ACCEPTED_FORMS}")


def register_scheme(name: str, factory: TransportFactory) -> None:
    """Make `open_transport` build transports for specs starting with `name`."""
    _schemes[name] = factory


def scheme_of(spec: str) -> str:
    """The scheme part of a spec: text before the first ':' or '#'."""
    for i, ch in enumerate(spec):
        if ch in ":#,":
            return spec[:i]
    return spec


def open_transport(spec: str) -> Transport:
    """Build the (unopened) transport a spec string names; await its `open()` on the host loop."""
    spec = spec.strip()
    if not spec:
        raise spec_error(spec, "it is empty")
    scheme = scheme_of(spec).lower()
    if scheme not in _schemes:
        _import_lazy_scheme(spec, scheme)
    return _schemes[scheme](spec)


def _import_lazy_scheme(spec: str, scheme: str) -> None:
    modules = _LAZY_MODULES.get(scheme)
    if modules is None:
        raise spec_error(spec, f"unknown scheme {scheme!r}")
    for name in modules:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise
            log.debug("module %s for scheme %s not found", name, scheme)
            continue
        if scheme in _schemes:
            return
    raise TransportError(
        f"transport scheme {scheme!r} is not available in this installation "
        f"(it is provided by {modules[0]}, which did not register it)\n{ACCEPTED_FORMS}"
    )


@dataclass(frozen=True)
class SerialSpec:
    """`serial:DEVICE[,BAUD][,rtscts|,nortscts]`."""

    device: str
    baudrate: int = 1_000_000
    rtscts: bool = True


def parse_serial(spec: str) -> SerialSpec:
    body = spec.partition(":")[2]
    parts = [p.strip() for p in body.split(",")]
    device = parts[0]
    if not device:
        raise spec_error(spec, "no serial device given")
    baudrate = 1_000_000
    rtscts = True
    for part in parts[1:]:
        low = part.lower()
        if low == "rtscts":
            rtscts = True
        elif low in ("nortscts", "norts", "noflow"):
            rtscts = False
        elif low.isdigit() and int(low) > 0:
            baudrate = int(low)
        else:
            raise spec_error(spec, f"unknown serial option {part!r} (expected a baud rate, 'rtscts' or 'nortscts')")
    return SerialSpec(device, baudrate, rtscts)


@dataclass(frozen=True)
class UsbSpec:
    """`usb[:VID:PID][,serial=S][,bus=B,port=P][#N]`: filters and the index among matches.

    `serial` is the device's iSerialNumber string; `bus` and `port` its place on the bus as
    Linux numbers it (`port` is the dotted port path, e.g. 1.2 for /sys/bus/usb/devices/1-1.2).
    """

    vendor_id: int | None = None
    product_id: int | None = None
    index: int = 0
    serial: str | None = None
    bus: int | None = None
    port: str | None = None


def parse_usb(spec: str) -> UsbSpec:
    body, _, index_text = spec.partition("#")
    index = 0
    if index_text:
        if not index_text.isdigit():
            raise spec_error(spec, f"device index {index_text!r} after '#' is not a number")
        index = int(index_text)
    if body.lower() == "usb":
        return UsbSpec(index=index)
    rest = body.partition(":")[2]
    ids_text, options = "", {}
    for part in rest.split(","):
        key, eq, value = part.partition("=")
        if eq:
            if key.strip().lower() not in ("serial", "bus", "port") or not value.strip():
                raise spec_error(spec, f"unknown USB option {part!r} (serial=S, bus=B, port=P)")
            options[key.strip().lower()] = value.strip()
        elif part.strip():
            if ids_text:
                raise spec_error(spec, f"unexpected {part!r}")
            ids_text = part.strip()
    vid = pid = None
    if ids_text:
        ids = ids_text.split(":")
        if len(ids) != 2:
            raise spec_error(spec, "expected usb:VID:PID with hexadecimal vendor and product ids")
        try:
            vid, pid = (int(x, 16) for x in ids)
        except ValueError:
            raise spec_error(spec, f"vendor/product ids {ids[0]!r}:{ids[1]!r} are not hexadecimal") from None
        if not (0 <= vid <= 0xFFFF and 0 <= pid <= 0xFFFF):
            raise spec_error(spec, "vendor/product ids are 16-bit")
    elif not options:
        raise spec_error(spec, "expected usb:VID:PID, usb:serial=S or usb:bus=B,port=P")
    bus = options.get("bus")
    if bus is not None and not bus.isdigit():
        raise spec_error(spec, f"bus {bus!r} is not a number")
    port = options.get("port")
    if port is not None and not all(p.isdigit() for p in port.split(".")):
        raise spec_error(spec, f"port {port!r} is not a dotted port path such as 1.2")
    return UsbSpec(vid, pid, index, options.get("serial"), int(bus) if bus is not None else None, port)


def parse_host_port(spec: str) -> tuple[str, int]:
    """`tcp-client:HOST:PORT` / `tcp-server:HOST:PORT` (IPv6 hosts in brackets)."""
    body = spec.partition(":")[2]
    host, sep, port_text = body.rpartition(":")
    if not sep or not host or not port_text:
        raise spec_error(spec, "expected HOST:PORT")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise spec_error(spec, f"port {port_text!r} is not a number from 0 to 65535")
    return host, int(port_text)


def parse_unix(spec: str) -> str:
    path = spec.partition(":")[2]
    if not path:
        raise spec_error(spec, "expected unix:PATH")
    return path
