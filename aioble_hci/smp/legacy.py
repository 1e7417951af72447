"""LE legacy pairing phase 2: TK, confirm and random exchange, STK (Core Vol 3 Part H, 2.3.5).

Just Works (TK = 0) and Passkey Entry (TK = a fresh random six-digit passkey, 2.3.5.3). Legacy
OOB is not supported: choosing it fails with OOB Not Available.
"""

from __future__ import annotations

import logging

from aioble_hci.address import Address
from aioble_hci.smp import toolbox
from aioble_hci.smp.context import PairingContext, Phase2Host
from aioble_hci.smp.entropy import RandomSource, random_passkey, system_random
from aioble_hci.smp.events import PasskeyDisplay, PasskeyRequest
from aioble_hci.smp.methods import PairingMethod
from aioble_hci.smp.pdus import (
    PairingConfirm,
    PairingError,
    PairingFailedReason,
    PairingRandom,
    SmpPdu,
)

log = logging.getLogger(__name__)


def _address_parts(address: Address) -> tuple[int, bytes]:
    return (1 if address.is_random else 0), toolbox.swap(address.value)


class LegacyPairing:
    """One run of legacy phase 2 for the initiator or the responder."""

    def __init__(self, context: PairingContext, host: Phase2Host, random: RandomSource = system_random) -> None:
        self._ctx = context
        self._host = host
        self._tk: bytes | None = None
        self._draw = random
        self._random = random(16)  # MSB-first
        self._local_confirm: bytes | None = None
        self._peer_confirm: bytes | None = None
        self._done = False

    @property
    def waiting_for_passkey(self) -> bool:
        return self._tk is None and self._ctx.choice.method is PairingMethod.PASSKEY_ENTRY

    def start(self) -> None:
        method = self._ctx.choice.method
        if method is PairingMethod.JUST_WORKS:
            self._tk = bytes(16)
        elif method is PairingMethod.PASSKEY_ENTRY:
            if self._ctx.local_displays_passkey:
                passkey = random_passkey(self._draw)
                self._tk = passkey.to_bytes(16, "big")
                self._host.emit(PasskeyDisplay(passkey))
            else:
                self._host.emit(PasskeyRequest())
        else:
            raise PairingError(PairingFailedReason.OOB_NOT_AVAILABLE, "legacy OOB is not supported")
        self._maybe_send_confirm()

    def passkey_reply(self, passkey: int) -> None:
        if not self.waiting_for_passkey:
            raise PairingError(PairingFailedReason.UNSPECIFIED_REASON, "no passkey was asked for")
        self._tk = passkey.to_bytes(16, "big")
        self._maybe_send_confirm()

    def _confirm(self, random_msb: bytes) -> bytes:
        assert self._tk is not None
        iat, ia = _address_parts(self._ctx.initiator_address)
        rat, ra = _address_parts(self._ctx.responder_address)
        return toolbox.c1(
            self._tk,
            random_msb,
            toolbox.swap(self._ctx.request.to_bytes()),
            toolbox.swap(self._ctx.response.to_bytes()),
            iat,
            ia,
            rat,
            ra,
        )

    def _maybe_send_confirm(self) -> None:
        if self._tk is None or self._local_confirm is not None:
            return
        if not self._ctx.initiator and self._peer_confirm is None:
            return  # the responder answers the initiator's confirm (2.3.5.5)
        self._local_confirm = self._confirm(self._random)
        if self._peer_confirm == self._local_confirm:
            raise PairingError(
                PairingFailedReason.CONFIRM_VALUE_FAILED, "peer reflected our confirm"
            )
        self._host.send(PairingConfirm(toolbox.swap(self._local_confirm)))

    def receive(self, pdu: SmpPdu) -> None:
        if isinstance(pdu, PairingConfirm) and self._peer_confirm is None:
            if self._ctx.initiator and self._local_confirm is None:
                raise PairingError(PairingFailedReason.UNSPECIFIED_REASON, "confirm before ours")
            self._peer_confirm = toolbox.swap(pdu.confirm_value)
            if self._peer_confirm == self._local_confirm:
                # SM/CEN/JW/BI-06-C, SM/CEN/PKE/BI-03-C: abort on our own confirm reflected.
                raise PairingError(
                    PairingFailedReason.CONFIRM_VALUE_FAILED, "peer reflected our confirm"
                )
            if self._ctx.initiator:
                self._host.send(PairingRandom(toolbox.swap(self._random)))
            else:
                self._maybe_send_confirm()
            return
        if isinstance(pdu, PairingRandom) and self._ready_for_random():
            peer_random = toolbox.swap(pdu.random_value)
            if self._confirm(peer_random) != self._peer_confirm:
                raise PairingError(PairingFailedReason.CONFIRM_VALUE_FAILED, "confirm mismatch")
            if not self._ctx.initiator:
                self._host.send(PairingRandom(toolbox.swap(self._random)))
            assert self._tk is not None
            if self._ctx.initiator:
                stk = toolbox.s1(self._tk, peer_random, self._random)
            else:
                stk = toolbox.s1(self._tk, self._random, peer_random)
            self._done = True
            self._host.phase2_done(stk)
            return
        raise PairingError(
            PairingFailedReason.UNSPECIFIED_REASON,
            f"unexpected {type(pdu).__name__} in legacy pairing",
        )

    def _ready_for_random(self) -> bool:
        return not self._done and self._peer_confirm is not None and self._local_confirm is not None
