"""USB transport: interface/endpoint selection and errors, against fake pyusb devices."""

from __future__ import annotations

import asyncio
import errno

import pytest
import usb.core

from aioble_hci.hci.packets import PacketType
from aioble_hci.transport import TransportError
from aioble_hci.transport.spec import parse_usb
from aioble_hci.transport.usb import UsbTransport, find_device, select_hci_interface
from tests.transport.fake_usb import generic_dongle, hid_mouse, zephyr_hci_usb


def test_zephyr_hci_usb_board_uses_interface_0_endpoints() -> None:
    ep = select_hci_interface(zephyr_hci_usb())
    assert (ep.interface, ep.event_in, ep.acl_in, ep.acl_out) == (0, 0x81, 0x82, 0x01)


def test_generic_class_e0_dongle_uses_its_interrupt_and_bulk_endpoints() -> None:
    ep = select_hci_interface(generic_dongle())
    assert (ep.interface, ep.event_in, ep.acl_in, ep.acl_out) == (0, 0x81, 0x82, 0x02)


async def test_plain_usb_spec_skips_non_bluetooth_devices() -> None:
    board = zephyr_hci_usb()
    transport = UsbTransport("usb", finder=lambda: [hid_mouse(), board])
    await transport.open()
    try:
        assert transport.device is board
        assert board.claimed == [0]
    finally:
        await transport.close()


async def test_usb_index_picks_the_second_matching_dongle() -> None:
    first, second = generic_dongle(product=1), generic_dongle(product=2)
    transport = UsbTransport("usb#1", finder=lambda: [first, second])
    await transport.open()
    try:
        assert transport.device is second
    finally:
        await transport.close()


async def test_usb_vid_pid_selects_that_device() -> None:
    board = zephyr_hci_usb()
    transport = UsbTransport("usb:2fe3:000b", finder=lambda: [generic_dongle(), board])
    await transport.open()
    try:
        assert transport.device is board
    finally:
        await transport.close()


async def test_no_usb_controller_gives_a_clear_error() -> None:
    with pytest.raises(TransportError, match="no USB Bluetooth controller") as err:
        await UsbTransport("usb", finder=lambda: [hid_mouse()]).open()
    assert "USB devices seen (VID:PID): 046d:c077" in str(err.value)  # what is there instead


async def test_missing_vid_pid_is_named() -> None:
    with pytest.raises(TransportError, match="no USB device 2fe3:000b found"):
        await UsbTransport("usb:2fe3:000b", finder=lambda: [generic_dongle()]).open()


async def test_permission_denied_shows_the_udev_rule_for_the_device() -> None:
    board = zephyr_hci_usb()
    board.claim_error = usb.core.USBError("Access denied (insufficient permissions)", errno=errno.EACCES)
    with pytest.raises(TransportError) as err:
        await UsbTransport("usb", finder=lambda: [board]).open()
    text = str(err.value)
    assert 'ATTRS{idVendor}=="2fe3", ATTRS{idProduct}=="000b"' in text
    assert "udevadm" in text


async def test_kernel_driver_is_detached_before_claiming() -> None:
    board = zephyr_hci_usb()
    board.kernel_driver = True
    transport = UsbTransport("usb", finder=lambda: [board])
    await transport.open()
    try:
        assert board.detached == [0]
        assert board.claimed == [0]
    finally:
        await transport.close()


async def test_commands_go_by_control_transfer_and_split_events_are_joined() -> None:
    board = zephyr_hci_usb()
    transport = UsbTransport("usb", finder=lambda: [board])
    packets: asyncio.Queue[tuple[PacketType, bytes]] = asyncio.Queue()
    transport.attach(lambda t, p: packets.put_nowait((t, p)), lambda exc: None)
    await transport.open()
    try:
        transport.send(PacketType.COMMAND, bytes.fromhex("030c00"))
        transport.send(PacketType.ACL, bytes.fromhex("0000040001020304"))
        board.feed(0x81, bytes.fromhex("0e0401"))
        board.feed(0x81, bytes.fromhex("030c00"))
        board.feed(0x82, bytes.fromhex("01200300aabbcc"))
        got = {await asyncio.wait_for(packets.get(), 5) for _ in range(2)}
        assert got == {(PacketType.EVENT, bytes.fromhex("0e0401030c00")), (PacketType.ACL, bytes.fromhex("01200300aabbcc"))}
        while not (board.control and board.bulk_out):  # the writer thread sends in order, soon
            await asyncio.sleep(0.005)
        assert board.control == [(0x20, 0, 0, 0, bytes.fromhex("030c00"))]
        assert board.bulk_out == [(0x01, bytes.fromhex("0000040001020304"))]
    finally:
        await transport.close()


