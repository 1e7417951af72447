"""Decode a capture through every layer the stack knows, following connections by handle.

CaptureDecoder is a small state machine fed one record at a time: HCI events open and close
connections, ACL fragments are reassembled per handle and direction (Core Vol 4 Part E, 5.4.2),
whole L2CAP frames go to ATT, SMP, signalling and credit-based channels. It never raises:
anything it cannot decode is shown as raw bytes with the reason.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aioble_hci.capture.decode.hci import decode_command, decode_event
from aioble_hci.capture.decode.l2cap import L2capState, decode_l2cap
from aioble_hci.capture.decode.layer import DecodedPacket, Layer, error_layer
from aioble_hci.capture.files import open_reader
from aioble_hci.capture.records import CaptureFormatError, CaptureRecord, RecordKind
from aioble_hci.hci.acl import PB_CONTINUING, AclHeader, AclReassembler
from aioble_hci.hci.constants import OpCode
from aioble_hci.hci.errors import HciDecodeError
from aioble_hci.hci.packets import Direction, PacketType

log = logging.getLogger(__name__)

QUALCOMM_DEBUG_HANDLE = 0x0EDC
_RESET_OPCODE = OpCode.RESET.to_bytes(2, "little")


@dataclass
class Connection:
    """What the capture told us about one connection handle."""

    handle: int
    peer: str | None
    transport: str
    role: str | None
    opened_frame: int | None
    closed_frame: int | None = None
    l2cap: L2capState = field(default_factory=L2capState)


class CaptureDecoder:
    """Feed records in capture order with decode(); read connections afterwards."""

    def __init__(self) -> None:
        self.connections: dict[int, Connection] = {}
        self.history: list[Connection] = []  # every connection ever opened, in order
        self._reassemblers = {d: AclReassembler() for d in Direction}
        self._session_start_seen = (
            False  # a Reset or a connection event: unknown handles are then not L2CAP
        )
        self._frame = 0

    def decode(self, record: CaptureRecord) -> DecodedPacket:
        self._frame += 1
        packet = DecodedPacket(self._frame, record)
        try:
            self._decode(packet)
        except Exception as exc:  # noqa: BLE001 - the decoder never fails on a packet
            log.debug("frame %d: decode error %r", self._frame, exc)
            packet.layers.append(error_layer("decoder", exc, record.payload))
        return packet

    def _decode(self, packet: DecodedPacket) -> None:
        r = packet.record
        if r.kind is not RecordKind.HCI or r.packet_type is None:
            label = r.text or r.kind.value
            fields = {} if r.kind is RecordKind.NOTE else {"raw": r.payload.hex()}
            packet.layers.append(Layer("note", f"{r.kind.value.capitalize()}: {label}", fields))
            return
        if r.packet_type == PacketType.COMMAND:
            layer = decode_command(r.payload)
            packet.layers.append(layer)
            if r.payload[:2] == _RESET_OPCODE:
                self._reset()
        elif r.packet_type == PacketType.EVENT:
            layer, facts = decode_event(r.payload)
            packet.layers.append(layer)
            packet.handle = layer.fields.get("handle")
            self._apply(facts)
        elif r.packet_type == PacketType.ACL:
            self._acl(packet)
        else:
            packet.layers.append(
                Layer("hci", f"HCI {r.packet_type.name} data", {"raw": r.payload.hex()})
            )

    def _reset(self) -> None:
        self._session_start_seen = True
        for conn in self.connections.values():
            if conn.closed_frame is None:
                conn.closed_frame = self._frame
        self.connections.clear()
        for reassembler in self._reassemblers.values():
            reassembler.reset()

    def _apply(self, facts: dict[str, Any]) -> None:
        opened = facts.get("opened")
        if opened is not None:
            self._session_start_seen = True
            conn = Connection(
                opened["handle"],
                opened.get("peer"),
                opened["transport"],
                opened.get("role"),
                self._frame,
            )
            self.connections[conn.handle] = conn
            self.history.append(conn)
        closed = facts.get("closed")
        if closed is not None:
            self._session_start_seen = True
            gone = self.connections.get(closed)
            if gone is not None:
                gone.closed_frame = self._frame
            for reassembler in self._reassemblers.values():
                reassembler.reset(closed)

    def _acl(self, packet: DecodedPacket) -> None:
        r = packet.record
        data = r.payload
        try:
            header = AclHeader.from_bytes(data)
        except HciDecodeError as exc:
            packet.layers.append(error_layer("ACL", exc, data))
            return
        handle, length = header.handle, header.length
        packet.handle = handle
        body = data[4:]
        fields: dict[str, Any] = {
            "handle": handle,
            "pb": header.pb_flag,
            "bc": header.bc_flag,
            "length": length,
        }
        if length != len(body):
            fields["length_problem"] = f"header says {length}, packet has {len(body)}"
        conn = self.connections.get(handle)
        if conn is None and (handle == QUALCOMM_DEBUG_HANDLE or self._never_connected(handle)):
            what = (
                "Qualcomm vendor debug data"
                if handle == QUALCOMM_DEBUG_HANDLE
                else "handle never connected"
            )
            fields["data"] = body.hex()
            packet.layers.append(
                Layer("vendor", f"ACL on handle 0x{handle:04x}: {what}, not L2CAP", fields)
            )
            return
        if conn is None:  # capture started mid-connection: decode anyway, and remember the handle
            conn = Connection(handle, None, "LE", None, None)
            self.connections[handle] = conn
            self.history.append(conn)
            fields["note"] = "connection setup not in capture"
        acl = Layer("acl", f"ACL handle 0x{handle:04x}", fields)
        packet.layers.append(acl)
        direction = r.direction if r.direction is not None else Direction.HOST_TO_CONTROLLER
        pdu = self._reassemble(direction, header, data, acl)
        if pdu is not None:
            packet.layers.extend(decode_l2cap(pdu, direction, conn.l2cap))

    def _never_connected(self, handle: int) -> bool:
        return self._session_start_seen and not any(c.handle == handle for c in self.history)

    def _reassemble(
        self, direction: Direction, header: AclHeader, data: bytes, acl: Layer
    ) -> bytes | None:
        """Fragments back into L2CAP PDUs with hci.acl.AclReassembler, one per direction
        (Vol 4 Part E, 5.4.2; Vol 3 Part A, 7.2); what it refuses is shown, never raised."""
        reassembler = self._reassemblers[direction]
        handle, held = header.handle, reassembler.pending(header.handle)
        if header.pb_flag == PB_CONTINUING and not held:
            acl.fields["problem"] = "continuation fragment without a start"
            acl.fields["data"] = data[4:].hex()
            return None
        if header.pb_flag != PB_CONTINUING and held:
            acl.fields["problem"] = f"previous PDU incomplete ({held} octets dropped)"
            reassembler.reset(handle)
        try:
            done = reassembler.feed(data)
        except HciDecodeError as exc:
            acl.fields["problem"] = str(exc)
            return None
        if done is None:
            acl.fields["fragment"] = f"{reassembler.pending(handle)} octets of the L2CAP PDU so far"
            return None
        return done[1]


@dataclass
class DecodeResult:
    """The decoded packets of a file, the decoder's final state, and the error that ended it early."""

    packets: list[DecodedPacket]
    decoder: CaptureDecoder
    error: CaptureFormatError | None


class DecodeStream:
    """The decoded packets of a file one at a time, for output that starts at once and memory
    that stays flat however long the capture; `error` (a damaged tail) is set once it is read."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = path
        self.decoder = CaptureDecoder()
        self.error: CaptureFormatError | None = None

    def __iter__(self) -> Iterator[DecodedPacket]:
        decode = self.decoder.decode
        try:
            for record in open_reader(self.path):
                yield decode(record)
        except CaptureFormatError as exc:
            self.error = exc


def decode_file(path: str | os.PathLike[str]) -> DecodeResult:
    """Decode every readable record of a capture; a damaged tail is reported, not raised."""
    stream = DecodeStream(path)
    packets = list(stream)
    return DecodeResult(packets, stream.decoder, stream.error)
