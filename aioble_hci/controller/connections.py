"""Connection set-up and tear-down, and ACL data from the host.

LE (Extended) Create Connection starts an initiator that connects to the first
matching connectable advertiser it hears (Vol 6 Part B, 4.5); Create Connection
Cancel ends it with a Connection Complete of status Unknown Connection
Identifier (Vol 4 Part E, 7.8.13). Disconnect reports the reason sent to the
peer and 0x16 locally (7.1.6, 7.7.5).
"""

from __future__ import annotations

import logging
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aioble_hci.controller import commands as c
from aioble_hci.controller import events as ev
from aioble_hci.controller.air import AdvertisingPdu
from aioble_hci.controller.constants import (
    ACL_BUFFERS,
    ACL_DATA_LENGTH,
    DISCONNECT_REASONS,
    Ev,
    LeSub,
    Op,
    Role,
    Status,
)
from aioble_hci.controller.link import Connection, Link

if TYPE_CHECKING:
    from aioble_hci.controller.controller import VirtualController

log = logging.getLogger(__name__)

_ACL_HEADER = struct.Struct("<HH")  # handle + flags, data length (Vol 4 Part E, 5.4.2)


@dataclass(frozen=True, slots=True)
class ConnectionRequest:
    """What a pending LE (Extended) Create Connection asked for."""

    extended: bool
    filter_policy: int
    peer_address_type: int
    peer_address: bytes
    own_address_type: int
    interval_min: int
    interval_max: int
    latency: int
    timeout: int


class Initiator:
    """The initiating state of one controller: at most one pending connection request."""

    def __init__(self, ctl: VirtualController) -> None:
        self.ctl = ctl
        self._pending: ConnectionRequest | None = None

    @property
    def pending(self) -> ConnectionRequest | None:
        return self._pending

    @pending.setter
    def pending(self, request: ConnectionRequest | None) -> None:
        self._pending = request
        self.ctl.air.set_listening(self.ctl, "initiating", request is not None)

    def reset(self) -> None:
        self.pending = None

    def on_pdu(self, pdu: AdvertisingPdu) -> None:
        request = self.pending
        if request is None or not pdu.connectable:
            return
        ctl = self.ctl
        if pdu.directed and (pdu.target is None or not ctl.is_own_address(pdu.target_type, pdu.target)):
            return
        if not ctl.privacy.accepts_peer(pdu.address_type, pdu.address):
            return  # an identity address of a peer in Network Privacy Mode (Vol 6 Part B, 4.7)
        if request.filter_policy & 1:
            if not ctl.privacy.in_accept_list(pdu.address_type, pdu.address):
                return
        else:
            resolved = ctl.privacy.resolve(pdu.address_type, pdu.address)
            wanted = (request.peer_address_type & 1, request.peer_address)
            if (pdu.address_type, pdu.address) != wanted and (resolved[0] & 1, resolved[1]) != wanted:
                return
        adv = pdu.advertiser.advertising.accepts_connection(pdu)
        own = ctl.own_address(request.own_address_type)
        if adv is None or own is None:
            return
        if not pdu.advertiser.privacy.accepts_peer(own[0], own[1]):
            return  # the advertiser ignores a CONNECT_IND from our identity address (Vol 6 Part B, 4.7)
        if not ctl.air.in_range(ctl, pdu.advertiser):
            return
        central_handle = ctl.new_handle()
        peripheral_handle = pdu.advertiser.new_handle()
        if central_handle is None or peripheral_handle is None:
            return
        self.pending = None
        central = _end(ctl, central_handle, Role.CENTRAL, pdu.address_type, pdu.address)
        peripheral = _end(pdu.advertiser, peripheral_handle, Role.PERIPHERAL, own[0], own[1])
        ctl.connections[central_handle] = central
        pdu.advertiser.connections[peripheral_handle] = peripheral
        link = Link(ctl.air, central, peripheral, chosen_interval(request.interval_min, request.interval_max),
                    request.latency, request.timeout)
        log.debug("air: %r connected to %r as %r", ctl, pdu.advertiser, link)
        send_connection_complete(central, request.extended)
        send_connection_complete(peripheral, not adv.legacy)
        pdu.advertiser.advertising.connected(adv, peripheral_handle)


