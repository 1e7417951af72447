"""pcapng reader for Bluetooth link types (same frame formats as pcap, see pcap.py).

Blocks are type, total length, body, total length again; the Section Header Block
sets the byte order, Interface Description Blocks set each interface's link type
and timestamp resolution, Enhanced/Simple Packet Blocks carry the frames. layouts.py declares
the blocks; the block and packet headers met once per packet are read through their struct
equivalents, the section and interface blocks and options with construct.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from aioble_hci.capture.layouts import Pcapng, fixed_struct
from aioble_hci.capture.pcap import SUPPORTED_LINKTYPES, decode_frame
from aioble_hci.capture.records import CaptureFormatError, CaptureRecord, RecordKind

BLOCK_SHB = 0x0A0D0D0A
BLOCK_IDB = 0x00000001
BLOCK_PB = 0x00000002  # obsolete Packet Block
BLOCK_SPB = 0x00000003
BLOCK_EPB = 0x00000006
BYTE_ORDER_MAGIC = 0x1A2B3C4D
OPT_IF_TSRESOL = 9
_BLOCK = {endian: fixed_struct(layouts["block"]) for endian, layouts in Pcapng.items()}
_U32 = {endian: fixed_struct(layouts["spb"]) for endian, layouts in Pcapng.items()}
_EPB = {endian: fixed_struct(layouts["epb"]) for endian, layouts in Pcapng.items()}
_PB = {endian: fixed_struct(layouts["pb"]) for endian, layouts in Pcapng.items()}


@dataclass
class _Interface:
    linktype: int
    resolution: float  # seconds per timestamp unit


def _tsresol(options: bytes, endian: str) -> float:
    """Timestamp resolution from IDB options (default microseconds)."""
    option = Pcapng[endian]["option"]
    pos = 0
    while pos + 4 <= len(options):
        header = option.parse(options[pos : pos + 4])
        code, length = header.code, header.length
        if code == 0:
            break
        value = options[pos + 4 : pos + 4 + length]
        if code == OPT_IF_TSRESOL and value:
            v = value[0]
            return 2.0 ** -(v & 0x7F) if v & 0x80 else 10.0**-v
        pos += 4 + (length + 3) // 4 * 4
    return 1e-6


def read_pcapng(data: bytes, path: str | None = None) -> Iterator[CaptureRecord]:
    """Yield every packet; raise CaptureFormatError at the first damaged block."""
    endian = "<"
    interfaces: list[_Interface] = []
    offset = 0
    while offset < len(data):
        if len(data) - offset < 12:
            raise CaptureFormatError("truncated pcapng block header", offset, path)
        block_type = _U32[endian].unpack_from(data, offset)[0]
        if block_type == BLOCK_SHB:
            for endian in ("<", ">"):
                if _U32[endian].unpack_from(data, offset + 8)[0] == BYTE_ORDER_MAGIC:
                    break
            else:
                raise CaptureFormatError("bad pcapng byte-order magic", offset + 8, path)
            interfaces = []
        elif offset == 0:
            raise CaptureFormatError("not a pcapng file (no Section Header Block)", 0, path)
        length = _BLOCK[endian].unpack_from(data, offset)[1]
        if length < 12 or length % 4:
            raise CaptureFormatError(f"bad pcapng block length {length}", offset, path)
        if offset + length > len(data):
            raise CaptureFormatError(
                f"truncated pcapng block: {length} bytes announced, {len(data) - offset} left",
                offset,
                path,
            )
        if _U32[endian].unpack_from(data, offset + length - 4)[0] != length:
            raise CaptureFormatError("pcapng block trailing length does not match", offset, path)
        body = data[offset + 8 : offset + length - 4]
        if block_type == BLOCK_IDB:
            if len(body) < 8:
                raise CaptureFormatError("truncated Interface Description Block", offset, path)
            linktype = Pcapng[endian]["idb"].parse(body[:8]).linktype
            interfaces.append(_Interface(linktype, _tsresol(body[8:], endian)))
        elif block_type in (BLOCK_EPB, BLOCK_PB, BLOCK_SPB):
            yield _packet(block_type, body, interfaces, endian, offset, path)
        offset += length


def _packet(
    block_type: int,
    body: bytes,
    interfaces: list[_Interface],
    endian: str,
    offset: int,
    path: str | None,
) -> CaptureRecord:
    if block_type == BLOCK_SPB:
        if len(body) < 4:
            raise CaptureFormatError("truncated Simple Packet Block", offset, path)
        iface_id, ts, cap_len, start = 0, 0, _U32[endian].unpack_from(body)[0], 4
    else:
        if len(body) < 20:
            raise CaptureFormatError("truncated Packet Block", offset, path)
        if block_type == BLOCK_PB:
            iface_id, _drops, high, low, cap_len, _orig = _PB[endian].unpack_from(body)
        else:
            iface_id, high, low, cap_len, _orig = _EPB[endian].unpack_from(body)
        ts, start = (high << 32) | low, 20
    if iface_id >= len(interfaces):
        raise CaptureFormatError(f"packet on undeclared interface {iface_id}", offset, path)
    iface = interfaces[iface_id]
    cap_len = min(cap_len, len(body) - start) if block_type == BLOCK_SPB else cap_len
    if start + cap_len > len(body):
        raise CaptureFormatError(f"packet length {cap_len} runs past its block", offset, path)
    frame = body[start : start + cap_len]
    if iface.linktype not in SUPPORTED_LINKTYPES:
        return CaptureRecord(
            None,
            None,
            None,
            frame,
            RecordKind.OTHER,
            iface_id,
            f"link type {iface.linktype}",
            iface.linktype,
        )
    return decode_frame(iface.linktype, frame, ts * iface.resolution, offset, path)
