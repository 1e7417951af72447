"""Transports: whole HCI packets between the host loop and a controller.

`open_transport(spec)` builds one from a spec string (see `spec.ACCEPTED_FORMS`);
other packages add schemes with `register_scheme(name, factory)`.
"""

from __future__ import annotations

import importlib

from aioble_hci.transport.base import Transport, TransportError
from aioble_hci.transport.spec import (
    ACCEPTED_FORMS,
    TransportFactory,
    open_transport,
    register_scheme,
)


def _lazy(module: str, class_name: str) -> TransportFactory:
    """A factory importing its transport module on first use (pyserial, pyusb stay optional)."""

    def factory(spec: str) -> Transport:
        cls: type[Transport] = getattr(importlib.import_module(f"aioble_hci.transport.{module}"), class_name)
        return cls(spec)

    return factory


register_scheme("serial", _lazy("serial", "SerialTransport"))
register_scheme("usb", _lazy("usb", "UsbTransport"))
register_scheme("tcp-client", _lazy("socket", "TcpClientTransport"))
register_scheme("tcp-server", _lazy("socket", "TcpServerTransport"))
register_scheme("unix", _lazy("socket", "UnixTransport"))
register_scheme("hci-socket", _lazy("hci_socket", "HciSocketTransport"))

__all__ = ["ACCEPTED_FORMS", "Transport", "TransportError", "open_transport", "register_scheme"]
