"""Advertising of every legacy PDU type and extended sets, seen by passive and active scanners."""

from __future__ import annotations

import asyncio
import struct

from aioble_hci.controller.advertising import HIGH_DUTY_DIRECTED_TIMEOUT_S
from aioble_hci.controller.air import Air
from aioble_hci.controller.controller import VirtualController
from tests.controller.rawhost import RawHost

ADV_REPORT = 0x02
EXT_ADV_REPORT = 0x0D


def legacy_report(params: bytes) -> tuple[int, int, bytes, bytes]:
    """(event type, address type, address, data) of a one-report LE Advertising Report."""
    count, event_type, address_type, address, length = struct.unpack_from("<BBB6sB", params)
    assert count == 1
    return event_type, address_type, address, params[10 : 10 + length]


def extended_report(params: bytes) -> tuple[int, int, bytes, bytes, int]:
    """(event type, address type, address, data, sid) of a one-report LE Extended Advertising Report."""
    count, event_type, address_type, address, _p1, _p2, sid, _tx, _rssi, _pi, _dt, _da, length = struct.unpack_from(
        "<BHB6sBBBbbHB6sB", params
    )
    assert count == 1
    return event_type, address_type, address, params[25 : 25 + length], sid


async def pair(make_host) -> tuple[RawHost, RawHost]:
    return await make_host("11:11:11:11:11:11/public"), await make_host("22:22:22:22:22:22/public")


async def test_passive_scanner_sees_adv_ind_without_scan_response(make_host):
    advertiser, scanner = await pair(make_host)
    await advertiser.advertise(adv_type=0, data=b"\x02\x01\x06", scan_response=b"\x03\x09ab")
    await scanner.scan(active=False)
    event_type, address_type, address, data = legacy_report(await scanner.le_event(ADV_REPORT))
    assert (event_type, address_type, address, data) == (0x00, 0, bytes.fromhex("111111111111"), b"\x02\x01\x06")
    await scanner.ok(0x200C, b"\x00\x00")
    assert all(legacy_report(p)[0] != 0x04 for p in scanner.pending(0x3E, ADV_REPORT))


async def test_active_scanner_gets_scan_response_after_adv_ind(make_host):
    advertiser, scanner = await pair(make_host)
    await advertiser.advertise(adv_type=0, data=b"\x02\x01\x06", scan_response=b"\x03\x09ab")
    await scanner.scan(active=True)
    assert legacy_report(await scanner.le_event(ADV_REPORT))[0] == 0x00
    event_type, _, _, data = legacy_report(await scanner.le_event(ADV_REPORT))
    assert (event_type, data) == (0x04, b"\x03\x09ab")


async def test_adv_scan_ind_is_reported_as_scannable_undirected(make_host):
    advertiser, scanner = await pair(make_host)
    await advertiser.advertise(adv_type=2, data=b"\x02\x01\x04", scan_response=b"\x02\x0a\x00")
    await scanner.scan(active=True)
    assert legacy_report(await scanner.le_event(ADV_REPORT))[0] == 0x02
    assert legacy_report(await scanner.le_event(ADV_REPORT))[0] == 0x04


async def test_adv_nonconn_ind_gets_no_scan_response_even_for_active_scanner(make_host):
    advertiser, scanner = await pair(make_host)
    await advertiser.advertise(adv_type=3, data=b"\x02\x01\x04", scan_response=b"\x02\x0a\x00")
    await scanner.scan(active=True)
    assert legacy_report(await scanner.le_event(ADV_REPORT))[0] == 0x03
    await scanner.ok(0x200C, b"\x00\x00")
    assert scanner.pending(0x3E, ADV_REPORT) == []


async def test_adv_direct_ind_reaches_only_its_target(make_host):
    advertiser, target = await pair(make_host)
    bystander = await make_host("33:33:33:33:33:33/public")
    await advertiser.advertise(adv_type=4, peer=(0, bytes.fromhex("222222222222")))
    await bystander.scan()
    await target.scan()
    event_type, _, address, data = legacy_report(await target.le_event(ADV_REPORT))
    assert (event_type, address, data) == (0x01, bytes.fromhex("111111111111"), b"")
    await bystander.ok(0x200C, b"\x00\x00")
    assert bystander.pending(0x3E, ADV_REPORT) == []


async def test_duplicate_filtering_on_reports_an_advertiser_once(air, make_host):
    advertiser, scanner = await pair(make_host)
    await advertiser.advertise(adv_type=3, data=b"\x02\x01\x04")
    await scanner.scan(filter_duplicates=True)
    await scanner.le_event(ADV_REPORT)
    for _ in range(3):
        air._advertising_event((id(advertiser.controller), -1))
    await scanner.ok(0x200C, b"\x00\x00")
    assert scanner.pending(0x3E, ADV_REPORT) == []


