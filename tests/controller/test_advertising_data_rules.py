"""Which advertising sets take advertising data and scan response data (Core Vol 4 Part E,
7.8.53-7.8.56; Vol 6 Part B 2.3.4: an extended scannable event's AUX_ADV_IND carries no AdvData,
ADV_DIRECT_IND carries none, only scannable events have a scan response)."""

from __future__ import annotations

import struct

from tests.controller.rawhost import RawHost
from tests.controller.test_advertising_scanning import ext_params

SET_PARAMETERS, SET_DATA, SET_SCAN_RESPONSE, SET_ENABLE = 0x2036, 0x2037, 0x2038, 0x2039
INVALID_HCI_COMMAND_PARAMETERS, COMMAND_DISALLOWED = 0x12, 0x0C

EXTENDED_NONCONNECTABLE = 0x00
EXTENDED_CONNECTABLE = 0x01
EXTENDED_SCANNABLE = 0x02
LEGACY_ADV_DIRECT_IND = 0x15
LEGACY_ADV_NONCONN_IND = 0x10
AD = b"\x02\x01\x06"
SCAN_RSP = b"\x05\x09name"


def complete(handle: int, data: bytes) -> bytes:
    """Operation 0x03 (complete data), fragment preference 0x01."""
    return struct.pack("<BBBB", handle, 0x03, 0x01, len(data)) + data


def enable(handle: int) -> bytes:
    return struct.pack("<BBBHB", 1, 1, handle, 0, 0)


async def advertiser(make_host, props: int) -> RawHost:
    host: RawHost = await make_host("11:11:11:11:11:11/public")
    await host.ok(SET_PARAMETERS, ext_params(0, props))
    return host


async def test_extended_scannable_set_refuses_advertising_data(make_host):
    """7.8.54: a set whose type does not support advertising data (extended scannable: Vol 6
    Part B 2.3.4, AUX_ADV_IND without AdvData) answers Invalid HCI Command Parameters (0x12)."""
    host = await advertiser(make_host, EXTENDED_SCANNABLE)
    assert (await host.command(SET_DATA, complete(0, AD)))[0] == INVALID_HCI_COMMAND_PARAMETERS
    assert (await host.command(SET_DATA, complete(0, b"")))[0] == 0x00  # no data is no advertising data


async def test_legacy_directed_set_refuses_advertising_data(make_host):
    """7.8.53 table 7.2 and 7.8.54: ADV_DIRECT_IND does not allow advertising data (0x12)."""
    host = await advertiser(make_host, LEGACY_ADV_DIRECT_IND)
    assert (await host.command(SET_DATA, complete(0, AD)))[0] == INVALID_HCI_COMMAND_PARAMETERS


async def test_sets_that_carry_advertising_data_take_it(make_host):
    """7.8.54: non-connectable and connectable extended sets and ADV_NONCONN_IND take data."""
    for props in (EXTENDED_NONCONNECTABLE, EXTENDED_CONNECTABLE, LEGACY_ADV_NONCONN_IND):
        host = await advertiser(make_host, props)
        assert (await host.command(SET_DATA, complete(0, AD)))[0] == 0x00, hex(props)


async def test_non_scannable_set_refuses_scan_response_data(make_host):
    """7.8.55: a non-scannable set given scan response data (other than to discard it): 0x12."""
    host = await advertiser(make_host, EXTENDED_NONCONNECTABLE)
    assert (await host.command(SET_SCAN_RESPONSE, complete(0, SCAN_RSP)))[0] == INVALID_HCI_COMMAND_PARAMETERS
    assert (await host.command(SET_SCAN_RESPONSE, complete(0, b"")))[0] == 0x00


async def test_parameters_making_a_set_with_data_scannable_are_refused(make_host):
    """7.8.53: Advertising_Event_Properties naming a type that does not support advertising data
    while the set already holds some: 0x12, and the set keeps its type."""
    host = await advertiser(make_host, EXTENDED_NONCONNECTABLE)
    await host.ok(SET_DATA, complete(0, AD))
    assert (await host.command(SET_PARAMETERS, ext_params(0, EXTENDED_SCANNABLE)))[0] == INVALID_HCI_COMMAND_PARAMETERS
    assert (await host.command(SET_SCAN_RESPONSE, complete(0, SCAN_RSP)))[0] == INVALID_HCI_COMMAND_PARAMETERS


async def test_enabling_an_extended_scannable_set_without_scan_response_is_disallowed(make_host):
    """7.8.56: a set using scannable extended advertising PDUs with no scan response data cannot
    be enabled (Command Disallowed, 0x0C); with its scan response it can."""
    host = await advertiser(make_host, EXTENDED_SCANNABLE)
    assert (await host.command(SET_ENABLE, enable(0)))[0] == COMMAND_DISALLOWED
    await host.ok(SET_SCAN_RESPONSE, complete(0, SCAN_RSP))
    await host.ok(SET_ENABLE, enable(0))


async def test_emptying_the_scan_response_of_an_enabled_scannable_set_is_disallowed(make_host):
    """7.8.55: scannable extended set, enabled, Scan_Response_Data_Length zero: 0x0C."""
    host = await advertiser(make_host, EXTENDED_SCANNABLE)
    await host.ok(SET_SCAN_RESPONSE, complete(0, SCAN_RSP))
    await host.ok(SET_ENABLE, enable(0))
    assert (await host.command(SET_SCAN_RESPONSE, complete(0, b"")))[0] == COMMAND_DISALLOWED
