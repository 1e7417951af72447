"""Decoding packets recorded from real controllers (the shared btsnoop captures)."""

import struct
from pathlib import Path

import pytest

from aioble_hci.address import Address
from aioble_hci.hci import commands as c
from aioble_hci.hci.acl import AclReassembler
from aioble_hci.hci.constants import StatusCode
from aioble_hci.hci.errors import HciDecodeError
from aioble_hci.hci.events import (
    CommandComplete,
    DisconnectionComplete,
    LeAdvertisingReport,
    LeEnhancedConnectionComplete,
    LeExtendedAdvertisingReport,
    ReadRemoteVersionInformationComplete,
    VendorEvent,
    parse_event,
)
from tests.conftest import shared_captures_dir

H4_CAPTURES = ["horizon-74-treadmill.btsnoop", "android-extadv-jieli.btsnoop", "android-broadcom.btsnoop"]


def btsnoop_packets(path: Path):
    """(sent_by_host, h4_type, payload) for each record of a datalink-1002 btsnoop file."""
    data = path.read_bytes()
    assert data[:8] == b"btsnoop\0" and struct.unpack(">I", data[12:16])[0] == 1002
    pos = 16
    while pos + 24 <= len(data):
        _orig, incl, flags, _drops, _ts = struct.unpack_from(">IIIIq", data, pos)
        record = data[pos + 24 : pos + 24 + incl]
        yield not flags & 1, record[0], record[1:]
        pos += 24 + incl


def test_mediatek_le_advertising_report():
    event = parse_event(bytes.fromhex("3e2b02010000ab6fbf38c1a41f0d09475648353037325f36464142030388ec02010509ff88ec0002d0174200cf"))
    assert isinstance(event, LeAdvertisingReport)
    (report,) = event.reports
    assert report.event_type == 0
    assert report.address == Address.parse("a4:c1:38:bf:6f:ab/public")
    assert report.rssi == -49
    assert report.data[:2] == bytes.fromhex("0d09")  # complete local name
    assert b"GVH5072" in report.data


def test_qualcomm_extended_advertising_report():
    event = parse_event(bytes.fromhex("3e290d0113000068f07b0940830100ff7fb10000000000000000000f020106030200ff07ff848953220000"))
    assert isinstance(event, LeExtendedAdvertisingReport)
    (report,) = event.reports
    assert report.event_type == 0x13  # legacy connectable scannable undirected
    assert report.address == Address.parse("83:40:09:7b:f0:68/public")
    assert (report.primary_phy, report.advertising_sid, report.tx_power, report.rssi) == (1, 0xFF, 127, -79)
    assert report.data == bytes.fromhex("020106030200ff07ff848953220000")


def test_enhanced_connection_complete_as_central_to_random_peer():
    event = parse_event(bytes.fromhex("3e1f0a0000020001092024e3e4fa00000000000000000000000018000000f40100"))
    assert isinstance(event, LeEnhancedConnectionComplete)
    assert event.status == StatusCode.SUCCESS
    assert (event.connection_handle, event.role) == (0x0200, 0)
    assert event.peer_address == Address.parse("fa:e4:e3:24:20:09/random")
    assert (event.connection_interval, event.peripheral_latency, event.supervision_timeout) == (24, 0, 500)


def test_remote_version_names_texas_instruments():
    event = parse_event(bytes.fromhex("0c08000002070d00a21b"))
    assert isinstance(event, ReadRemoteVersionInformationComplete)
    assert event.manufacturer_name == "Texas Instruments Inc."


def test_disconnection_by_local_host():
    event = parse_event(bytes.fromhex("050400030016"))
    assert event == DisconnectionComplete(StatusCode.SUCCESS, 3, StatusCode.CONNECTION_TERMINATED_BY_LOCAL_HOST)


def test_le_read_buffer_size_return_from_mediatek():
    event = parse_event(bytes.fromhex("0e0701022000fb0008"))
    assert event.parsed == c.LeBufferSize(StatusCode.SUCCESS, 251, 8)


def test_qualcomm_vendor_event_kept_raw():
    event = parse_event(bytes.fromhex("ff0658020005000c"))
    assert event == VendorEvent(bytes.fromhex("58020005000c"))


@pytest.mark.parametrize("name", H4_CAPTURES)
def test_every_event_in_a_real_capture_decodes_and_re_encodes_exactly(name):
    count = 0
    for _host, kind, payload in btsnoop_packets(shared_captures_dir() / name):
        if kind == 4:
            event = parse_event(payload)
            assert event.to_bytes() == payload
            if isinstance(event, CommandComplete):
                parsed = event.parsed  # return parameters decode too
                assert isinstance(parsed, bytes) or parsed.status == event.return_parameters[0]
            count += 1
    assert count > 100


@pytest.mark.parametrize("name", H4_CAPTURES)
def test_every_command_in_a_real_capture_decodes_and_re_encodes_exactly(name):
    known = 0
    for _host, kind, payload in btsnoop_packets(shared_captures_dir() / name):
        if kind == 1:
            command = c.parse_command(payload)
            assert command.to_bytes() == payload
            known += not isinstance(command, c.UnknownCommand)
    assert known > 20


def test_treadmill_acl_from_controller_reassembles_without_errors():
    reassembler = AclReassembler()
    pdus = []
    for host, kind, payload in btsnoop_packets(shared_captures_dir() / "horizon-74-treadmill.btsnoop"):
        if kind == 2 and not host:
            done = reassembler.feed(payload)
            if done:
                pdus.append(done)
    assert len(pdus) > 1000
    for _handle, pdu in pdus:
        assert int.from_bytes(pdu[:2], "little") == len(pdu) - 4


def test_real_capture_events_with_a_byte_cut_raise_decode_error():
    for _host, kind, payload in btsnoop_packets(shared_captures_dir() / "android-extadv-jieli.btsnoop"):
        if kind == 4 and payload[0] not in (0x0E, 0xFF) and len(payload) > 2:
            cut = bytes((payload[0], payload[1] - 1)) + payload[2:-1]
            with pytest.raises(HciDecodeError):
                parse_event(cut)