def chosen_interval(interval_min: int, interval_max: int) -> int:
    """The connection interval a central picks from a host's range: Connection_Interval_Max.

    Vol 4 Part E, 7.8.12 lets the controller choose any value in [Min, Max]; Zephyr's link layer
    (the controller of the nRF52 dongles this host drives) takes the maximum for LE Create
    Connection and its extended form (7.8.66), and so does the air. (Parameter updates keep the
    range's minimum here, procedures.py.)
    """
    return max(interval_min, interval_max)


def _end(ctl: VirtualController, handle: int, role: Role, peer_type: int, peer: bytes) -> Connection:
    """One end of a new connection, with the peer's identity when its RPA resolves (Vol 6 Part B, 6.4)."""
    resolved_type, resolved = ctl.privacy.resolve(peer_type, peer)
    conn = Connection(ctl, handle, role, resolved_type, resolved)
    if resolved_type >= 2:
        conn.peer_rpa = peer
    return conn


def _complete_event(ctl: VirtualController, fields: ev.ConnectionCompleteFields, extended: bool) -> None:
    """Enhanced when the host unmasked it (or used extended commands), else the v1 event (7.7.65.10)."""
    if extended or ctl.le_event_enabled(LeSub.ENHANCED_CONNECTION_COMPLETE):
        ctl.send_le_event(LeSub.ENHANCED_CONNECTION_COMPLETE, ev.le_enhanced_connection_complete(fields))
    else:
        ctl.send_le_event(LeSub.CONNECTION_COMPLETE, ev.le_connection_complete(fields))


def send_connection_complete(conn: Connection, extended: bool) -> None:
    assert conn.link is not None
    link = conn.link
    fields = ev.ConnectionCompleteFields(
        status=Status.SUCCESS,
        handle=conn.handle,
        role=conn.role,
        peer_address_type=conn.peer_address_type,
        peer_address=conn.peer_address,
        interval=link.interval,
        latency=link.latency,
        timeout=link.timeout,
        peer_rpa=conn.peer_rpa,
    )
    _complete_event(conn.controller, fields, extended)
    conn.controller.send_le_event(LeSub.CHANNEL_SELECTION_ALGORITHM, ev.le_channel_selection_algorithm(conn.handle, 1))


def send_connection_complete_failure(ctl: VirtualController, status: int, role: Role, enhanced: bool) -> None:
    fields = ev.ConnectionCompleteFields(status, 0, role, 0, bytes(6), 0, 0, 0)
    _complete_event(ctl, fields, enhanced)


# -- commands --------------------------------------------------------------
def _valid_connection_parameters(imin: int, imax: int, latency: int, timeout: int) -> bool:
    """Ranges and the timeout rule of Vol 4 Part E, 7.8.12."""
    if not (0x0006 <= imin <= imax <= 0x0C80 and latency <= 0x01F3 and 0x000A <= timeout <= 0x0C80):
        return False
    return timeout * 10 > (1 + latency) * imax * 1.25 * 2


def _start(ctl: VirtualController, request: ConnectionRequest) -> None:
    c.check(ctl.initiator.pending is None, Status.COMMAND_DISALLOWED)
    c.check(request.filter_policy <= 1 and request.peer_address_type <= 3 and request.own_address_type <= 3)
    c.check(_valid_connection_parameters(request.interval_min, request.interval_max, request.latency, request.timeout))
    c.check(ctl.own_address(request.own_address_type) is not None)
    c.check(ctl.new_handle() is not None, Status.CONNECTION_LIMIT_EXCEEDED)
    ctl.initiator.pending = request
    ctl.soon(ctl.air.replay_advertising, ctl)


