"""The capture file formats, declared with `construct`: file headers, block and record headers.

These definitions are the single description of each layout; the readers and writers use them.
File headers and pcapng blocks are parsed and built with construct. The header that precedes
*every* record is read through `fixed_struct(definition)`, the `struct.Struct` equivalent of a
definition made only of fixed-size numbers: construct costs about 8 us per parse (2.4 us
compiled) against 0.1 us for struct, which would double or triple the time to read a capture
(measured on the 2,572-record treadmill capture: 4.7 ms to read with struct; 5.9 ms more for
compiled construct, 20 ms more for plain construct).

Formats: btsnoop (RFC 1761 style, as Android and btmon write it), pcap and pcapng (the
Wireshark/libpcap formats, link types 187, 201 and 254), Apple PacketLogger.
"""

from __future__ import annotations

import struct
from typing import Any

from construct import (
    Bytes,
    Const,
    FormatField,
    Int8ub,
    Int8ul,
    Int16ub,
    Int16ul,
    Int32sb,
    Int32sl,
    Int32ub,
    Int32ul,
    Int64sb,
    Renamed,
    Struct,
)

# --- btsnoop: big-endian ---------------------------------------------------------------------------

BTSNOOP_MAGIC = b"btsnoop\x00"
BtsnoopHeader = Struct(
    "magic" / Bytes(8),
    "version" / Int32ub,  # 1
    "datalink" / Int32ub,  # 1001 HCI unencapsulated, 1002 HCI UART (H4), 2001 Linux monitor
)
BtsnoopRecordHeader = Struct(
    "original_length" / Int32ub,
    "included_length" / Int32ub,
    "flags" / Int32ub,  # bit 0: direction (1 received), bit 1: command/event; monitor: index << 16 | opcode
    "cumulative_drops" / Int32ub,
    "timestamp" / Int64sb,  # microseconds since 0000-01-01
)

# --- pcap: the byte order is the writer's, told by the magic -----------------------------------------


def _pcap_header(u16: Any, u32: Any, s32: Any) -> Struct:
    return Struct(
        "magic" / u32,  # 0xA1B2C3D4 (microseconds) or 0xA1B23C4D (nanoseconds)
        "version_major" / u16,
        "version_minor" / u16,
        "thiszone" / s32,
        "sigfigs" / u32,
        "snaplen" / u32,
        "linktype" / u32,  # low 28 bits: the link type
    )


def _pcap_record(u32: Any) -> Struct:
    return Struct(
        "ts_seconds" / u32,
        "ts_fraction" / u32,  # microseconds or nanoseconds, by the magic
        "included_length" / u32,
        "original_length" / u32,
    )


PcapHeader = {"<": _pcap_header(Int16ul, Int32ul, Int32sl), ">": _pcap_header(Int16ub, Int32ub, Int32sb)}
PcapRecordHeader = {"<": _pcap_record(Int32ul), ">": _pcap_record(Int32ub)}

# Frames of the Bluetooth link types: big-endian whatever the file's byte order.
H4DirectionHeader = Struct("direction" / Int32ub)  # link type 201: 0 sent by the host, 1 received
MonitorHeader = Struct("index" / Int16ub, "opcode" / Int16ub)  # link type 254

# --- pcapng: the Section Header Block's byte-order magic sets the order of what follows --------------


def _pcapng(u16: Any, u32: Any) -> dict[str, Struct]:
    return {
        "block": Struct("type" / u32, "total_length" / u32),
        "shb": Struct("byte_order_magic" / u32, "version_major" / u16, "version_minor" / u16),
        "idb": Struct("linktype" / u16, "reserved" / u16, "snaplen" / u32),
        "epb": Struct("interface_id" / u32, "ts_high" / u32, "ts_low" / u32,
                      "captured_length" / u32, "original_length" / u32),
        "pb": Struct("interface_id" / u16, "drops_count" / u16, "ts_high" / u32, "ts_low" / u32,
                     "captured_length" / u32, "original_length" / u32),
        "spb": Struct("original_length" / u32),
        "option": Struct("code" / u16, "length" / u16),
    }


Pcapng = {"<": _pcapng(Int16ul, Int32ul), ">": _pcapng(Int16ub, Int32ub)}

# --- Apple PacketLogger: big-endian in old files, little-endian in newer ones -------------------------


def _pklg_record(u32: Any, u8: Any) -> Struct:
    return Struct(
        "length" / u32,  # of what follows this field: seconds, microseconds, type and the packet
        "seconds" / u32,
        "microseconds" / u32,
        "type" / u8,  # 0x00 command, 0x01 event, 0x02 ACL sent by the host, 0x03 ACL received, ...
    )


PklgRecordHeader = {"<": _pklg_record(Int32ul, Int8ul), ">": _pklg_record(Int32ub, Int8ub)}


def fixed_struct(definition: Struct) -> struct.Struct:
    """The `struct.Struct` reading the same bytes as `definition`, for per-record loops.

    Only definitions made of fixed-size numbers of one byte order qualify; their fields come
    out in declaration order.
    """
    formats: list[str] = []
    orders: set[str] = set()
    for sub in definition.subcons:
        field = sub.subcon if isinstance(sub, Renamed) else sub
        if isinstance(field, Const) or not isinstance(field, FormatField):
            raise TypeError(f"{sub.name}: not a fixed-size number, no struct equivalent")
        order, code = field.fmtstr[0], field.fmtstr[1:]
        if order in "<>":
            orders.add(order)
        formats.append(code)
    if len(orders) > 1:
        raise TypeError("mixed byte orders")
    return struct.Struct((orders.pop() if orders else "<") + "".join(formats))
