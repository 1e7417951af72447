"""Connection set-up, cancel, disconnect reasons, supervision timeout and ACL with buffer credits."""

from __future__ import annotations

import struct

from tests.controller.rawhost import COMMAND_STATUS, RawHost

CENTRAL = "11:11:11:11:11:11/public"
PERIPHERAL = "22:22:22:22:22:22/public"
PERIPHERAL_ADDRESS = (0, bytes.fromhex("222222222222"))
DISCONNECTION_COMPLETE = 0x05
NUMBER_OF_COMPLETED_PACKETS = 0x13


async def connected(make_host) -> tuple[RawHost, RawHost, int, int]:
    central, peripheral = await make_host(CENTRAL), await make_host(PERIPHERAL)
    await peripheral.advertise(adv_type=0)
    central_handle = await central.connect(PERIPHERAL_ADDRESS)
    peripheral_handle = await peripheral.accepted()
    return central, peripheral, central_handle, peripheral_handle


async def test_central_connects_to_advertiser_and_both_get_enhanced_connection_complete(make_host):
    central, peripheral = await make_host(CENTRAL), await make_host(PERIPHERAL)
    await peripheral.advertise(adv_type=0)
    await central.command(0x200D, central.create_connection_params(PERIPHERAL_ADDRESS, interval=24))
    c = await central.le_event(0x0A)
    p = await peripheral.le_event(0x0A)
    status, _h, role, peer_type, peer, _lrpa, _prpa, interval, latency, timeout, _sca = struct.unpack("<BHBB6s6s6sHHHB", c)
    # The range asked for is 24-40; the central takes its maximum, as Zephyr's link layer does.
    assert (status, role, peer_type, peer, interval, latency, timeout) == (0, 0, 0, PERIPHERAL_ADDRESS[1], 40, 0, 400)
    status, _h, role, peer_type, peer, *_ = struct.unpack("<BHBB6s6s6sHHHB", p)
    assert (status, role, peer_type, peer) == (0, 1, 0, bytes.fromhex("111111111111"))


async def test_legacy_connection_complete_when_the_host_masks_the_enhanced_one(make_host):
    central, peripheral = await make_host(CENTRAL), await make_host(PERIPHERAL)
    await central.ok(0x2001, struct.pack("<Q", 0x1F))
    await peripheral.advertise(adv_type=0)
    await central.command(0x200D, central.create_connection_params(PERIPHERAL_ADDRESS))
    status, _h, role, peer_type, peer, *_ = struct.unpack("<BHBB6sHHHB", await central.le_event(0x01))
    assert (status, role, peer) == (0, 0, PERIPHERAL_ADDRESS[1])


async def test_connected_advertiser_stops_advertising(make_host):
    central, peripheral, _, _ = await connected(make_host)
    scanner = await make_host()
    await scanner.scan()
    await scanner.ok(0x200C, b"\x00\x00")
    assert scanner.pending(0x3E, 0x02) == []


async def test_acl_flows_both_ways_with_flushable_start_flag_at_the_receiver(make_host):
    central, peripheral, ch, ph = await connected(make_host)
    central.send_acl(ch, b"\x03\x00\x04\x00\x0a\x01\x00")
    assert await peripheral.receive_acl() == (ph, 0b10, b"\x03\x00\x04\x00\x0a\x01\x00")
    peripheral.send_acl(ph, b"\x01\x00\x04\x00\x0b")
    assert await central.receive_acl() == (ch, 0b10, b"\x01\x00\x04\x00\x0b")


async def test_continuation_fragments_keep_their_flag(make_host):
    central, peripheral, ch, ph = await connected(make_host)
    central.send_acl(ch, b"\x05\x00\x04\x00\x0a", pb_flag=0b00)
    central.send_acl(ch, b"\x01\x00", pb_flag=0b01)
    assert (await peripheral.receive_acl())[1] == 0b10
    assert await peripheral.receive_acl() == (ph, 0b01, b"\x01\x00")


async def test_sent_acl_packets_are_returned_in_number_of_completed_packets(make_host):
    central, peripheral, ch, _ = await connected(make_host)
    for _ in range(3):
        central.send_acl(ch, b"\x01\x00\x04\x00\x0a")
    completed = 0
    while completed < 3:
        params = await central.event(NUMBER_OF_COMPLETED_PACKETS)
        count, handle, packets = struct.unpack("<BHH", params)
        assert (count, handle) == (1, ch)
        completed += packets
    assert completed == 3


