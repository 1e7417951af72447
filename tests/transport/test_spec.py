"""Transport spec strings: parsing, errors that list the accepted forms, and registered schemes."""

from __future__ import annotations

import pytest

from aioble_hci.transport import Transport, TransportError, open_transport, register_scheme
from aioble_hci.transport.serial import SerialTransport
from aioble_hci.transport.socket import TcpClientTransport, TcpServerTransport, UnixTransport
from aioble_hci.transport.spec import parse_serial, parse_usb
from aioble_hci.transport.usb import UsbTransport


def test_serial_spec_defaults_to_1000000_baud_with_rtscts() -> None:
    opts = parse_serial("serial:/dev/ttyACM0")
    assert (opts.device, opts.baudrate, opts.rtscts) == ("/dev/ttyACM0", 1_000_000, True)


def test_serial_spec_takes_baud_and_nortscts() -> None:
    opts = parse_serial("serial:/dev/ttyUSB1,115200,nortscts")
    assert (opts.device, opts.baudrate, opts.rtscts) == ("/dev/ttyUSB1", 115200, False)


def test_usb_spec_takes_vid_pid_and_index() -> None:
    opts = parse_usb("usb:2fe3:0100#1")
    assert (opts.vendor_id, opts.product_id, opts.index) == (0x2FE3, 0x0100, 1)
    assert parse_usb("usb#2").index == 2
    assert parse_usb("usb").vendor_id is None


@pytest.mark.parametrize(
    ("spec", "cls"),
    [
        ("serial:/dev/ttyACM0", SerialTransport),
        ("usb", UsbTransport),
        ("tcp-client:127.0.0.1:9000", TcpClientTransport),
        ("tcp-server:[::1]:9000", TcpServerTransport),
        ("unix:/tmp/hci.sock", UnixTransport),
    ],
)
def test_each_builtin_scheme_builds_its_transport(spec: str, cls: type) -> None:
    assert isinstance(open_transport(spec), cls)


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("bogus:1", "unknown scheme 'bogus'"),
        ("serial:", "no serial device"),
        ("serial:/dev/ttyACM0,fast", "unknown serial option 'fast'"),
        ("usb:2fe3", "expected usb:VID:PID"),
        ("usb:zz:01", "not hexadecimal"),
        ("usb#x", "not a number"),
        ("tcp-client:localhost", "expected HOST:PORT"),
        ("tcp-server:localhost:99999", "port '99999'"),
        ("unix:", "expected unix:PATH"),
        ("", "empty"),
    ],
)
def test_malformed_spec_says_what_is_wrong_and_lists_the_accepted_forms(spec: str, problem: str) -> None:
    with pytest.raises(TransportError) as err:
        open_transport(spec)
    assert problem in str(err.value)
    assert "serial:DEVICE[,BAUD]" in str(err.value)
    assert "usb[:VID:PID][#N]" in str(err.value)


def test_registered_scheme_receives_the_whole_spec() -> None:
    seen: list[str] = []

    class Dummy(Transport):
        async def open(self) -> None: ...
        def send(self, packet_type, payload) -> None: ...  # type: ignore[no-untyped-def]
        async def close(self) -> None: ...

    def factory(spec: str) -> Transport:
        seen.append(spec)
        return Dummy(spec)

    register_scheme("test-dummy", factory)
    transport = open_transport("test-dummy:abc,1")
    assert isinstance(transport, Dummy)
    assert seen == ["test-dummy:abc,1"]