async def test_duplicate_filtering_off_reports_every_advertising_event(air, make_host):
    advertiser, scanner = await pair(make_host)
    await advertiser.advertise(adv_type=3, data=b"\x02\x01\x04")
    await scanner.scan(filter_duplicates=False)
    await scanner.le_event(ADV_REPORT)
    for _ in range(3):
        air._advertising_event((id(advertiser.controller), -1))
    for _ in range(3):  # one report per advertising event, each the advertiser's ADV_NONCONN_IND
        event_type, _address_type, _address, data = legacy_report(await scanner.le_event(ADV_REPORT))
        assert (event_type, data) == (0x03, b"\x02\x01\x04")


async def test_advertising_with_unset_random_address_is_refused(make_host):
    advertiser = await make_host()
    await advertiser.ok(0x2006, struct.pack("<HHBBB6sBB", 0x20, 0x20, 0, 1, 0, bytes(6), 7, 0))
    assert (await advertiser.command(0x200A, b"\x01"))[0] == 0x12


async def test_random_static_address_advertiser_is_reported_as_random(make_host):
    advertiser, scanner = await make_host(), await make_host()
    kind, address = await advertiser.address()
    await advertiser.advertise(adv_type=3, own=kind)
    await scanner.scan()
    _, address_type, reported, _ = legacy_report(await scanner.le_event(ADV_REPORT))
    assert (address_type, reported) == (1, address)


async def test_advertising_data_longer_than_31_bytes_is_rejected(make_host):
    host = await make_host()
    assert (await host.command(0x2008, bytes((32,)) + bytes(31)))[0] == 0x12


# -- extended -------------------------------------------------------------------
def ext_params(handle: int, props: int, own: int = 0, sid: int = 1) -> bytes:
    return (
        struct.pack("<BH", handle, props)
        + (0x20).to_bytes(3, "little") * 2
        + struct.pack("<BBB6sBbBBBBB", 7, own, 0, bytes(6), 0, 0x7F, 1, 0, 1, sid, 0)
    )


async def set_ext_data(host: RawHost, handle: int, data: bytes, opcode: int = 0x2037) -> None:
    chunks = [data[i : i + 251] for i in range(0, len(data), 251)] or [b""]
    for index, chunk in enumerate(chunks):
        if len(chunks) == 1:
            operation = 3
        else:
            operation = 1 if index == 0 else 2 if index == len(chunks) - 1 else 0
        await host.ok(opcode, struct.pack("<BBBB", handle, operation, 1, len(chunk)) + chunk)


async def ext_scan(host: RawHost, active: bool = False, duplicates: int = 1) -> None:
    await host.ok(0x2041, struct.pack("<BBBBHH", 0, 0, 1, int(active), 0x10, 0x10))
    await host.ok(0x2042, struct.pack("<BBHH", 1, duplicates, 0, 0))


async def test_extended_set_with_long_data_arrives_in_fragments_that_reassemble(make_host):
    advertiser, scanner = await pair(make_host)
    data = bytes(range(256)) * 4  # 1024 bytes, several reports
    await advertiser.ok(0x2036, ext_params(0, 0x00, sid=5))
    await set_ext_data(advertiser, 0, data)
    await advertiser.ok(0x2039, struct.pack("<BBBHB", 1, 1, 0, 0, 0))
    await ext_scan(scanner)
    received = b""
    while True:
        event_type, _, address, chunk, sid = extended_report(await scanner.le_event(EXT_ADV_REPORT))
        assert address == bytes.fromhex("111111111111") and sid == 5
        received += chunk
        if event_type >> 5 & 0x3 == 0:
            break
        assert event_type >> 5 & 0x3 == 1
    assert received == data


async def test_two_extended_sets_advertise_at_once(make_host):
    advertiser, scanner = await pair(make_host)
    for handle in (0, 1):
        await advertiser.ok(0x2036, ext_params(handle, 0x00, sid=handle))
        await set_ext_data(advertiser, handle, bytes((handle,)) * 40)
    await advertiser.ok(0x2039, struct.pack("<BBBHBBHB", 1, 2, 0, 0, 0, 1, 0, 0))
    await ext_scan(scanner)
    sids = {extended_report(await scanner.le_event(EXT_ADV_REPORT))[4] for _ in range(2)}
    assert sids == {0, 1}


