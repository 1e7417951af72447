"""SMP PDUs for display (Core Vol 3 Part H, 3.5-3.6).

TODO: switch to aioble_hci.smp.pdus once it exists; this is a display-only decode.
"""

from __future__ import annotations

from typing import Any

from aioble_hci.capture.decode.layer import Layer, error_layer

CODES = {
    0x01: "Pairing Request",
    0x02: "Pairing Response",
    0x03: "Pairing Confirm",
    0x04: "Pairing Random",
    0x05: "Pairing Failed",
    0x06: "Encryption Information",
    0x07: "Central Identification",
    0x08: "Identity Information",
    0x09: "Identity Address Information",
    0x0A: "Signing Information",
    0x0B: "Security Request",
    0x0C: "Pairing Public Key",
    0x0D: "Pairing DHKey Check",
    0x0E: "Keypress Notification",
}
REASONS = {
    0x01: "Passkey Entry Failed",
    0x02: "OOB Not Available",
    0x03: "Authentication Requirements",
    0x04: "Confirm Value Failed",
    0x05: "Pairing Not Supported",
    0x06: "Encryption Key Size",
    0x07: "Command Not Supported",
    0x08: "Unspecified Reason",
    0x09: "Repeated Attempts",
    0x0A: "Invalid Parameters",
    0x0B: "DHKey Check Failed",
    0x0C: "Numeric Comparison Failed",
    0x0D: "BR/EDR Pairing In Progress",
    0x0E: "Cross-transport Key Derivation/Generation Not Allowed",
    0x0F: "Key Rejected",
}
IO_CAPABILITIES = {
    0: "DisplayOnly",
    1: "DisplayYesNo",
    2: "KeyboardOnly",
    3: "NoInputNoOutput",
    4: "KeyboardDisplay",
}
_VALUE_LEN = {0x03: 16, 0x04: 16, 0x06: 16, 0x08: 16, 0x0A: 16, 0x0D: 16, 0x0C: 64}


def _auth_req(value: int) -> dict[str, Any]:
    """AuthReq bits (Vol 3 Part H, 3.5.1, Figure 3.3)."""
    return {
        "bonding": bool(value & 0x03),
        "mitm": bool(value & 0x04),
        "sc": bool(value & 0x08),
        "keypress": bool(value & 0x10),
        "ct2": bool(value & 0x20),
    }


def _key_dist(value: int) -> list[str]:
    return [
        name
        for bit, name in ((1, "EncKey"), (2, "IdKey"), (4, "SignKey"), (8, "LinkKey"))
        if value & bit
    ]


def decode_smp(pdu: bytes) -> Layer:
    if not pdu:
        return error_layer("SMP", "empty PDU", pdu)
    code, body = pdu[0], pdu[1:]
    name = CODES.get(code, f"Unknown SMP code 0x{code:02x}")
    fields: dict[str, Any] = {"code": code}
    if code in (0x01, 0x02):
        if len(body) != 6:
            return error_layer(f"SMP {name}", f"{len(body)} octets, expected 6", pdu)
        fields.update(
            io_capability=IO_CAPABILITIES.get(body[0], body[0]),
            oob=bool(body[1]),
            auth_req=_auth_req(body[2]),
            max_key_size=body[3],
            initiator_keys=_key_dist(body[4]),
            responder_keys=_key_dist(body[5]),
        )
    elif code == 0x05:
        if len(body) != 1:
            return error_layer(f"SMP {name}", f"{len(body)} octets, expected 1", pdu)
        fields["reason"] = REASONS.get(body[0], f"0x{body[0]:02x}")
    elif code == 0x0B:
        if len(body) != 1:
            return error_layer(f"SMP {name}", f"{len(body)} octets, expected 1", pdu)
        fields["auth_req"] = _auth_req(body[0])
    elif code == 0x07:
        if len(body) != 10:
            return error_layer(f"SMP {name}", f"{len(body)} octets, expected 10", pdu)
        fields.update(ediv=int.from_bytes(body[:2], "little"), rand=body[2:].hex())
    elif code == 0x09:
        if len(body) != 7:
            return error_layer(f"SMP {name}", f"{len(body)} octets, expected 7", pdu)
        fields.update(
            address_type=body[0], address=":".join(f"{b:02x}" for b in reversed(body[1:]))
        )
    elif code in _VALUE_LEN:
        if len(body) != _VALUE_LEN[code]:
            return error_layer(
                f"SMP {name}", f"{len(body)} octets, expected {_VALUE_LEN[code]}", pdu
            )
        if code == 0x0C:
            fields.update(x=body[:32].hex(), y=body[32:].hex())
        else:
            fields["value"] = body.hex()
    else:
        fields["parameters"] = body.hex()
    return Layer("smp", f"SMP {name}", fields)
