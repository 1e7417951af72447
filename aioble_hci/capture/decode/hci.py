"""HCI command and event display (Core Vol 4 Part E, 5.4 and 7) through the shared hci codecs.

Commands go through aioble_hci.hci.commands.parse_command and events through
aioble_hci.hci.events.parse_event; their dataclass fields become the layer's fields, plus a
one-line `description` from aioble_hci.hci.describe. A packet the codecs refuse keeps its raw
parameters and the reason. Summaries keep the spec's UPPER_SNAKE names, as btmon users grep them.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from aioble_hci.address import Address
from aioble_hci.capture.decode.ad import decode_ad
from aioble_hci.capture.decode.layer import Deferred, Layer, jsonable
from aioble_hci.hci import commands as hci_commands
from aioble_hci.hci import events as hci_events
from aioble_hci.hci.constants import OGF_VENDOR, EventCode, LeSubevent, OpCode, StatusCode
from aioble_hci.hci.describe import describe
from aioble_hci.hci.errors import HciDecodeError
from aioble_hci.hci.packets import PacketType

# Commands whose data field is advertising data (Vol 3 Part C, 11): shown as AD structures.
_AD_FIELDS = ("advertising_data", "scan_response_data")
_CONNECTION_COMPLETE = (hci_events.LeConnectionComplete, hci_events.LeEnhancedConnectionComplete)


def opcode_name(opcode: int) -> str:
    try:
        return OpCode(opcode).name
    except ValueError:
        ogf, ocf = opcode >> 10, opcode & 0x3FF
        if ogf == OGF_VENDOR:
            return f"VENDOR_0x{ocf:03X}"
        return f"UNKNOWN_OGF_0x{ogf:02X}_OCF_0x{ocf:03X}"


def status_name(status: int) -> str:
    return StatusCode(status).name


def _struct_fields(value: Any) -> dict[str, Any]:
    fields: dict[str, Any] = jsonable(value)
    for name in fields:
        if name.endswith("status") or name == "reason":
            raw = getattr(value, name)
            if isinstance(raw, int):
                fields[name] = status_name(raw)
    return fields


def decode_command(payload: bytes) -> Layer:
    """Opcode name and the command's parameters as the shared codec reads them."""
    if len(payload) < 3:
        raise HciDecodeError(f"command of {len(payload)} octets has no full header")
    opcode = int.from_bytes(payload[:2], "little")
    fields: dict[str, Any] = {"opcode": f"0x{opcode:04x}"}
    if opcode >> 10 == OGF_VENDOR:
        fields["vendor"] = True
    try:
        command = hci_commands.parse_command(payload)
    except HciDecodeError as exc:
        fields["problem"] = str(exc)
    else:
        if not isinstance(command, hci_commands.UnknownCommand):
            fields.update(_struct_fields(command))
            for name in _AD_FIELDS:
                data = getattr(command, name, None)
                if isinstance(data, (bytes, bytearray)):
                    fields["ad"] = decode_ad(bytes(data))
        fields["description"] = Deferred(partial(describe, PacketType.COMMAND, payload))
    fields["parameters"] = payload[3:].hex()
    return Layer("hci", f"HCI Command: {opcode_name(opcode)}", fields)


def event_name(payload: bytes) -> str:
    code = payload[0]
    if code == EventCode.LE_META and len(payload) > 2:
        try:
            return LeSubevent(payload[2]).name
        except ValueError:
            return f"LE_UNKNOWN_SUBEVENT_0x{payload[2]:02X}"
    try:
        return EventCode(code).name
    except ValueError:
        return f"UNKNOWN_EVENT_0x{code:02X}"