async def test_extended_scanner_sees_legacy_advertising_with_legacy_event_types(make_host):
    advertiser, scanner = await pair(make_host)
    await advertiser.advertise(adv_type=0, data=b"\x02\x01\x06", scan_response=b"\x02\x0a\x00")
    await ext_scan(scanner, active=True)
    assert extended_report(await scanner.le_event(EXT_ADV_REPORT))[0] == 0x13
    event_type, _, _, data, _ = extended_report(await scanner.le_event(EXT_ADV_REPORT))
    assert (event_type, data) == (0x1B, b"\x02\x0a\x00")


async def test_legacy_scanner_does_not_see_extended_pdus(make_host):
    advertiser, scanner = await pair(make_host)
    await advertiser.ok(0x2036, ext_params(0, 0x00))
    await set_ext_data(advertiser, 0, b"\x02\x01\x06")
    await advertiser.ok(0x2039, struct.pack("<BBBHB", 1, 1, 0, 0, 0))
    await scanner.scan()
    await scanner.ok(0x200C, b"\x00\x00")
    assert scanner.pending(0x3E, ADV_REPORT) == []


async def test_extended_scannable_set_answers_active_scanner_with_scan_response(make_host):
    advertiser, scanner = await pair(make_host)
    await advertiser.ok(0x2036, ext_params(0, 0x02))
    await set_ext_data(advertiser, 0, b"", opcode=0x2038)
    await set_ext_data(advertiser, 0, b"\x05\x09name" * 60, opcode=0x2038)
    await advertiser.ok(0x2039, struct.pack("<BBBHB", 1, 1, 0, 0, 0))
    await ext_scan(scanner, active=True)
    assert extended_report(await scanner.le_event(EXT_ADV_REPORT))[0] & 0x08 == 0
    event_type, _, _, data, _ = extended_report(await scanner.le_event(EXT_ADV_REPORT))
    assert event_type & 0x08 and data.startswith(b"\x05\x09name")


async def test_enabling_an_unknown_set_gets_unknown_advertising_identifier(make_host):
    host = await make_host()
    assert (await host.command(0x2039, struct.pack("<BBBHB", 1, 1, 7, 0, 0)))[0] == 0x42


async def test_advertising_set_duration_ends_with_set_terminated_advertising_timeout(make_host):
    host = await make_host("11:11:11:11:11:11/public")
    await host.ok(0x2036, ext_params(0, 0x00))
    await host.ok(0x2039, struct.pack("<BBBHB", 1, 1, 0, 1, 0))  # 10 ms
    status, handle, _conn, _events = struct.unpack("<BBHB", await host.le_event(0x12))
    assert (status, handle) == (0x3C, 0)


async def test_extended_scan_duration_ends_with_scan_timeout(make_host):
    host = await make_host()
    await host.ok(0x2041, struct.pack("<BBBBHH", 0, 0, 1, 0, 0x10, 0x10))
    await host.ok(0x2042, struct.pack("<BBHH", 1, 0, 1, 0))
    assert await host.le_event(0x11) == b""


async def test_high_duty_cycle_directed_advertising_times_out_after_1_28_s_with_connection_complete_0x3c():
    # Vol 6 Part B 4.4.2.4.3: high duty cycle directed advertising lasts at most 1.28 s; Vol 4 Part E
    # 7.8.9: the controller then sends LE Connection Complete with Advertising Timeout (0x3C).
    # A private air scaled x0.01 keeps the 1.28 s at 12.8 ms; the test checks the timer, never the clock.
    loop = asyncio.get_running_loop()
    air = Air(loop=loop, fast=True, time_scale=0.01)
    host = RawHost(VirtualController(air))
    await host.init()
    own = await host.address()
    before = loop.time()
    await host.advertise(adv_type=0x01, own=own[0], peer=(1, bytes.fromhex("c0ffee000001")))
    after = loop.time()
    timer = host.controller.advertising.legacy.timer
    assert timer is not None
    assert before + HIGH_DUTY_DIRECTED_TIMEOUT_S * 0.01 <= timer.when() <= after + HIGH_DUTY_DIRECTED_TIMEOUT_S * 0.01
    # LE Enhanced Connection Complete (0x0A) since the host unmasked it, else LE Connection Complete (0x01)
    event = await host.wait_for(lambda e: e.subevent in (0x01, 0x0A), "LE (Enhanced) Connection Complete")
    status, _handle, role = struct.unpack_from("<BHB", event.params, 1)
    assert status == 0x3C
    assert role == 0x01  # peripheral
    assert not host.controller.advertising.legacy_enabled
