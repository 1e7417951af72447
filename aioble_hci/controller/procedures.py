"""Link-layer procedures on an open connection: parameter update, data length, PHY, remote info.

Each runs at the next connection event and reports to both hosts as the spec's
events say (Vol 4 Part E, 7.8.18, 7.8.31-7.8.34, 7.8.47-7.8.49, 7.8.21, 7.1.23).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from aioble_hci.controller import commands as c
from aioble_hci.controller import events as ev
from aioble_hci.controller.commands import OK
from aioble_hci.controller.connections import _valid_connection_parameters, connection
from aioble_hci.controller.constants import (
    HCI_VERSION_5_4,
    LE_FEATURES,
    PHY_1M,
    PHY_2M,
    ZEPHYR_COMPANY_ID,
    Ev,
    LeSub,
    Op,
    Role,
    Status,
)

if TYPE_CHECKING:
    from aioble_hci.controller.controller import VirtualController
    from aioble_hci.controller.link import Connection

MAX_OCTETS = 251
MAX_TIME = 2120  # 251 octets on LE 1M (Vol 6 Part B, 4.5.10)


def _ok_handle(handle: int) -> bytes:
    return OK + struct.pack("<H", handle)


# -- connection parameters -------------------------------------------------------
def _apply_parameters(central: Connection, interval: int, latency: int, timeout: int) -> None:
    link = central.link
    assert link is not None
    link.interval, link.latency, link.timeout = interval, latency, timeout
    for end in link.ends():
        end.controller.send_le_event(
            LeSub.CONNECTION_UPDATE_COMPLETE,
            ev.le_connection_update_complete(Status.SUCCESS, end.handle, interval, latency, timeout),
        )


def _peripheral_requests(central: Connection, params: tuple[int, int, int, int]) -> None:
    """LL_CONNECTION_PARAM_REQ reached the central: its host decides (7.7.65.6), or it accepts."""
    ctl = central.controller
    if not ctl.le_event_enabled(LeSub.REMOTE_CONNECTION_PARAMETER_REQUEST):
        _apply_parameters(central, params[0], params[2], params[3])
        return
    central.param_request = params
    ctl.send_le_event(
        LeSub.REMOTE_CONNECTION_PARAMETER_REQUEST, ev.le_remote_connection_parameter_request(central.handle, *params)
    )


def le_connection_update(ctl: VirtualController, p: bytes) -> None:
    handle, imin, imax, latency, timeout, _cmin, _cmax = struct.unpack("<7H", p)
    c.check(_valid_connection_parameters(imin, imax, latency, timeout))
    conn = connection(ctl, handle)
    link = conn.link
    assert link is not None
    if conn.role == Role.CENTRAL:
        link.control(lambda: _apply_parameters(conn, imin, latency, timeout))
    else:
        link.control(lambda: _peripheral_requests(conn.peer, (imin, imax, latency, timeout)))


def _requested(ctl: VirtualController, handle: int) -> Connection:
    conn = connection(ctl, handle)
    if conn.param_request is None:
        raise c.ControllerCommandError(Status.COMMAND_DISALLOWED, struct.pack("<H", handle))
    return conn


def le_remote_connection_parameter_request_reply(ctl: VirtualController, p: bytes) -> bytes:
    handle, imin, imax, latency, timeout, _cmin, _cmax = struct.unpack("<7H", p)
    conn = _requested(ctl, handle)
    c.check(_valid_connection_parameters(imin, imax, latency, timeout))
    conn.param_request = None
    assert conn.link is not None
    conn.link.control(lambda: _apply_parameters(conn, imin, latency, timeout))
    return _ok_handle(handle)


def le_remote_connection_parameter_request_negative_reply(ctl: VirtualController, p: bytes) -> bytes:
    handle, reason = struct.unpack("<HB", p)
    conn = _requested(ctl, handle)
    conn.param_request = None
    link = conn.link
    assert link is not None

    def reject() -> None:
        peer = conn.peer
        peer.controller.send_le_event(
            LeSub.CONNECTION_UPDATE_COMPLETE,
            ev.le_connection_update_complete(reason, peer.handle, link.interval, link.latency, link.timeout),
        )

    link.control(reject)
    return _ok_handle(handle)


# -- data length ---------------------------------------------------------------
def le_set_data_length(ctl: VirtualController, p: bytes) -> bytes:
    handle, octets, time = struct.unpack("<HHH", p)
    c.check(0x1B <= octets <= 0xFB and 0x0148 <= time <= 0x4290)
    conn = connection(ctl, handle)
    assert conn.link is not None

    def update() -> None:
        new_octets, new_time = min(octets, MAX_OCTETS), min(time, MAX_TIME)
        if (new_octets, new_time) == (conn.tx_octets, conn.tx_time):
            return
        conn.tx_octets, conn.tx_time = new_octets, new_time
        peer = conn.peer
        conn.controller.send_le_event(
            LeSub.DATA_LENGTH_CHANGE,
            ev.le_data_length_change(conn.handle, conn.tx_octets, conn.tx_time, peer.tx_octets, peer.tx_time),
        )
        peer.controller.send_le_event(
            LeSub.DATA_LENGTH_CHANGE,
            ev.le_data_length_change(peer.handle, peer.tx_octets, peer.tx_time, conn.tx_octets, conn.tx_time),
        )

    conn.link.control(update)
    return _ok_handle(handle)


def le_read_suggested_default_data_length(ctl: VirtualController, p: bytes) -> bytes:
    return OK + struct.pack("<HH", ctl.suggested_tx_octets, ctl.suggested_tx_time)


def le_write_suggested_default_data_length(ctl: VirtualController, p: bytes) -> bytes:
    octets, time = struct.unpack("<HH", p)
    c.check(0x1B <= octets <= 0xFB and 0x0148 <= time <= 0x4290)
    ctl.suggested_tx_octets, ctl.suggested_tx_time = octets, time
    return OK


def le_read_maximum_data_length(ctl: VirtualController, p: bytes) -> bytes:
    return OK + struct.pack("<HHHH", MAX_OCTETS, MAX_TIME, MAX_OCTETS, MAX_TIME)


# -- PHY -------------------------------------------------------------------------
def le_read_phy(ctl: VirtualController, p: bytes) -> bytes:
    conn = connection(ctl, c.u16(p, 0))
    return _ok_handle(conn.handle) + bytes((conn.tx_phy, conn.rx_phy))


def _check_phys(all_phys: int, tx: int, rx: int) -> None:
    c.check(all_phys <= 3 and not tx & ~0x07 and not rx & ~0x07)
    c.check(bool(all_phys & 1 or tx) and bool(all_phys & 2 or rx))


def le_set_default_phy(ctl: VirtualController, p: bytes) -> bytes:
    _check_phys(p[0], p[1], p[2])
    ctl.default_phys = (p[1], p[2])
    return OK


def _pick(no_preference: bool, wanted: int) -> int:
    return PHY_2M if not no_preference and wanted & 0x02 else PHY_1M


def le_set_phy(ctl: VirtualController, p: bytes) -> None:
    handle, all_phys, tx, rx, _options = struct.unpack("<HBBBH", p)
    _check_phys(all_phys, tx, rx)
    conn = connection(ctl, handle)
    assert conn.link is not None

    def update() -> None:
        new_tx, new_rx = _pick(bool(all_phys & 1), tx), _pick(bool(all_phys & 2), rx)
        changed = (new_tx, new_rx) != (conn.tx_phy, conn.rx_phy)
        peer = conn.peer
        conn.tx_phy, conn.rx_phy = new_tx, new_rx
        peer.tx_phy, peer.rx_phy = new_rx, new_tx
        conn.controller.send_le_event(
            LeSub.PHY_UPDATE_COMPLETE, ev.le_phy_update_complete(Status.SUCCESS, conn.handle, new_tx, new_rx)
        )
        if changed:
            peer.controller.send_le_event(
                LeSub.PHY_UPDATE_COMPLETE, ev.le_phy_update_complete(Status.SUCCESS, peer.handle, new_rx, new_tx)
            )

    conn.link.control(update)


# -- remote information -------------------------------------------------------------
def le_read_remote_features(ctl: VirtualController, p: bytes) -> None:
    conn = connection(ctl, c.u16(p, 0))
    assert conn.link is not None
    conn.link.control(
        lambda: ctl.send_le_event(
            LeSub.READ_REMOTE_FEATURES_COMPLETE,
            ev.le_read_remote_features_complete(Status.SUCCESS, conn.handle, LE_FEATURES),
        )
    )


def read_remote_version_information(ctl: VirtualController, p: bytes) -> None:
    conn = connection(ctl, c.u16(p, 0))
    assert conn.link is not None
    conn.link.control(
        lambda: ctl.send_event(
            Ev.READ_REMOTE_VERSION_INFORMATION_COMPLETE,
            ev.read_remote_version_complete(Status.SUCCESS, conn.handle, HCI_VERSION_5_4, ZEPHYR_COMPANY_ID, 0x0001),
        )
    )


def read_rssi(ctl: VirtualController, p: bytes) -> bytes:
    conn = connection(ctl, c.u16(p, 0))
    return _ok_handle(conn.handle) + struct.pack("<b", ctl.air.rssi)


def read_transmit_power_level(ctl: VirtualController, p: bytes) -> bytes:
    conn = connection(ctl, c.u16(p, 0))
    c.check(p[2] <= 1)
    return _ok_handle(conn.handle) + struct.pack("<b", 0)


COMMANDS = [
    c.status(Op.LE_CONNECTION_UPDATE, le_connection_update, 14, bit=(27, 2)),
    c.complete(
        Op.LE_REMOTE_CONNECTION_PARAMETER_REQUEST_REPLY,
        le_remote_connection_parameter_request_reply,
        14,
        3,
        bit=(33, 4),
    ),
    c.complete(
        Op.LE_REMOTE_CONNECTION_PARAMETER_REQUEST_NEGATIVE_REPLY,
        le_remote_connection_parameter_request_negative_reply,
        3,
        3,
        bit=(33, 5),
    ),
    c.complete(Op.LE_SET_DATA_LENGTH, le_set_data_length, 6, 3, bit=(33, 6)),
    c.complete(Op.LE_READ_SUGGESTED_DEFAULT_DATA_LENGTH, le_read_suggested_default_data_length, 0, 5, bit=(33, 7)),
    c.complete(Op.LE_WRITE_SUGGESTED_DEFAULT_DATA_LENGTH, le_write_suggested_default_data_length, 4, bit=(34, 0)),
    c.complete(Op.LE_READ_MAXIMUM_DATA_LENGTH, le_read_maximum_data_length, 0, 9, bit=(35, 3)),
    c.complete(Op.LE_READ_PHY, le_read_phy, 2, 5, bit=(35, 4)),
    c.complete(Op.LE_SET_DEFAULT_PHY, le_set_default_phy, 3, bit=(35, 5)),
    c.status(Op.LE_SET_PHY, le_set_phy, 7, bit=(35, 6)),
    c.status(Op.LE_READ_REMOTE_FEATURES, le_read_remote_features, 2, bit=(27, 5)),
    c.status(Op.READ_REMOTE_VERSION_INFORMATION, read_remote_version_information, 2, bit=(2, 7)),
    c.complete(Op.READ_RSSI, read_rssi, 2, 4, bit=(15, 5)),
    c.complete(Op.READ_TRANSMIT_POWER_LEVEL, read_transmit_power_level, 3, 4, bit=(10, 2)),
]
