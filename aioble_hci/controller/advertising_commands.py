"""HCI commands for legacy (Vol 4 Part E, 7.8.5-7.8.9) and extended advertising (7.8.52-7.8.61)."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from aioble_hci.controller import commands as c
from aioble_hci.controller.advertising import MAX_DATA_LENGTH, MAX_SETS, AdvertisingSet
from aioble_hci.controller.air import (
    PROP_CONNECTABLE,
    PROP_DIRECTED,
    PROP_HIGH_DUTY,
    PROP_LEGACY,
    PROP_SCANNABLE,
)
from aioble_hci.controller.commands import OK
from aioble_hci.controller.constants import Op, Status

if TYPE_CHECKING:
    from aioble_hci.controller.controller import VirtualController


# Legacy Advertising_Type -> extended event properties (Vol 4 Part E, 7.8.53, table for legacy PDUs).
LEGACY_TYPES = {
    0x00: PROP_LEGACY | PROP_CONNECTABLE | PROP_SCANNABLE,  # ADV_IND
    0x01: PROP_LEGACY | PROP_CONNECTABLE | PROP_DIRECTED | PROP_HIGH_DUTY,  # ADV_DIRECT_IND, high duty
    0x02: PROP_LEGACY | PROP_SCANNABLE,  # ADV_SCAN_IND
    0x03: PROP_LEGACY,  # ADV_NONCONN_IND
    0x04: PROP_LEGACY | PROP_CONNECTABLE | PROP_DIRECTED,  # ADV_DIRECT_IND, low duty
}
LEGACY_PROPERTIES = set(LEGACY_TYPES.values())


def supports_advertising_data(props: int) -> bool:
    """Whether a set of these Advertising_Event_Properties carries advertising data (Vol 4 Part E,
    7.8.53 table 7.2 and 7.8.54): ADV_DIRECT_IND carries none, and neither does an extended
    scannable event (its AUX_ADV_IND has no AdvData, Vol 6 Part B 2.3.4; the data is in the scan response)."""
    if props & PROP_LEGACY:
        return not props & PROP_DIRECTED
    return not props & PROP_SCANNABLE


def _extended_scannable(props: int) -> bool:
    return bool(props & PROP_SCANNABLE) and not props & PROP_LEGACY


# -- legacy ---------------------------------------------------------------
def le_set_advertising_parameters(ctl: VirtualController, p: bytes) -> bytes:
    imin, imax, adv_type, own, peer_type, peer, channels, policy = struct.unpack("<HHBBB6sBB", p)
    c.check(not ctl.advertising.legacy_enabled, Status.COMMAND_DISALLOWED)
    c.check(adv_type in LEGACY_TYPES and own <= 3 and peer_type <= 1 and policy <= 3)
    c.check(0 < channels <= 7)
    if adv_type != 0x01:
        c.check(0x20 <= imin <= imax <= 0x4000)
    adv = ctl.advertising.legacy
    adv.properties = LEGACY_TYPES[adv_type]
    adv.interval = imin if adv_type != 0x01 else 0x20
    adv.own_address_type = own
    adv.peer_address_type = peer_type
    adv.peer_address = peer
    adv.filter_policy = policy
    return OK


def le_read_advertising_physical_channel_tx_power(ctl: VirtualController, p: bytes) -> bytes:
    return OK + struct.pack("<b", 0)


def _legacy_data(p: bytes) -> bytes:
    c.check(p[0] <= 31)
    return bytes(p[1 : 1 + p[0]])


def le_set_advertising_data(ctl: VirtualController, p: bytes) -> bytes:
    ctl.advertising.legacy.data = _legacy_data(p)
    return OK


def le_set_scan_response_data(ctl: VirtualController, p: bytes) -> bytes:
    ctl.advertising.legacy.scan_response = _legacy_data(p)
    return OK


def le_set_advertising_enable(ctl: VirtualController, p: bytes) -> bytes:
    c.check(p[0] <= 1)
    adv = ctl.advertising.legacy
    if p[0] == 0:
        ctl.advertising.stop(adv)
        return OK
    if adv.enabled:
        return OK
    c.check(ctl.advertising.address_of(adv) is not None)  # random own address never set (7.8.9)
    ctl.advertising.start(adv)
    return OK


# -- extended ---------------------------------------------------------------
def _set(ctl: VirtualController, handle: int) -> AdvertisingSet:
    adv = ctl.advertising.sets.get(handle)
    if adv is None:
        raise c.ControllerCommandError(Status.UNKNOWN_ADVERTISING_IDENTIFIER)
    return adv


def le_set_advertising_set_random_address(ctl: VirtualController, p: bytes) -> bytes:
    _set(ctl, p[0]).random_address = bytes(p[1:7])
    return OK


def le_set_extended_advertising_parameters(ctl: VirtualController, p: bytes) -> bytes:
    handle, props = struct.unpack_from("<BH", p)
    imin = int.from_bytes(p[3:6], "little")
    imax = int.from_bytes(p[6:9], "little")
    channels, own, peer_type = p[9], p[10], p[11]
    peer = bytes(p[12:18])
    policy, tx_power, primary_phy, _skip, secondary_phy, sid, notify = struct.unpack_from("<BbBBBBB", p, 18)
    c.check(handle <= 0xEF and own <= 3 and peer_type <= 1 and policy <= 3 and 0 < channels <= 7)
    c.check(sid <= 0x0F and notify <= 1 and primary_phy in (1, 3) and secondary_phy in (1, 2, 3))
    if props & PROP_LEGACY:
        c.check(props in LEGACY_PROPERTIES)
    else:
        c.check(not (props & PROP_CONNECTABLE and props & PROP_SCANNABLE))  # Vol 4 Part E, 7.8.53
    if not props & PROP_HIGH_DUTY:
        c.check(0x20 <= imin <= imax)
    adv = ctl.advertising.sets.get(handle)
    if adv is None:
        c.check(len(ctl.advertising.sets) < MAX_SETS, Status.MEMORY_CAPACITY_EXCEEDED)
        adv = ctl.advertising.sets[handle] = AdvertisingSet(handle, legacy=False)
    c.check(not adv.enabled, Status.COMMAND_DISALLOWED)
    if props & PROP_LEGACY:
        c.check(len(adv.data) <= 31 and len(adv.scan_response) <= 31)
    c.check(not adv.data or supports_advertising_data(props))  # 7.8.53: a type without data, data held
    adv.properties = props
    adv.interval = imin if not props & PROP_HIGH_DUTY else 0x20
    adv.own_address_type, adv.peer_address_type, adv.peer_address = own, peer_type, peer
    adv.filter_policy, adv.primary_phy, adv.secondary_phy, adv.sid = policy, primary_phy, secondary_phy, sid
    adv.scan_request_notify = bool(notify)
    adv.tx_power = 0 if tx_power == 0x7F else max(-20, min(tx_power, 8))
    return OK + struct.pack("<b", adv.tx_power)


def _ext_length(p: bytes) -> bool:
    return len(p) >= 4 and len(p) == 4 + p[3]


def _fragmented(adv: AdvertisingSet, current: bytes, p: bytes) -> bytes:
    """Apply one Operation of Set Extended Advertising/Scan Response Data (7.8.54)."""
    operation, fragment = p[1], bytes(p[4:])
    c.check(operation <= 4)
    if adv.enabled:
        c.check(operation in (3, 4), Status.COMMAND_DISALLOWED)
    if operation == 4:
        c.check(not fragment and not adv.legacy)
        return current
    if adv.properties & PROP_LEGACY:
        c.check(operation == 3 and len(fragment) <= 31)
    new = fragment if operation in (1, 3) else current + fragment
    c.check(len(new) <= MAX_DATA_LENGTH, Status.MEMORY_CAPACITY_EXCEEDED)
    return new


def le_set_extended_advertising_data(ctl: VirtualController, p: bytes) -> bytes:
    """7.8.54; a set whose type does not support advertising data refuses any (0x12)."""
    adv = _set(ctl, p[0])
    new = _fragmented(adv, adv.data, p)
    c.check(not new or supports_advertising_data(adv.properties))
    adv.data = new
    return OK


def le_set_extended_scan_response_data(ctl: VirtualController, p: bytes) -> bytes:
    """7.8.55: only a scannable set takes scan response data (0x12); an enabled extended scannable
    set cannot be left without it (0x0C)."""
    adv = _set(ctl, p[0])
    new = _fragmented(adv, adv.scan_response, p)
    c.check(not new or bool(adv.properties & PROP_SCANNABLE))
    if adv.enabled and _extended_scannable(adv.properties):
        c.check(bool(new), Status.COMMAND_DISALLOWED)
    adv.scan_response = new
    return OK


def _enable_length(p: bytes) -> bool:
    return len(p) >= 2 and len(p) == 2 + 4 * p[1]


def le_set_extended_advertising_enable(ctl: VirtualController, p: bytes) -> bytes:
    enable, count = p[0], p[1]
    c.check(enable <= 1)
    entries = [struct.unpack_from("<BHB", p, 2 + 4 * i) for i in range(count)]
    if not enable and count == 0:
        for adv in ctl.advertising.sets.values():
            ctl.advertising.stop(adv)
        return OK
    c.check(count > 0)
    sets = [_set(ctl, handle) for handle, _, _ in entries]
    if enable:
        for adv in sets:
            c.check(ctl.advertising.address_of(adv) is not None)
            # 7.8.56: scannable extended advertising needs its scan response data
            c.check(not _extended_scannable(adv.properties) or bool(adv.scan_response), Status.COMMAND_DISALLOWED)
    for adv, (_, duration, max_events) in zip(sets, entries, strict=True):
        if enable:
            adv.max_events = max_events
            ctl.advertising.start(adv, duration * 10e-3)
        else:
            ctl.advertising.stop(adv)
    return OK


def le_read_maximum_advertising_data_length(ctl: VirtualController, p: bytes) -> bytes:
    return OK + struct.pack("<H", MAX_DATA_LENGTH)


def le_read_number_of_supported_advertising_sets(ctl: VirtualController, p: bytes) -> bytes:
    return OK + bytes((MAX_SETS,))


def le_remove_advertising_set(ctl: VirtualController, p: bytes) -> bytes:
    adv = _set(ctl, p[0])
    c.check(not adv.enabled, Status.COMMAND_DISALLOWED)
    del ctl.advertising.sets[p[0]]
    return OK


def le_clear_advertising_sets(ctl: VirtualController, p: bytes) -> bytes:
    c.check(not any(s.enabled for s in ctl.advertising.sets.values()), Status.COMMAND_DISALLOWED)
    ctl.advertising.sets.clear()
    return OK


COMMANDS = [
    c.complete(Op.LE_SET_ADVERTISING_PARAMETERS, le_set_advertising_parameters, 15, bit=(25, 5)),
    c.complete(
        Op.LE_READ_ADVERTISING_PHYSICAL_CHANNEL_TX_POWER,
        le_read_advertising_physical_channel_tx_power,
        0,
        2,
        bit=(25, 6),
    ),
    c.complete(Op.LE_SET_ADVERTISING_DATA, le_set_advertising_data, 32, bit=(25, 7)),
    c.complete(Op.LE_SET_SCAN_RESPONSE_DATA, le_set_scan_response_data, 32, bit=(26, 0)),
    c.complete(Op.LE_SET_ADVERTISING_ENABLE, le_set_advertising_enable, 1, bit=(26, 1)),
    c.complete(Op.LE_SET_ADVERTISING_SET_RANDOM_ADDRESS, le_set_advertising_set_random_address, 7, bit=(36, 1)),
    c.complete(Op.LE_SET_EXTENDED_ADVERTISING_PARAMETERS, le_set_extended_advertising_parameters, 25, 2, bit=(36, 2)),
    c.complete(Op.LE_SET_EXTENDED_ADVERTISING_DATA, le_set_extended_advertising_data, _ext_length, bit=(36, 3)),
    c.complete(Op.LE_SET_EXTENDED_SCAN_RESPONSE_DATA, le_set_extended_scan_response_data, _ext_length, bit=(36, 4)),
    c.complete(Op.LE_SET_EXTENDED_ADVERTISING_ENABLE, le_set_extended_advertising_enable, _enable_length, bit=(36, 5)),
    c.complete(Op.LE_READ_MAXIMUM_ADVERTISING_DATA_LENGTH, le_read_maximum_advertising_data_length, 0, 3, bit=(36, 6)),
    c.complete(
        Op.LE_READ_NUMBER_OF_SUPPORTED_ADVERTISING_SETS, le_read_number_of_supported_advertising_sets, 0, 2, bit=(36, 7)
    ),
    c.complete(Op.LE_REMOVE_ADVERTISING_SET, le_remove_advertising_set, 1, bit=(37, 0)),
    c.complete(Op.LE_CLEAR_ADVERTISING_SETS, le_clear_advertising_sets, 0, bit=(37, 1)),
]