def decode_event(payload: bytes) -> tuple[Layer, dict[str, Any]]:
    """The event layer and the facts the decoder tracks (connection opened or closed)."""
    if len(payload) < 2:
        raise HciDecodeError(f"event of {len(payload)} octets has no full header")
    name = event_name(payload)
    facts: dict[str, Any] = {}
    if payload[0] == EventCode.VENDOR:
        return Layer("vendor", "HCI Vendor Event", {"parameters": payload[2:].hex()}), facts
    try:
        event = hci_events.parse_event(payload)
    except HciDecodeError as exc:
        refused = {"problem": str(exc), "parameters": payload[2:].hex()}
        return Layer("hci", f"HCI Event: {name}", refused), facts
    fields = _event_fields(event)
    fields["description"] = Deferred(partial(describe, PacketType.EVENT, payload))
    handle = getattr(event, "connection_handle", None)
    if isinstance(handle, int):
        fields["handle"] = handle
    if isinstance(event, _CONNECTION_COMPLETE) and event.status == StatusCode.SUCCESS:
        facts["opened"] = {"handle": event.connection_handle, "peer": str(event.peer_address),
                           "transport": "LE", "role": "central" if event.role == 0 else "peripheral"}
    elif isinstance(event, hci_events.DisconnectionComplete) and event.status == StatusCode.SUCCESS:
        facts["closed"] = event.connection_handle
    elif isinstance(event, hci_events.UnknownEvent) and event.code == EventCode.CONNECTION_COMPLETE:
        facts.update(_bredr_connection_complete(event.parameters, fields))
    layer_name = "adv" if isinstance(event, (hci_events.LeAdvertisingReport,
                                             hci_events.LeExtendedAdvertisingReport)) else "hci"
    return Layer(layer_name, f"HCI Event: {name}", fields), facts


def _event_fields(event: hci_events.Event) -> dict[str, Any]:
    if isinstance(event, (hci_events.UnknownEvent, hci_events.UnknownLeMetaEvent)):
        return {"parameters": event.parameters.hex()}
    if isinstance(event, hci_events.CommandComplete):
        fields: dict[str, Any] = {"num_packets": event.num_hci_command_packets,
                                  "command": opcode_name(event.command_opcode)}
        if event.status is not None:
            fields["status"] = event.status.name
        fields["return_parameters"] = event.return_parameters.hex()
        return fields
    if isinstance(event, hci_events.CommandStatus):
        return {"status": status_name(event.status), "num_packets": event.num_hci_command_packets,
                "command": opcode_name(event.command_opcode)}
    if isinstance(event, hci_events.NumberOfCompletedPackets):
        return {"completed": {f"0x{h:04x}": n for h, n in event.pairs()}}
    if isinstance(event, hci_events.LeAdvertisingReport):
        return {"reports": [_adv_report(r) for r in event.reports]}
    if isinstance(event, hci_events.LeExtendedAdvertisingReport):
        return {"reports": [_ext_adv_report(r) for r in event.reports]}
    return _struct_fields(event)


def _adv_report(report: Any) -> dict[str, Any]:
    """One legacy report (7.7.65.2) with its AD structures."""
    return {"event_type": report.event_type, "address_type": int(report.address.type),
            "address": str(report.address), "rssi": report.rssi, "ad": decode_ad(report.data)}


def _ext_adv_report(report: Any) -> dict[str, Any]:
    """One extended report (7.7.65.13) with its AD structures."""
    return {"event_type": f"0x{report.event_type:04x}", "address_type": report.address_type,
            "address": str(report.address), "primary_phy": report.primary_phy,
            "secondary_phy": report.secondary_phy, "sid": report.advertising_sid,
            "rssi": report.rssi, "ad": decode_ad(report.data)}


def _bredr_connection_complete(p: bytes, fields: dict[str, Any]) -> dict[str, Any]:
    """BR/EDR Connection Complete (7.7.3), which the LE codecs do not cover: enough to follow the handle."""
    if len(p) < 11:
        return {}
    handle, peer = int.from_bytes(p[1:3], "little"), str(Address(p[3:9]))
    fields.update(status=status_name(p[0]), handle=handle, address=peer, link_type=p[9])
    if p[0] != 0:
        return {}
    return {"opened": {"handle": handle, "peer": peer, "transport": "BR/EDR"}}
