"""L2CAP frames and what rides on them: ATT, SMP, signalling, credit-based channels (Core Vol 3 Part A)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aioble_hci.att import pdus as att
from aioble_hci.capture.decode.layer import Layer, error_layer, jsonable
from aioble_hci.capture.decode.smp import decode_smp
from aioble_hci.hci.packets import Direction
from aioble_hci.l2cap import pdus as l2
from aioble_hci.uuid import UUID

BREDR_SIGNALLING_CID = 0x0001
BREDR_SMP_CID = 0x0007
CID_NAMES = {
    BREDR_SIGNALLING_CID: "BR/EDR signalling",
    0x0002: "connectionless",
    l2.FixedCid.ATT: "ATT",
    l2.FixedCid.LE_SIGNALING: "LE signalling",
    l2.FixedCid.SMP: "SMP",
    BREDR_SMP_CID: "BR/EDR SMP",
}


@dataclass
class CreditChannel:
    """One direction of an LE credit-based channel: SDUs start with a 2-octet length (Vol 3 Part A, 3.4)."""

    spsm: int
    mtu: int
    sdu_length: int = 0
    sdu: bytearray = field(default_factory=bytearray)


@dataclass
class L2capState:
    """Per-connection L2CAP facts learnt from signalling: pending requests and open credit channels."""

    pending: dict[tuple[Direction, int], tuple[int, tuple[int, ...], int]] = field(
        default_factory=dict
    )
    channels: dict[tuple[Direction, int], CreditChannel] = field(default_factory=dict)
    # The attribute type of the last Read By Type Request sent in each direction: its response
    # (coming the other way) carries values whose layout depends on it (Vol 3 Part F, 3.4.4.1).
    read_by_type: dict[Direction, UUID] = field(default_factory=dict)


def decode_l2cap(pdu: bytes, direction: Direction, state: L2capState) -> list[Layer]:
    """The L2CAP layer of a whole B-frame and the layers above it."""
    if len(pdu) < 4:
        return [error_layer("L2CAP", f"frame of {len(pdu)} octets has no basic header", pdu)]
    length, cid = int.from_bytes(pdu[0:2], "little"), int.from_bytes(pdu[2:4], "little")
    payload = pdu[4:]
    name = CID_NAMES.get(cid, "dynamic" if cid >= l2.LE_DYNAMIC_CID_FIRST else "reserved")
    fields: dict[str, Any] = {"cid": cid, "length": length, "payload": payload.hex()}
    layers = [Layer("l2cap", f"L2CAP {name} (cid 0x{cid:04x})", fields)]
    if length != len(payload):
        fields["length_problem"] = f"header says {length}, frame has {len(payload)}"
    try:
        if cid == l2.FixedCid.ATT:
            layers.append(decode_att(payload, direction, state))
        elif cid in (l2.FixedCid.SMP, BREDR_SMP_CID):
            layers.append(decode_smp(payload))
        elif cid == l2.FixedCid.LE_SIGNALING:
            layers.append(_le_signalling(payload, direction, state))
        elif cid == BREDR_SIGNALLING_CID:
            layers.append(_bredr_signalling(payload))
        elif cid >= l2.LE_DYNAMIC_CID_FIRST:
            layers.append(_credit_frame(payload, direction, cid, state))
    except Exception as exc:  # noqa: BLE001 - a decoder never fails: show the raw bytes and why
        layers.append(error_layer(name, exc, payload))
    return layers


def decode_att(pdu: bytes, direction: Direction | None = None, state: L2capState | None = None) -> Layer:
    """ATT opcode name, handle and fields (Vol 3 Part F, 3.4) through aioble_hci.att.pdus.

    UUIDs inside GATT discovery PDUs are shown as people write them (0x1800, 6E400001-...), not
    in their little-endian wire order (see _readable_uuids).
    """
    if not pdu:
        return error_layer("ATT", "empty PDU", pdu)
    try:
        name = att.Opcode(pdu[0]).name
    except ValueError:
        name = f"UNKNOWN_0x{pdu[0]:02X}"
    try:
        decoded = att.decode(pdu)
    except att.AttDecodeError as exc:
        return Layer(
            "att", f"ATT {name}", {"opcode": pdu[0], "problem": str(exc), "raw": pdu.hex()}
        )
    fields = {"opcode": pdu[0], **jsonable(decoded)}
    if direction is not None and state is not None:
        _readable_uuids(decoded, fields, direction, state)
    return Layer("att", f"ATT {name}", fields)


PRIMARY_SERVICE = UUID(0x2800)
SECONDARY_SERVICE = UUID(0x2801)
CHARACTERISTIC = UUID(0x2803)


def _uuid_text(data: bytes) -> str | None:
    """A 16- or 128-bit UUID in wire order as text, or None for any other length."""
    return str(UUID.from_le_bytes(data)) if len(data) in (2, 16) else None


def _readable_uuids(decoded: Any, fields: dict[str, Any], direction: Direction, state: L2capState) -> None:
    """Replace the wire-order hex of the UUIDs GATT discovery carries with their usual text.

    Read By Group Type responses list services (Vol 3 Part G, 4.4.1), Find By Type Value requests
    search for a service UUID (4.4.2), and Read By Type responses to a request for 0x2803 carry
    characteristic declarations: properties, value handle, UUID (3.3.1).
    """
    if isinstance(decoded, att.ReadByTypeReq):
        state.read_by_type[direction] = decoded.attribute_type
    elif isinstance(decoded, att.ReadByGroupTypeRsp):
        fields["attribute_data"] = [[start, end, _uuid_text(value) or value.hex()]
                                    for start, end, value in decoded.attribute_data]
    elif isinstance(decoded, att.FindByTypeValueReq) and decoded.attribute_type in (PRIMARY_SERVICE,
                                                                                   SECONDARY_SERVICE):
        fields["attribute_value"] = _uuid_text(decoded.attribute_value) or decoded.attribute_value.hex()
    elif isinstance(decoded, att.ReadByTypeRsp):
        asked = state.read_by_type.pop(_other(direction), None)
        if asked == CHARACTERISTIC:
            fields["attribute_data"] = [[handle, _declaration(value)] for handle, value in decoded.attribute_data]


def _other(direction: Direction) -> Direction:
    return (Direction.CONTROLLER_TO_HOST if direction == Direction.HOST_TO_CONTROLLER
            else Direction.HOST_TO_CONTROLLER)


def _declaration(value: bytes) -> dict[str, Any] | str:
    """A characteristic declaration value (Vol 3 Part G, 3.3.1) as its three fields."""
    uuid = _uuid_text(value[3:])
    if len(value) < 5 or uuid is None:
        return value.hex()
    return {"properties": value[0], "value_handle": int.from_bytes(value[1:3], "little"), "uuid": uuid}


def _signalling_name(code: int) -> str:
    try:
        return l2.SignalingCode(code).name
    except ValueError:
        return f"SIGNALLING_0x{code:02X}"


def _le_signalling(payload: bytes, direction: Direction, state: L2capState) -> Layer:
    raw = l2.split_command(payload)
    name = _signalling_name(raw.code)
    fields: dict[str, Any] = {"identifier": raw.identifier}
    try:
        command = l2.decode_command(raw)
    except KeyError:
        fields["data"] = raw.data.hex()
        return Layer("signalling", f"L2CAP {name}", fields)
    fields.update(jsonable(command))
    _track_channels(command, raw.identifier, direction, state)
    return Layer("signalling", f"L2CAP {name}", fields)


def _track_channels(
    command: object, identifier: int, direction: Direction, state: L2capState
) -> None:
    """Learn credit-based channels from their connection request and response (Vol 3 Part A, 4.22-4.26)."""
    if isinstance(command, l2.LeCreditBasedConnectionReq):
        state.pending[(direction, identifier)] = (command.spsm, (command.source_cid,), command.mtu)
    elif isinstance(command, l2.CreditBasedConnectionReq):
        state.pending[(direction, identifier)] = (
            command.spsm,
            tuple(command.source_cids),
            command.mtu,
        )
    elif isinstance(command, (l2.LeCreditBasedConnectionRsp, l2.CreditBasedConnectionRsp)):
        requester = Direction(1 - direction)
        request = state.pending.pop((requester, identifier), None)
        if request is None:
            return
        spsm, source_cids, req_mtu = request
        if isinstance(command, l2.LeCreditBasedConnectionRsp):
            dest_cids: tuple[int, ...] = (command.destination_cid,)
        else:
            dest_cids = tuple(command.destination_cids)
        for scid, dcid in zip(source_cids, dest_cids, strict=False):
            if dcid == 0:
                continue
            # frames the requester sends go to the responder's CID, and the other way round
            state.channels[(requester, dcid)] = CreditChannel(spsm, command.mtu)
            state.channels[(direction, scid)] = CreditChannel(spsm, req_mtu)


def _credit_frame(payload: bytes, direction: Direction, cid: int, state: L2capState) -> Layer:
    channel = state.channels.get((direction, cid))
    if channel is None:
        return Layer(
            "coc",
            "L2CAP dynamic channel (no connection setup seen)",
            {"cid": cid, "data": payload.hex()},
        )
    fields: dict[str, Any] = {"cid": cid, "spsm": channel.spsm}
    if not channel.sdu and channel.sdu_length == 0:
        if len(payload) < 2:
            return error_layer(
                "L2CAP credit-based K-frame", "first K-frame has no SDU length", payload
            )
        channel.sdu_length = int.from_bytes(payload[:2], "little")
        channel.sdu += payload[2:]
        fields["sdu_length"] = channel.sdu_length
    else:
        channel.sdu += payload
    fields["segment"] = payload.hex()
    if len(channel.sdu) >= channel.sdu_length:
        fields["sdu"] = bytes(channel.sdu).hex()
        if len(channel.sdu) > channel.sdu_length:
            fields["problem"] = f"SDU longer than announced {channel.sdu_length}"
        channel.sdu.clear()
        channel.sdu_length = 0
        return Layer("coc", "L2CAP credit-based SDU complete", fields)
    return Layer("coc", "L2CAP credit-based SDU segment", fields)


def _bredr_signalling(payload: bytes) -> Layer:
    if len(payload) < 4:
        return error_layer("L2CAP BR/EDR signalling", "no full command header", payload)
    code, identifier = payload[0], payload[1]
    return Layer(
        "signalling",
        f"L2CAP BR/EDR signalling code 0x{code:02x}",
        {"identifier": identifier, "data": payload[4:].hex()},
    )