async def test_host_overrunning_the_buffers_gets_data_buffer_overflow(air, make_host):
    central, peripheral, ch, _ = await connected(make_host)
    air.fast = False
    air.connection_interval_ms = 1000.0  # nothing leaves before the overflow
    for _ in range(9):
        central.send_acl(ch, b"\x01\x00\x04\x00\x0a")
    assert await central.event(0x1A) == b"\x01"


async def test_create_connection_cancel_really_cancels(make_host):
    central = await make_host(CENTRAL)
    await central.command(0x200D, central.create_connection_params(PERIPHERAL_ADDRESS))
    assert await central.ok(0x200E) == b""
    assert (await central.le_event(0x0A))[0] == 0x02
    peripheral = await make_host(PERIPHERAL)
    await peripheral.advertise(adv_type=0)
    scanner = await make_host()
    await scanner.scan()
    await scanner.le_event(0x02)  # the advertiser is on the air and nobody connected to it
    assert central.pending(0x3E, 0x0A) == []


async def test_cancel_without_pending_connection_is_command_disallowed(make_host):
    central = await make_host(CENTRAL)
    assert (await central.command(0x200E))[0] == 0x0C


async def test_second_create_connection_while_one_is_pending_is_disallowed(make_host):
    central = await make_host(CENTRAL)
    await central.command(0x200D, central.create_connection_params(PERIPHERAL_ADDRESS))
    assert await central.command(0x200D, central.create_connection_params(PERIPHERAL_ADDRESS)) == b"\x0c"


async def test_disconnect_reports_sent_reason_to_peer_and_0x16_locally(make_host):
    central, peripheral, ch, ph = await connected(make_host)
    assert await central.command(0x0406, struct.pack("<HB", ch, 0x13)) == b"\x00"
    assert await central.event(DISCONNECTION_COMPLETE) == struct.pack("<BHB", 0, ch, 0x16)
    assert await peripheral.event(DISCONNECTION_COMPLETE) == struct.pack("<BHB", 0, ph, 0x13)


async def test_disconnect_with_reason_not_allowed_by_the_spec_is_invalid_parameters(make_host):
    central, _, ch, _ = await connected(make_host)
    assert await central.command(0x0406, struct.pack("<HB", ch, 0x16)) == b"\x12"


async def test_disconnect_of_unknown_handle_is_unknown_connection_identifier(make_host):
    central = await make_host(CENTRAL)
    answer = await central.command_answer(0x0406, struct.pack("<HB", 0x0042, 0x13))
    assert answer.code == COMMAND_STATUS and answer.params[0] == 0x02


async def test_vanished_peer_controller_shows_as_supervision_timeout(make_host):
    central, peripheral, ch, _ = await connected(make_host)
    peripheral.controller.power_off()
    assert await central.event(DISCONNECTION_COMPLETE) == struct.pack("<BHB", 0, ch, 0x08)


async def test_dropped_link_times_out_on_both_sides(air, make_host):
    central, peripheral, ch, ph = await connected(make_host)
    air.drop_link(next(iter(air.links)))
    assert await central.event(DISCONNECTION_COMPLETE) == struct.pack("<BHB", 0, ch, 0x08)
    assert await peripheral.event(DISCONNECTION_COMPLETE) == struct.pack("<BHB", 0, ph, 0x08)


async def test_sixteen_simultaneous_connections_from_one_central(make_host):
    central = await make_host(CENTRAL)
    handles = set()
    peripherals = []
    for index in range(16):
        address = f"22:22:22:22:22:{index:02x}/public"
        peripheral = await make_host(address)
        await peripheral.advertise(adv_type=0)
        handles.add(await central.connect((0, bytes.fromhex(f"{index:02x}2222222222"))))
        peripherals.append((peripheral, await peripheral.accepted()))
    assert len(handles) == 16
    for index, handle in enumerate(sorted(handles)):
        central.send_acl(handle, bytes((index,)))  # one packet per link: within the 8 credits as they return
        await central.event(NUMBER_OF_COMPLETED_PACKETS)
    received = sorted([(await p.receive_acl())[2] for p, _ in peripherals])
    assert received == [bytes((i,)) for i in range(16)]