def le_create_connection(ctl: VirtualController, p: bytes) -> None:
    _si, _sw, policy, peer_type, peer, own, imin, imax, latency, timeout, _cmin, _cmax = struct.unpack(
        "<HHBB6sBHHHHHH", p
    )
    _start(ctl, ConnectionRequest(False, policy, peer_type, peer, own, imin, imax, latency, timeout))


def _ext_create_length(p: bytes) -> bool:
    return len(p) >= 10 and len(p) == 10 + 16 * bin(p[9] & 0x07).count("1")


def le_extended_create_connection(ctl: VirtualController, p: bytes) -> None:
    policy, own, peer_type, peer, phys = struct.unpack_from("<BBB6sB", p)
    c.check(phys != 0 and not phys & ~0x07)
    c.check(bool(phys & 0x01), Status.UNSUPPORTED_FEATURE_OR_PARAMETER_VALUE)  # LE Coded alone is not offered
    _si, _sw, imin, imax, latency, timeout, _cmin, _cmax = struct.unpack_from("<8H", p, 10)
    _start(ctl, ConnectionRequest(True, policy, peer_type, peer, own, imin, imax, latency, timeout))


def le_create_connection_cancel(ctl: VirtualController, p: bytes) -> bytes:
    request = ctl.initiator.pending
    c.check(request is not None, Status.COMMAND_DISALLOWED)
    assert request is not None
    ctl.initiator.pending = None
    ctl.soon(
        send_connection_complete_failure, ctl, Status.UNKNOWN_CONNECTION_IDENTIFIER, Role.CENTRAL, request.extended
    )
    return c.OK


def connection(ctl: VirtualController, handle: int) -> Connection:
    """The open connection with this handle, or ControllerCommandError Unknown Connection Identifier."""
    conn = ctl.connections.get(handle)
    if conn is None or conn.link is None or not conn.link.alive:
        raise c.ControllerCommandError(Status.UNKNOWN_CONNECTION_IDENTIFIER, struct.pack("<H", handle))
    return conn


def disconnect(ctl: VirtualController, p: bytes) -> None:
    handle, reason = struct.unpack("<HB", p)
    c.check(reason in DISCONNECT_REASONS)
    conn = connection(ctl, handle)
    link = conn.link
    assert link is not None
    link.control(lambda: link.terminate(conn, reason))


COMMANDS = [
    c.status(Op.LE_CREATE_CONNECTION, le_create_connection, 25, bit=(26, 4)),
    c.status(Op.LE_EXTENDED_CREATE_CONNECTION, le_extended_create_connection, _ext_create_length, bit=(37, 7)),
    c.complete(Op.LE_CREATE_CONNECTION_CANCEL, le_create_connection_cancel, 0, bit=(26, 5)),
    c.status(Op.DISCONNECT, disconnect, 3, bit=(0, 5)),
]


# -- ACL data from the host --------------------------------------------------
def acl_from_host(ctl: VirtualController, payload: bytes) -> None:
    """Take one ACL packet: it uses a buffer until sent over the air (Vol 4 Part E, 4.1.1)."""
    if len(payload) < 4:
        log.warning("controller: ACL packet shorter than its header, dropped")
        return
    header, length = _ACL_HEADER.unpack_from(payload)
    handle, pb_flag = header & 0x0FFF, (header >> 12) & 0x03
    data = payload[4:]
    if length != len(data) or length > ACL_DATA_LENGTH or pb_flag not in (0b00, 0b01):
        log.warning(
            "controller: malformed ACL packet (handle 0x%03x, length %d/%d, pb %d), dropped",
            handle,
            length,
            len(data),
            pb_flag,
        )
        return
    conn = ctl.connections.get(handle)
    if conn is None or conn.link is None or not conn.link.alive:
        log.info("controller: ACL for unknown handle 0x%03x dropped", handle)
        return
    if ctl.acl_in_use >= ACL_BUFFERS:
        log.warning("controller: host overran the ACL buffers")
        ctl.send_event(Ev.DATA_BUFFER_OVERFLOW, ev.data_buffer_overflow())
        return
    ctl.acl_in_use += 1
    conn.link.send(conn, pb_flag, data)
