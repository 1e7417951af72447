"""Event parameter builders (Core Vol 4 Part E, 7.7), written with plain struct.

Each function returns the parameters of one event (without code and length);
the controller adds the header and applies the event masks.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass


def command_complete(num_packets: int, opcode: int, return_parameters: bytes) -> bytes:
    """Command Complete (7.7.14)."""
    return struct.pack("<BH", num_packets, opcode) + return_parameters


def command_status(status: int, num_packets: int, opcode: int) -> bytes:
    """Command Status (7.7.15)."""
    return struct.pack("<BBH", status, num_packets, opcode)


def disconnection_complete(status: int, handle: int, reason: int) -> bytes:
    """Disconnection Complete (7.7.5)."""
    return struct.pack("<BHB", status, handle, reason)


def encryption_change(status: int, handle: int, enabled: int) -> bytes:
    """Encryption Change v1 (7.7.8)."""
    return struct.pack("<BHB", status, handle, enabled)


def encryption_change_v2(status: int, handle: int, enabled: int, key_size: int) -> bytes:
    """Encryption Change v2 (7.7.8): adds the key size."""
    return struct.pack("<BHBB", status, handle, enabled, key_size)


def encryption_key_refresh_complete(status: int, handle: int) -> bytes:
    """Encryption Key Refresh Complete (7.7.39)."""
    return struct.pack("<BH", status, handle)


def number_of_completed_packets(counts: dict[int, int]) -> bytes:
    """Number Of Completed Packets (7.7.19): handles then counts, per pair."""
    out = bytearray((len(counts),))
    for handle, count in counts.items():
        out += struct.pack("<HH", handle, count)
    return bytes(out)


def data_buffer_overflow(link_type: int = 0x01) -> bytes:
    """Data Buffer Overflow (7.7.26); link type 0x01 is ACL."""
    return bytes((link_type,))


def read_remote_version_complete(status: int, handle: int, version: int, company: int, subversion: int) -> bytes:
    """Read Remote Version Information Complete (7.7.12)."""
    return struct.pack("<BHBHH", status, handle, version, company, subversion)


@dataclass(frozen=True, slots=True)
class ConnectionCompleteFields:
    """What both LE Connection Complete flavours carry (7.7.65.1 and 7.7.65.10)."""

    status: int
    handle: int
    role: int
    peer_address_type: int
    peer_address: bytes
    interval: int
    latency: int
    timeout: int
    clock_accuracy: int = 0x00
    local_rpa: bytes = bytes(6)
    peer_rpa: bytes = bytes(6)


def le_connection_complete(f: ConnectionCompleteFields) -> bytes:
    """LE Connection Complete subevent parameters (7.7.65.1)."""
    return struct.pack(
        "<BHBB6sHHHB",
        f.status,
        f.handle,
        f.role,
        f.peer_address_type & 0x01,
        f.peer_address,
        f.interval,
        f.latency,
        f.timeout,
        f.clock_accuracy,
    )


def le_enhanced_connection_complete(f: ConnectionCompleteFields) -> bytes:
    """LE Enhanced Connection Complete v1 subevent parameters (7.7.65.10)."""
    return struct.pack(
        "<BHBB6s6s6sHHHB",
        f.status,
        f.handle,
        f.role,
        f.peer_address_type,
        f.peer_address,
        f.local_rpa,
        f.peer_rpa,
        f.interval,
        f.latency,
        f.timeout,
        f.clock_accuracy,
    )


def le_advertising_report(event_type: int, address_type: int, address: bytes, data: bytes, rssi: int) -> bytes:
    """LE Advertising Report with one report (7.7.65.2)."""
    return struct.pack("<BBB6sB", 1, event_type, address_type, address, len(data)) + data + struct.pack("<b", rssi)


@dataclass(frozen=True, slots=True)
class ExtendedReport:
    """One report of LE Extended Advertising Report (7.7.65.13)."""

    event_type: int
    address_type: int
    address: bytes
    data: bytes
    primary_phy: int = 1
    secondary_phy: int = 0
    sid: int = 0xFF
    tx_power: int = 0x7F
    rssi: int = -50
    periodic_interval: int = 0
    direct_address_type: int = 0
    direct_address: bytes = bytes(6)


def le_extended_advertising_report(r: ExtendedReport) -> bytes:
    """LE Extended Advertising Report with one report (7.7.65.13)."""
    return (
        struct.pack(
            "<BHB6sBBBbbHB6sB",
            1,
            r.event_type,
            r.address_type,
            r.address,
            r.primary_phy,
            r.secondary_phy,
            r.sid,
            r.tx_power,
            r.rssi,
            r.periodic_interval,
            r.direct_address_type,
            r.direct_address,
            len(r.data),
        )
        + r.data
    )


# The room for data in one extended report: 255 - subevent - count - fixed fields.
EXTENDED_REPORT_MAX_DATA = 255 - 2 - 24


def le_connection_update_complete(status: int, handle: int, interval: int, latency: int, timeout: int) -> bytes:
    """LE Connection Update Complete (7.7.65.3)."""
    return struct.pack("<BHHHH", status, handle, interval, latency, timeout)


def le_read_remote_features_complete(status: int, handle: int, features: int) -> bytes:
    """LE Read Remote Features Complete (7.7.65.4)."""
    return struct.pack("<BHQ", status, handle, features)


def le_long_term_key_request(handle: int, rand: bytes, ediv: int) -> bytes:
    """LE Long Term Key Request (7.7.65.5)."""
    return struct.pack("<H8sH", handle, rand, ediv)


def le_remote_connection_parameter_request(handle: int, imin: int, imax: int, latency: int, timeout: int) -> bytes:
    """LE Remote Connection Parameter Request (7.7.65.6)."""
    return struct.pack("<HHHHH", handle, imin, imax, latency, timeout)


def le_data_length_change(handle: int, tx_octets: int, tx_time: int, rx_octets: int, rx_time: int) -> bytes:
    """LE Data Length Change (7.7.65.7)."""
    return struct.pack("<HHHHH", handle, tx_octets, tx_time, rx_octets, rx_time)


def le_phy_update_complete(status: int, handle: int, tx_phy: int, rx_phy: int) -> bytes:
    """LE PHY Update Complete (7.7.65.12)."""
    return struct.pack("<BHBB", status, handle, tx_phy, rx_phy)


def le_advertising_set_terminated(status: int, adv_handle: int, conn_handle: int, num_events: int) -> bytes:
    """LE Advertising Set Terminated (7.7.65.18)."""
    return struct.pack("<BBHB", status, adv_handle, conn_handle, num_events)


def le_scan_request_received(adv_handle: int, scanner_type: int, scanner: bytes) -> bytes:
    """LE Scan Request Received (7.7.65.19)."""
    return struct.pack("<BB6s", adv_handle, scanner_type, scanner)


def le_channel_selection_algorithm(handle: int, algorithm: int) -> bytes:
    """LE Channel Selection Algorithm (7.7.65.20)."""
    return struct.pack("<HB", handle, algorithm)
