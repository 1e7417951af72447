"""SMP PDUs for display (Core Vol 3 Part H, 3.5-3.6), decoded by aioble_hci.smp.pdus."""

from __future__ import annotations

from enum import Enum
from typing import Any

from aioble_hci.capture.decode.layer import Layer, error_layer, jsonable
from aioble_hci.smp import pdus as smp

_SPECIAL_WORDS = {"Dhkey": "DHKey", "Br": "BR", "Edr": "EDR"}


def code_name(code: int) -> str:
    """'Pairing Request' for 0x01 (the spec's names, Vol 3 Part H, 3.3, Table 3.1)."""
    try:
        member = smp.SmpCode(code)
    except ValueError:
        return f"Unknown SMP code 0x{code:02x}"
    return " ".join(_SPECIAL_WORDS.get(w, w) for w in member.name.title().split("_"))


def _camel(member: Enum) -> str:
    """NO_INPUT_NO_OUTPUT -> NoInputNoOutput, as Wireshark and btmon print IO capabilities."""
    return "".join(word.capitalize() for word in str(member.name).split("_"))


def _auth_req(value: int) -> dict[str, Any]:
    """AuthReq bits (Vol 3 Part H, 3.5.1, Figure 3.3); bonding is the 2-bit Bonding_Flags."""
    flags = smp.AuthReq.known(value)
    return {
        "bonding": bool(value & 0x03),
        "mitm": smp.AuthReq.MITM in flags,
        "sc": smp.AuthReq.SC in flags,
        "keypress": smp.AuthReq.KEYPRESS in flags,
        "ct2": smp.AuthReq.CT2 in flags,
    }


def _key_dist(value: int) -> list[str]:
    known = smp.KeyDistribution.known(value)
    return [_camel(bit) for bit in smp.KeyDistribution if bit in known]


def decode_smp(pdu: bytes) -> Layer:
    """The SMP layer: code name and the PDU's fields; a bad PDU shows its raw bytes and why."""
    if not pdu:
        return error_layer("SMP", "empty PDU", pdu)
    name = code_name(pdu[0])
    try:
        decoded = smp.parse_pdu(pdu)
    except smp.SmpDecodeError as exc:
        return error_layer(f"SMP {name}", exc, pdu)
    fields: dict[str, Any] = {"code": pdu[0]}
    if isinstance(decoded, (smp.PairingRequest, smp.PairingResponse)):
        fields.update(
            io_capability=_camel(decoded.io_capability),
            oob=bool(decoded.oob_data_flag),
            auth_req=_auth_req(decoded.auth_req),
            max_key_size=decoded.max_encryption_key_size,
            initiator_keys=_key_dist(decoded.initiator_key_distribution),
            responder_keys=_key_dist(decoded.responder_key_distribution),
        )
    elif isinstance(decoded, smp.PairingFailed):
        fields["reason"] = smp.PairingFailedReason(decoded.reason).name
    elif isinstance(decoded, smp.SecurityRequest):
        fields["auth_req"] = _auth_req(decoded.auth_req)
    elif isinstance(decoded, smp.IdentityAddressInformation):
        fields.update(
            address_type=decoded.address_type,
            address=str(decoded.identity_address),
        )
    else:
        fields.update(jsonable(decoded))
    return Layer("smp", f"SMP {name}", fields)
