"""HCI command and event display (Core Vol 4 Part E, 5.4 and 7): names and key fields.

Names come from aioble_hci.hci.constants; the handful of parameter layouts shown here are
parsed locally for display (TODO: use aioble_hci.hci.events.parse_event once it exists).
"""

from __future__ import annotations

import struct
from typing import Any

from aioble_hci.capture.decode.ad import decode_ad
from aioble_hci.capture.decode.layer import Layer
from aioble_hci.hci.constants import OGF_VENDOR, EventCode, LeSubevent, OpCode, StatusCode


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


def address(data: bytes) -> str:
    """A BD_ADDR (little-endian on the wire) as aa:bb:cc:dd:ee:ff."""
    return ":".join(f"{b:02x}" for b in reversed(data))


def decode_command(payload: bytes) -> Layer:
    """Opcode name and parameters; a few commands get their fields."""
    if len(payload) < 3:
        raise ValueError(f"command of {len(payload)} octets has no full header")
    opcode, length = struct.unpack_from("<HB", payload)
    params = payload[3:]
    name = opcode_name(opcode)
    fields: dict[str, Any] = {"opcode": f"0x{opcode:04x}"}
    if length != len(params):
        fields["length_problem"] = f"header says {length}, packet has {len(params)}"
    if opcode >> 10 == OGF_VENDOR:
        fields["vendor"] = True
    _command_fields(opcode, params, fields)
    fields["parameters"] = params.hex()
    return Layer("hci", f"HCI Command: {name}", fields)


def _command_fields(opcode: int, p: bytes, fields: dict[str, Any]) -> None:
    if opcode == 0x0406 and len(p) >= 3:  # Disconnect, 7.1.6
        fields.update(handle=struct.unpack_from("<H", p)[0], reason=status_name(p[2]))
    elif opcode in (0x200C, 0x200A) and p:  # LE Set Scan Enable / Advertising Enable
        fields["enable"] = p[0]
    elif opcode == 0x2042 and p:  # LE Set Extended Scan Enable
        fields["enable"] = p[0]
    elif opcode in (0x2008, 0x2009) and p:  # LE Set Advertising / Scan Response Data
        fields["ad"] = decode_ad(p[1 : 1 + p[0]])
    elif opcode == 0x200D and len(p) >= 12:  # LE Create Connection, 7.8.12
        fields.update(peer_address_type=p[5], peer_address=address(p[6:12]))
    elif opcode == 0x2043 and len(p) >= 10:  # LE Extended Create Connection
        fields.update(peer_address_type=p[2], peer_address=address(p[3:9]))


def decode_event(payload: bytes) -> tuple[Layer, dict[str, Any]]:
    """The event layer and the facts the decoder tracks (connection opened/closed, encryption)."""
    if len(payload) < 2:
        raise ValueError(f"event of {len(payload)} octets has no full header")
    code, length = payload[0], payload[1]
    p = payload[2:]
    fields: dict[str, Any] = {}
    if length != len(p):
        fields["length_problem"] = f"header says {length}, packet has {len(p)}"
    facts: dict[str, Any] = {}
    if code == EventCode.VENDOR:
        fields["parameters"] = p.hex()
        return Layer("vendor", "HCI Vendor Event", fields), facts
    try:
        name = EventCode(code).name
    except ValueError:
        name = f"UNKNOWN_EVENT_0x{code:02X}"
    if code == EventCode.LE_META and p:
        return _le_meta(p, fields)
    if code == EventCode.COMMAND_COMPLETE and len(p) >= 3:
        opcode = struct.unpack_from("<H", p, 1)[0]
        fields.update(num_packets=p[0], command=opcode_name(opcode))
        if len(p) >= 4:
            fields["status"] = status_name(p[3])
        fields["return_parameters"] = p[3:].hex()
    elif code == EventCode.COMMAND_STATUS and len(p) >= 4:
        fields.update(
            status=status_name(p[0]),
            num_packets=p[1],
            command=opcode_name(struct.unpack_from("<H", p, 2)[0]),
        )
    elif code == EventCode.DISCONNECTION_COMPLETE and len(p) >= 4:
        handle = struct.unpack_from("<H", p, 1)[0]
        fields.update(status=status_name(p[0]), handle=handle, reason=status_name(p[3]))
        if p[0] == 0:
            facts["closed"] = handle
    elif code == EventCode.CONNECTION_COMPLETE and len(p) >= 11:
        handle = struct.unpack_from("<H", p, 1)[0]
        fields.update(
            status=status_name(p[0]), handle=handle, address=address(p[3:9]), link_type=p[9]
        )
        if p[0] == 0:
            facts["opened"] = {"handle": handle, "peer": address(p[3:9]), "transport": "BR/EDR"}
    elif code in (EventCode.ENCRYPTION_CHANGE_V1, EventCode.ENCRYPTION_CHANGE_V2) and len(p) >= 4:
        handle = struct.unpack_from("<H", p, 1)[0]
        fields.update(status=status_name(p[0]), handle=handle, enabled=p[3])
        facts["encryption"] = {"handle": handle, "status": status_name(p[0]), "enabled": p[3]}
    elif code == EventCode.ENCRYPTION_KEY_REFRESH_COMPLETE and len(p) >= 3:
        fields.update(status=status_name(p[0]), handle=struct.unpack_from("<H", p, 1)[0])
    elif code == EventCode.NUMBER_OF_COMPLETED_PACKETS and p:
        n = p[0]
        pairs = [
            struct.unpack_from("<HH", p, 1 + 4 * i) for i in range(n) if 1 + 4 * i + 4 <= len(p)
        ]
        fields["completed"] = {f"0x{h:04x}": c for h, c in pairs}
    else:
        fields["parameters"] = p.hex()
    return Layer("hci", f"HCI Event: {name}", fields), facts