async def test_extended_create_connection_to_extended_set_reports_set_terminated(make_host):
    central, peripheral = await make_host(CENTRAL), await make_host(PERIPHERAL)
    props = 0x01  # connectable, non-scannable extended advertising
    params = (struct.pack("<BH", 3, props) + (0x20).to_bytes(3, "little") * 2
              + struct.pack("<BBB6sBbBBBBB", 7, 0, 0, bytes(6), 0, 0x7F, 1, 0, 1, 0, 0))
    await peripheral.ok(0x2036, params)
    await peripheral.ok(0x2039, struct.pack("<BBBHB", 1, 1, 3, 0, 0))
    ext = struct.pack("<BBB6sB", 0, 0, 0, PERIPHERAL_ADDRESS[1], 1) + struct.pack("<8H", 0x10, 0x10, 24, 40, 0, 400, 0, 0)
    assert await central.command(0x2043, ext) == b"\x00"
    assert (await central.le_event(0x0A))[0] == 0
    p_handle = struct.unpack_from("<H", await peripheral.le_event(0x0A), 1)[0]
    status, adv_handle, conn_handle, _ = struct.unpack("<BBHB", await peripheral.le_event(0x12))
    assert (status, adv_handle, conn_handle) == (0, 3, p_handle)


async def test_connection_parameter_update_by_central_reaches_both_hosts(make_host):
    central, peripheral, ch, ph = await connected(make_host)
    assert await central.command(0x2013, struct.pack("<7H", ch, 40, 56, 2, 500, 0, 0)) == b"\x00"
    assert struct.unpack("<BHHHH", await central.le_event(0x03)) == (0, ch, 40, 2, 500)
    assert struct.unpack("<BHHHH", await peripheral.le_event(0x03)) == (0, ph, 40, 2, 500)


async def test_peripheral_update_request_goes_to_central_host_and_reply_applies_it(make_host):
    central, peripheral, ch, ph = await connected(make_host)
    assert await peripheral.command(0x2013, struct.pack("<7H", ph, 80, 100, 0, 600, 0, 0)) == b"\x00"
    assert struct.unpack("<HHHHH", await central.le_event(0x06)) == (ch, 80, 100, 0, 600)
    assert await central.ok(0x2020, struct.pack("<7H", ch, 80, 100, 0, 600, 0, 0)) == struct.pack("<H", ch)
    assert struct.unpack("<BHHHH", await peripheral.le_event(0x03)) == (0, ph, 80, 0, 600)


async def test_central_rejecting_update_request_reports_reason_to_peripheral(make_host):
    central, peripheral, ch, ph = await connected(make_host)
    await peripheral.command(0x2013, struct.pack("<7H", ph, 80, 100, 0, 600, 0, 0))
    await central.le_event(0x06)
    await central.ok(0x2021, struct.pack("<HB", ch, 0x3B))
    assert (await peripheral.le_event(0x03))[0] == 0x3B


async def test_data_length_update_is_reported_on_both_sides(make_host):
    central, peripheral, ch, ph = await connected(make_host)
    assert await central.ok(0x2022, struct.pack("<HHH", ch, 251, 2120)) == struct.pack("<H", ch)
    assert struct.unpack("<HHHHH", await central.le_event(0x07)) == (ch, 251, 2120, 27, 328)
    assert struct.unpack("<HHHHH", await peripheral.le_event(0x07)) == (ph, 27, 328, 251, 2120)


async def test_phy_update_to_2m_is_reported_on_both_sides_and_read_back(make_host):
    central, peripheral, ch, ph = await connected(make_host)
    assert await central.command(0x2032, struct.pack("<HBBBH", ch, 0, 2, 2, 0)) == b"\x00"
    assert await central.le_event(0x0C) == struct.pack("<BHBB", 0, ch, 2, 2)
    assert await peripheral.le_event(0x0C) == struct.pack("<BHBB", 0, ph, 2, 2)
    assert await peripheral.ok(0x2030, struct.pack("<H", ph)) == struct.pack("<HBB", ph, 2, 2)


async def test_read_remote_features_and_version_complete(make_host):
    central, _, ch, _ = await connected(make_host)
    assert await central.command(0x2016, struct.pack("<H", ch)) == b"\x00"
    status, handle, features = struct.unpack("<BHQ", await central.le_event(0x04))
    assert (status, handle) == (0, ch) and features & 1
    assert await central.command(0x041D, struct.pack("<H", ch)) == b"\x00"
    assert struct.unpack("<BHBHH", await central.event(0x0C))[:4] == (0, ch, 0x0D, 0x05F1)
