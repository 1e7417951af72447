"""The sans-I/O model builder on hand-made records: what each spec rule lets it reconstruct."""

from __future__ import annotations

from aioble_hci.address import Address
from aioble_hci.capture.records import CaptureRecord
from aioble_hci.emulate.builder import ModelBuilder
from aioble_hci.emulate.model import CaptureModel
from aioble_hci.emulate.summary import gaps
from aioble_hci.uuid import UUID
from tests.emulate import records as r


def build(*recs: CaptureRecord) -> CaptureModel:
    builder = ModelBuilder()
    for rec in recs:
        builder.feed(rec)
    return builder.finish()


def test_connection_complete_gives_the_peer_address_and_type() -> None:
    """Vol 4 Part E 7.7.65.1: Peer_Address_Type 0x01 is a random device address."""
    model = build(r.le_connection_complete(1.0), r.att(1.1, r.read_req(3), True), r.att(1.2, r.read_rsp(b"x"), False))
    [device] = model.devices
    assert device.address == Address(r.PEER, 1)
    assert device.address.is_static


def test_discovery_responses_give_services_characteristics_and_descriptors_at_their_handles() -> None:
    """Vol 3 Part G 4.4.1, 4.6.1, 4.7.1: the handles and UUIDs of each discovery response."""
    model = build(
        r.le_connection_complete(0.0),
        r.att(0.1, r.primary_services_req(), True),
        r.att(0.2, r.primary_services_rsp((0x10, 0x18, 0x180D)), False),
        r.att(0.3, r.characteristics_req(0x10, 0x18), True),
        r.att(0.4, r.characteristics_rsp((0x11, 0x12, 0x12, 0x2A37), (0x14, 0x08, 0x15, 0x2A39)), False),
        r.att(0.5, r.find_information_req(0x13, 0x13), True),
        r.att(0.6, r.find_information_rsp((0x13, 0x2902)), False),
    )
    [device] = model.devices
    [service] = device.services
    assert (service.handle, service.end_handle, service.uuid) == (0x10, 0x18, UUID(0x180D))
    first, second = service.characteristics
    assert (first.declaration_handle, first.properties, first.value_handle, first.uuid) == (0x11, 0x12, 0x12,
                                                                                          UUID(0x2A37))
    assert first.cccd_handle == 0x13
    assert (second.value_handle, second.properties, second.descriptors) == (0x15, 0x08, [])


def test_a_long_read_is_one_value_and_reads_keep_their_order() -> None:
    """Vol 3 Part G 4.8.3: Read Blob parts at increasing offsets continue the value of the Read."""
    model = build(
        r.le_connection_complete(0.0),
        r.att(0.1, r.read_req(7), True), r.att(0.2, r.read_rsp(b"A" * 22), False),
        r.att(0.3, r.read_blob_req(7, 22), True), r.att(0.4, r.read_blob_rsp(b"BC"), False),
        r.att(0.5, r.read_req(7), True), r.att(0.6, r.read_rsp(b"second"), False),
    )
    assert [o.value for o in model.devices[0].reads[7]] == [b"A" * 22 + b"BC", b"second"]


def test_an_error_response_is_the_answer_recorded_for_a_write() -> None:
    """Vol 3 Part F 3.4.1.1: the Error Response names the request and the handle it failed on."""
    model = build(
        r.le_connection_complete(0.0),
        r.att(0.1, r.write_req(9, b"\x01"), True), r.att(0.2, r.error_rsp(0x12, 9, 0x03), False),
        r.att(0.3, r.write_req(9, b"\x02"), True), r.att(0.4, r.WRITE_RSP, False),
    )
    writes = [a for a in model.devices[0].actions() if a.kind == "write"]
    assert [(a.handle, a.value, a.error) for a in writes] == [(9, b"\x01", 0x03), (9, b"\x02", None)]


