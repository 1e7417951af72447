"""Pairing method selection (Core Vol 3 Part H, 2.3.5.1, tables 2.6-2.8)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from aioble_hci.smp.pdus import IoCapability


class PairingMethod(Enum):
    """The association models of phase 2 (Vol 3 Part H, 2.3.5.1)."""

    JUST_WORKS = "just-works"
    PASSKEY_ENTRY = "passkey-entry"
    NUMERIC_COMPARISON = "numeric-comparison"
    OOB = "oob"


class PasskeyRole(Enum):
    """Who shows the passkey and who types it (Passkey Entry only)."""

    INITIATOR_DISPLAYS = "initiator-displays"  # responder inputs
    RESPONDER_DISPLAYS = "responder-displays"  # initiator inputs
    BOTH_INPUT = "both-input"


@dataclass(frozen=True)
class MethodChoice:
    """The method the IO capabilities and flags select, and who displays the passkey (Tables 2.7, 2.8)."""

    method: PairingMethod
    passkey_role: PasskeyRole | None = None

    @property
    def authenticated(self) -> bool:
        """Only Just Works gives unauthenticated (no MITM protection) keys (Vol 3 Part H, 2.3.1)."""
        return self.method is not PairingMethod.JUST_WORKS


_JW = MethodChoice(PairingMethod.JUST_WORKS)
_NC = MethodChoice(PairingMethod.NUMERIC_COMPARISON)
_I_DISP = MethodChoice(PairingMethod.PASSKEY_ENTRY, PasskeyRole.INITIATOR_DISPLAYS)
_R_DISP = MethodChoice(PairingMethod.PASSKEY_ENTRY, PasskeyRole.RESPONDER_DISPLAYS)
_BOTH = MethodChoice(PairingMethod.PASSKEY_ENTRY, PasskeyRole.BOTH_INPUT)

_D = IoCapability.DISPLAY_ONLY
_DYN = IoCapability.DISPLAY_YES_NO
_K = IoCapability.KEYBOARD_ONLY
_NIO = IoCapability.NO_INPUT_NO_OUTPUT
_KD = IoCapability.KEYBOARD_DISPLAY

# Table 2.8, indexed [responder][initiator]; each entry is (legacy, secure connections).
_TABLE: dict[IoCapability, dict[IoCapability, tuple[MethodChoice, MethodChoice]]] = {
    _D: {
        _D: (_JW, _JW),
        _DYN: (_JW, _JW),
        _K: (_R_DISP, _R_DISP),
        _NIO: (_JW, _JW),
        _KD: (_R_DISP, _R_DISP),
    },
    _DYN: {
        _D: (_JW, _JW),
        _DYN: (_JW, _NC),
        _K: (_R_DISP, _R_DISP),
        _NIO: (_JW, _JW),
        _KD: (_R_DISP, _NC),
    },
    _K: {
        _D: (_I_DISP, _I_DISP),
        _DYN: (_I_DISP, _I_DISP),
        _K: (_BOTH, _BOTH),
        _NIO: (_JW, _JW),
        _KD: (_I_DISP, _I_DISP),
    },
    _NIO: {io: (_JW, _JW) for io in IoCapability},
    _KD: {
        _D: (_I_DISP, _I_DISP),
        _DYN: (_I_DISP, _NC),
        _K: (_R_DISP, _R_DISP),
        _NIO: (_JW, _JW),
        _KD: (_I_DISP, _NC),
    },
}


def select_method(
    *,
    secure_connections: bool,
    initiator_io: IoCapability,
    responder_io: IoCapability,
    initiator_oob: bool,
    responder_oob: bool,
    initiator_mitm: bool,
    responder_mitm: bool,
) -> MethodChoice:
    """Choose the pairing method from both sides' Pairing Request/Response features.

    Legacy (table 2.6): OOB when both OOB flags are set. Secure Connections (table 2.7): OOB when
    either is set. Otherwise Just Works when neither side asks for MITM, else table 2.8.
    """
    if secure_connections and (initiator_oob or responder_oob):
        return MethodChoice(PairingMethod.OOB)
    if not secure_connections and initiator_oob and responder_oob:
        return MethodChoice(PairingMethod.OOB)
    if not (initiator_mitm or responder_mitm):
        return _JW
    legacy, sc = _TABLE[responder_io][initiator_io]
    return sc if secure_connections else legacy
