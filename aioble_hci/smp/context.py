"""What the pairing phase-2 procedures share with the session that runs them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from aioble_hci.address import Address
from aioble_hci.smp.events import SmpEvent
from aioble_hci.smp.methods import MethodChoice, PasskeyRole
from aioble_hci.smp.pdus import PairingRequest, PairingResponse, SmpPdu


@dataclass(frozen=True)
class PairingContext:
    """The outcome of phase 1 (Pairing Feature Exchange, Vol 3 Part H, 2.3)."""

    initiator: bool
    request: PairingRequest
    response: PairingResponse
    initiator_address: Address
    responder_address: Address
    choice: MethodChoice
    key_size: int

    @property
    def local_displays_passkey(self) -> bool:
        role = self.choice.passkey_role
        if self.initiator:
            return role is PasskeyRole.INITIATOR_DISPLAYS
        return role is PasskeyRole.RESPONDER_DISPLAYS


class Phase2Host(Protocol):
    """The session side of a phase-2 procedure."""

    def send(self, pdu: SmpPdu) -> None: ...

    def emit(self, event: SmpEvent) -> None: ...

    def phase2_done(self, key: bytes) -> None:
        """Phase 2 verified: ``key`` is the STK (legacy) or LTK (SC), 16 octets MSB-first."""