def test_notifications_belong_to_the_client_action_before_them_with_their_delays() -> None:
    """Vol 3 Part G 4.10: notifications are unsolicited; the builder keys them to the last write."""
    model = build(
        r.le_connection_complete(10.0),
        r.att(10.5, r.notification(5, b"boot"), False),
        r.att(11.0, r.write_req(9, b"go"), True), r.att(11.1, r.WRITE_RSP, False),
        r.att(11.5, r.notification(5, b"one"), False),
        r.att(12.0, r.notification(6, b"two"), False),
    )
    connect, write = model.devices[0].actions()
    assert [(n.handle, n.value, round(n.delay, 3)) for n in connect.notifications] == [(5, b"boot", 0.5)]
    assert [(n.handle, n.value, round(n.delay, 3)) for n in write.notifications] == [(5, b"one", 0.4),
                                                                                     (6, b"two", 0.9)]


def test_extended_report_fragments_join_into_one_advertising_data() -> None:
    """Vol 4 Part E 7.7.65.13: Data_Status 0b01 (more to come) continues in the next report."""
    more, complete = 0x0001 | 0b01 << 5, 0x0001
    model = build(r.extended_report(1.0, more, b"\x05\xff\x01\x02"), r.extended_report(1.0, complete, b"\x03\x04"))
    [adv] = model.advertisers.values()
    assert adv.adv_data == b"\x05\xff\x01\x02\x03\x04"
    assert adv.connectable and adv.extended


def test_a_legacy_scan_response_is_kept_apart_from_the_advertising_data() -> None:
    """Vol 4 Part E 7.7.65.2: Event_Type 0x04 is SCAN_RSP; 0x00 ADV_IND is connectable and scannable."""
    model = build(r.legacy_report(1.0, 0x00, b"\x02\x01\x06"), r.legacy_report(1.1, 0x04, b"\x04\x09abc"))
    [adv] = model.advertisers.values()
    assert (adv.adv_data, adv.scan_response, adv.connectable, adv.scannable) == (b"\x02\x01\x06", b"\x04\x09abc",
                                                                                 True, True)


def test_traffic_on_a_connection_set_up_before_the_capture_has_no_address() -> None:
    """A capture started mid-connection has no LE Connection Complete: the address is unknown and said so."""
    model = build(r.att(0.1, r.read_req(3), True, handle=0x0005), r.att(0.2, r.read_rsp(b"v"), False, handle=0x0005))
    [device] = model.devices
    assert device.address is None
    assert any("set up before the capture began" in g for g in gaps(device))


def test_an_encrypted_session_is_reported_with_whether_its_key_is_in_the_capture() -> None:
    """Vol 4 Part E 7.7.8 Encryption Change; the LTK only reaches HCI in LE Enable Encryption (7.8.24)."""
    model = build(r.le_connection_complete(0.0), r.encryption_change(0.5),
                  r.att(1.0, r.read_req(3), True), r.att(1.1, r.read_rsp(b"v"), False))
    [device] = model.devices
    assert device.sessions[0].encrypted and not device.sessions[0].encryption_key_in_capture
    assert any("encrypted (its key is not in the capture" in g for g in gaps(device))


def test_handles_used_without_discovery_are_listed() -> None:
    """A client with a cached database (Vol 3 Part G 2.5.2) uses handles the capture never discovers."""
    model = build(r.le_connection_complete(0.0), r.att(0.1, r.write_req(0x21, b"\x01"), True),
                  r.att(0.2, r.WRITE_RSP, False))
    [device] = model.devices
    assert device.undiscovered_handles() == [0x21]
    assert any("0x0021" in g and "never discovered" in g for g in gaps(device))


def test_an_executed_long_write_is_one_write_of_the_joined_parts() -> None:
    """Vol 3 Part G 4.9.4: Prepare Write parts, then Execute Write (flags 0x01) writes them as one value."""
    prepare = [b"\x16" + r.u16(9) + r.u16(0) + b"abc", b"\x16" + r.u16(9) + r.u16(3) + b"def"]
    model = build(
        r.le_connection_complete(0.0),
        r.att(0.1, prepare[0], True), r.att(0.2, b"\x17" + prepare[0][1:], False),
        r.att(0.3, prepare[1], True), r.att(0.4, b"\x17" + prepare[1][1:], False),
        r.att(0.5, b"\x18\x01", True), r.att(0.6, b"\x19", False),
    )
    writes = [a for a in model.devices[0].actions() if a.kind == "write"]
    assert [(a.handle, a.value, a.error) for a in writes] == [(9, b"abcdef", None)]
