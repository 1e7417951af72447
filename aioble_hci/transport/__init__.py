"""Transports: whole HCI packets between the host loop and a controller.

`open_transport(spec)` builds one from a spec string (see `spec.ACCEPTED_FORMS`);
other packages add schemes with `register_scheme(name, factory)`.
"""

from __future__ import annotations

from aioble_hci.transport.base import Transport, TransportError
from aioble_hci.transport.spec import ACCEPTED_FORMS, open_transport, register_scheme


def _serial(spec: str) -> Transport:
    from aioble_hci.transport.serial import SerialTransport

    return SerialTransport(spec)


def _usb(spec: str) -> Transport:
    from aioble_hci.transport.usb import UsbTransport

    return UsbTransport(spec)


def _tcp_client(spec: str) -> Transport:
    from aioble_hci.transport.socket import TcpClientTransport

    return TcpClientTransport(spec)


def _tcp_server(spec: str) -> Transport:
    from aioble_hci.transport.socket import TcpServerTransport

    return TcpServerTransport(spec)


def _unix(spec: str) -> Transport:
    from aioble_hci.transport.socket import UnixTransport

    return UnixTransport(spec)


register_scheme("serial", _serial)
register_scheme("usb", _usb)
register_scheme("tcp-client", _tcp_client)
register_scheme("tcp-server", _tcp_server)
register_scheme("unix", _unix)

__all__ = ["ACCEPTED_FORMS", "Transport", "TransportError", "open_transport", "register_scheme"]