async def test_unplugged_device_is_reported_as_lost() -> None:
    board = zephyr_hci_usb()
    transport = UsbTransport("usb", finder=lambda: [board])
    lost: asyncio.Future[BaseException | None] = asyncio.get_running_loop().create_future()
    transport.attach(lambda t, p: None, lost.set_result)
    await transport.open()
    board.feed(0x81, usb.core.USBError("No such device (it may have been disconnected)", errno=errno.ENODEV))
    reason = await asyncio.wait_for(lost, 5)
    assert "unplugged" in str(reason)
    await transport.close()


def _acl(handle: int, data: bytes, pb: int = 0b10) -> bytes:
    """An HCI ACL packet (Vol 4 Part E, 5.4.2): handle and flags, then a 2-octet Data_Total_Length."""
    return (handle | pb << 12).to_bytes(2, "little") + len(data).to_bytes(2, "little") + data


@pytest.mark.parametrize("transfer_size", [64, 1024], ids=["max-packet-size-transfers", "one-transfer"])
async def test_acl_packets_over_255_octets_cross_usb_whole_both_ways(transfer_size: int) -> None:
    """Vol 4 Part E 5.4.2: Data_Total_Length is two octets, so an ACL packet may carry more than 255
    octets; over USB (Vol 4 Part B 2.1.1) it crosses the bulk endpoints whole, whether the
    controller's bulk IN transfers split it at wMaxPacketSize or not, and the packet after it
    is framed right."""
    board = zephyr_hci_usb()
    transport = UsbTransport("usb", finder=lambda: [board])
    packets: asyncio.Queue[tuple[PacketType, bytes]] = asyncio.Queue()
    transport.attach(lambda t, p: packets.put_nowait((t, p)), lambda exc: None)
    await transport.open()
    try:
        long_in = _acl(0x0040, bytes(i % 256 for i in range(300)))
        short_in = _acl(0x0040, b"\x01\x02\x03")
        stream = long_in + short_in
        for start in range(0, len(stream), transfer_size):
            board.feed(0x82, stream[start : start + transfer_size])
        got = [await asyncio.wait_for(packets.get(), 5) for _ in range(2)]
        assert got == [(PacketType.ACL, long_in), (PacketType.ACL, short_in)]
        long_out = _acl(0x0040, bytes(range(256)) + bytes(44), pb=0b00)
        transport.send(PacketType.ACL, long_out)
        while not board.bulk_out:
            await asyncio.sleep(0.005)
        assert board.bulk_out == [(0x01, long_out)] and len(long_out) == 304
    finally:
        await transport.close()


def two_boards() -> tuple[object, object]:
    """Two Zephyr hci_usb boards, same VID:PID, told apart by serial number and place on the bus."""
    first, second = zephyr_hci_usb(), zephyr_hci_usb()
    first.serial_number, first.bus, first.port_numbers = "E1A2B3C4D5E6", 1, (1, 2)
    second.serial_number, second.bus, second.port_numbers = "F0F1F2F3F4F5", 3, (4,)
    return first, second


@pytest.mark.parametrize(("spec", "which"), [
    ("usb:serial=F0F1F2F3F4F5", 1),
    ("usb:2fe3:000b,serial=E1A2B3C4D5E6", 0),
    ("usb:bus=3,port=4", 1),
    ("usb:bus=1,port=1.2", 0),
    ("usb:port=1.2", 0),
])
def test_a_board_is_chosen_by_serial_number_or_bus_and_port(spec: str, which: int) -> None:
    boards = two_boards()
    assert find_device(parse_usb(spec), boards, spec) is boards[which]


def test_no_board_with_that_serial_names_the_filter_and_what_is_there() -> None:
    with pytest.raises(TransportError, match=r"no USB device serial number 000000 found; USB devices seen "
                                             r"\(VID:PID\): 2fe3:000b, 2fe3:000b"):
        find_device(parse_usb("usb:serial=000000"), two_boards(), "usb:serial=000000")


@pytest.mark.parametrize("spec", ["usb:colour=red", "usb:bus=x", "usb:port=1-2"])
def test_bad_usb_options_are_refused(spec: str) -> None:
    with pytest.raises(TransportError, match="bad transport spec"):
        parse_usb(spec)