def _le_meta(p: bytes, fields: dict[str, Any]) -> tuple[Layer, dict[str, Any]]:
    sub, q = p[0], p[1:]
    facts: dict[str, Any] = {}
    try:
        name = LeSubevent(sub).name
    except ValueError:
        name = f"LE_UNKNOWN_SUBEVENT_0x{sub:02X}"
    if (
        sub
        in (
            LeSubevent.LE_CONNECTION_COMPLETE,
            LeSubevent.LE_ENHANCED_CONNECTION_COMPLETE_V1,
            LeSubevent.LE_ENHANCED_CONNECTION_COMPLETE_V2,
        )
        and len(q) >= 18
    ):
        handle = struct.unpack_from("<H", q, 1)[0]
        peer = address(q[5:11])
        fields.update(
            status=status_name(q[0]),
            handle=handle,
            role="central" if q[3] == 0 else "peripheral",
            peer_address_type=q[4],
            peer_address=peer,
        )
        timing = 11 if sub == LeSubevent.LE_CONNECTION_COMPLETE else 23
        if len(q) >= timing + 6:
            interval, latency, timeout = struct.unpack_from("<HHH", q, timing)
            fields.update(interval=interval, latency=latency, supervision_timeout=timeout)
        if q[0] == 0:
            facts["opened"] = {
                "handle": handle,
                "peer": peer,
                "transport": "LE",
                "role": fields["role"],
            }
    elif sub == LeSubevent.LE_ADVERTISING_REPORT and q:
        fields["reports"] = _adv_reports(q)
        return Layer("adv", f"HCI Event: {name}", fields), facts
    elif sub == LeSubevent.LE_EXTENDED_ADVERTISING_REPORT and q:
        fields["reports"] = _ext_adv_reports(q)
        return Layer("adv", f"HCI Event: {name}", fields), facts
    elif sub == LeSubevent.LE_CONNECTION_UPDATE_COMPLETE and len(q) >= 9:
        fields.update(status=status_name(q[0]), handle=struct.unpack_from("<H", q, 1)[0])
        fields.update(
            zip(
                ("interval", "latency", "supervision_timeout"),
                struct.unpack_from("<HHH", q, 3),
                strict=True,
            )
        )
    elif sub == LeSubevent.LE_DATA_LENGTH_CHANGE and len(q) >= 10:
        keys = ("handle", "max_tx_octets", "max_tx_time", "max_rx_octets", "max_rx_time")
        fields.update(zip(keys, struct.unpack_from("<HHHHH", q), strict=True))
    elif sub == LeSubevent.LE_PHY_UPDATE_COMPLETE and len(q) >= 5:
        fields.update(
            status=status_name(q[0]),
            handle=struct.unpack_from("<H", q, 1)[0],
            tx_phy=q[3],
            rx_phy=q[4],
        )
    elif sub == LeSubevent.LE_LONG_TERM_KEY_REQUEST and len(q) >= 12:
        fields.update(
            handle=struct.unpack_from("<H", q)[0],
            rand=q[2:10].hex(),
            ediv=struct.unpack_from("<H", q, 10)[0],
        )
    else:
        fields["parameters"] = q.hex()
    return Layer("hci", f"HCI Event: {name}", fields), facts


def _adv_reports(q: bytes) -> list[dict[str, Any]]:
    """LE Advertising Report (7.7.65.2), reports laid out one after another as controllers send them."""
    reports: list[dict[str, Any]] = []
    pos = 1
    for _ in range(q[0]):
        if pos + 9 > len(q):
            reports.append({"problem": "report truncated"})
            break
        length = q[pos + 8]
        data = q[pos + 9 : pos + 9 + length]
        rssi = q[pos + 9 + length] if pos + 9 + length < len(q) else None
        reports.append(
            {
                "event_type": q[pos],
                "address_type": q[pos + 1],
                "address": address(q[pos + 2 : pos + 8]),
                "rssi": rssi - 256 if rssi is not None and rssi > 127 else rssi,
                "ad": decode_ad(data),
            }
        )
        pos += 10 + length
    return reports


def _ext_adv_reports(q: bytes) -> list[dict[str, Any]]:
    """LE Extended Advertising Report (7.7.65.13): 24 fixed octets then the data, per report."""
    reports: list[dict[str, Any]] = []
    pos = 1
    for _ in range(q[0]):
        if pos + 24 > len(q):
            reports.append({"problem": "report truncated"})
            break
        event_type = struct.unpack_from("<H", q, pos)[0]
        length = q[pos + 23]
        reports.append(
            {
                "event_type": f"0x{event_type:04x}",
                "address_type": q[pos + 2],
                "address": address(q[pos + 3 : pos + 9]),
                "primary_phy": q[pos + 9],
                "secondary_phy": q[pos + 10],
                "sid": q[pos + 11],
                "rssi": struct.unpack_from("<b", q, pos + 13)[0],
                "ad": decode_ad(q[pos + 24 : pos + 24 + length]),
            }
        )
        pos += 24 + length
    return reports
