"""LE Secure Connections phase 2 (Core Vol 3 Part H, 2.3.5.6): public keys, authentication stage 1
(Just Works / Numeric Comparison, Passkey Entry, OOB), then DHKey checks (stage 2) and the LTK.

Every received public key is validated before use (on the curve, not our own key or X
coordinate, not the debug key unless allowed): a bad key fails with DHKey Check Failed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum, auto

from aioble_hci.address import Address
from aioble_hci.smp import toolbox
from aioble_hci.smp.context import PairingContext, Phase2Host
from aioble_hci.smp.entropy import RandomSource, random_passkey, system_random
from aioble_hci.smp.events import NumericComparison, PasskeyDisplay, PasskeyRequest
from aioble_hci.smp.methods import PairingMethod
from aioble_hci.smp.pdus import (
    PairingConfirm,
    PairingDhKeyCheck,
    PairingError,
    PairingFailedReason,
    PairingPublicKey,
    PairingRandom,
    SmpPdu,
)
from aioble_hci.smp.toolbox import InvalidPublicKeyError, P256KeyPair

log = logging.getLogger(__name__)

PASSKEY_ROUNDS = 20


@dataclass(frozen=True)
class OobData:
    """LE SC OOB data (Vol 3 Part H, 2.3.5.6.4): random r and confirm C, 16 octets MSB-first."""

    r: bytes
    c: bytes


@dataclass(frozen=True)
class LocalOob:
    """Our OOB data and the key pair it commits to: that key pair must be used for the pairing."""

    key_pair: P256KeyPair
    data: OobData

    @classmethod
    def generate(cls, key_pair: P256KeyPair | None = None, random: RandomSource = system_random) -> LocalOob:
        """Fresh r and C = f4(PKx, PKx, r, 0) to hand to the peer out of band."""
        pair = key_pair or P256KeyPair.generate()
        r = random(16)
        return cls(pair, OobData(r, toolbox.f4(pair.x, pair.x, r, 0)))


def address_a(address: Address) -> bytes:
    """The 56-bit A1/A2 value of f5/f6: type octet then address, MSB-first (2.2.7)."""
    return bytes([1 if address.is_random else 0]) + toolbox.swap(address.value)


def io_cap_value(auth_req: int, oob: int, io: int) -> bytes:
    """IOcapA/IOcapB of f6: AuthReq, OOB data flag, IO capability, MSB-first (2.2.8)."""
    return bytes([auth_req, oob, io])


class _Stage(Enum):
    PUBLIC_KEY = auto()
    CONFIRM = auto()
    RANDOM = auto()
    DHKEY_CHECK = auto()
    DONE = auto()


class SecureConnectionsPairing:
    """One run of LE SC phase 2 for the initiator or the responder."""

    def __init__(
        self,
        context: PairingContext,
        host: Phase2Host,
        *,
        key_pair: P256KeyPair,
        local_oob: LocalOob | None = None,
        peer_oob: OobData | None = None,
        allow_debug_keys: bool = False,
        random: RandomSource = system_random,
    ) -> None:
        self._ctx = context
        self._random = random
        self._host = host
        self._pair = local_oob.key_pair if local_oob else key_pair
        self._local_oob = local_oob
        self._peer_oob = peer_oob
        self._allow_debug_keys = allow_debug_keys
        self._method = context.choice.method
        self._stage = _Stage.PUBLIC_KEY
        self._peer_x = b""
        self._dh_key = b""
        self._passkey: int | None = None
        self._round = 0
        self._local_nonce = b""
        self._peer_nonce = b""
        self._local_confirm: bytes | None = None
        self._peer_confirm: bytes | None = None
        self._user_confirmed = self._method is not PairingMethod.NUMERIC_COMPARISON
        self._peer_check: bytes | None = None
        self._check_sent = False

    # -- helpers ---------------------------------------------------------------------------------
    @property
    def _pka_x(self) -> bytes:
        return self._pair.x if self._ctx.initiator else self._peer_x

    @property
    def _pkb_x(self) -> bytes:
        return self._peer_x if self._ctx.initiator else self._pair.x

    def _z(self) -> int:
        if self._method is PairingMethod.PASSKEY_ENTRY:
            assert self._passkey is not None
            return 0x80 | ((self._passkey >> self._round) & 1)
        return 0

    def _commit(self, nonce: bytes) -> bytes:
        """Our confirm value: f4(PKlocal, PKpeer, N, z) (2.3.5.6.2-3)."""
        return toolbox.f4(self._pair.x, self._peer_x, nonce, self._z())

    def _peer_commit(self, nonce: bytes) -> bytes:
        return toolbox.f4(self._peer_x, self._pair.x, nonce, self._z())

    def _unexpected(self, pdu: SmpPdu) -> PairingError:
        return PairingError(
            PairingFailedReason.UNSPECIFIED_REASON,
            f"unexpected {type(pdu).__name__} in LE SC {self._method.value} at {self._stage.name}",
        )

    # -- entry points ----------------------------------------------------------------------------
    @property
    def waiting_for_passkey(self) -> bool:
        return self._method is PairingMethod.PASSKEY_ENTRY and self._passkey is None

    @property
    def waiting_for_confirmation(self) -> bool:
        return not self._user_confirmed and self._stage is _Stage.DHKEY_CHECK

    def start(self) -> None:
        if self._method is PairingMethod.PASSKEY_ENTRY:
            if self._ctx.local_displays_passkey:
                self._passkey = random_passkey(self._random)
                self._host.emit(PasskeyDisplay(self._passkey))
            else:
                self._host.emit(PasskeyRequest())
        if self._method is PairingMethod.OOB and self._peer_oob_flag and self._local_oob is None:
            raise PairingError(
                PairingFailedReason.OOB_NOT_AVAILABLE, "peer has OOB data we never made"
            )
        if self._ctx.initiator:
            self._send_public_key()

    @property
    def _peer_oob_flag(self) -> bool:
        peer = self._ctx.response if self._ctx.initiator else self._ctx.request
        return bool(peer.oob_data_flag)

    def passkey_reply(self, passkey: int) -> None:
        if not self.waiting_for_passkey:
            raise PairingError(PairingFailedReason.UNSPECIFIED_REASON, "no passkey was asked for")
        self._passkey = passkey
        if self._stage is _Stage.CONFIRM:
            self._passkey_round_confirm()

    def numeric_comparison_reply(self, accept: bool) -> None:
        if self._user_confirmed or self._method is not PairingMethod.NUMERIC_COMPARISON:
            raise PairingError(
                PairingFailedReason.UNSPECIFIED_REASON, "no comparison was asked for"
            )
        if not accept:
            raise PairingError(PairingFailedReason.NUMERIC_COMPARISON_FAILED, "user rejected")
        self._user_confirmed = True
        if self._stage is _Stage.DHKEY_CHECK:
            self._dhkey_check_progress()

    def receive(self, pdu: SmpPdu) -> None:
        if isinstance(pdu, PairingPublicKey) and self._stage is _Stage.PUBLIC_KEY:
            self._on_public_key(pdu)
        elif isinstance(pdu, PairingConfirm) and self._stage is _Stage.CONFIRM:
            self._on_confirm(toolbox.swap(pdu.confirm_value))
        elif isinstance(pdu, PairingRandom) and self._stage is _Stage.RANDOM:
            self._on_random(toolbox.swap(pdu.random_value))
        elif isinstance(pdu, PairingDhKeyCheck) and self._stage is _Stage.DHKEY_CHECK:
            if (self._ctx.initiator and not self._check_sent) or self._peer_check is not None:
                raise self._unexpected(pdu)
            self._peer_check = toolbox.swap(pdu.dhkey_check)
            self._dhkey_check_progress()
        else:
            raise self._unexpected(pdu)

    # -- public key exchange (2.3.5.6.1) -----------------------------------------------------------
    def _send_public_key(self) -> None:
        self._host.send(PairingPublicKey(toolbox.swap(self._pair.x), toolbox.swap(self._pair.y)))

    def _on_public_key(self, pdu: PairingPublicKey) -> None:
        x, y = toolbox.swap(pdu.x), toolbox.swap(pdu.y)
        if (
            x == toolbox.DEBUG_PUBLIC_X
            and y == toolbox.DEBUG_PUBLIC_Y
            and not self._allow_debug_keys
        ):
            raise PairingError(
                PairingFailedReason.AUTHENTICATION_REQUIREMENTS, "peer uses the debug key"
            )
        try:
            self._dh_key = self._pair.dh_key(x, y)
        except InvalidPublicKeyError as error:
            raise PairingError(PairingFailedReason.DHKEY_CHECK_FAILED, str(error)) from None
        self._peer_x = x
        if not self._ctx.initiator:
            self._send_public_key()
        if self._method is PairingMethod.OOB:
            self._check_peer_oob()
            self._stage = _Stage.RANDOM
            if self._ctx.initiator:
                self._send_nonce()
        elif self._method is PairingMethod.PASSKEY_ENTRY:
            self._stage = _Stage.CONFIRM
            if self._ctx.initiator:
                self._passkey_round_confirm()
        elif self._ctx.initiator:  # Just Works / Numeric Comparison: responder commits first
            self._stage = _Stage.CONFIRM
        else:
            self._local_nonce = self._random(16)
            self._local_confirm = self._commit(self._local_nonce)
            self._host.send(PairingConfirm(toolbox.swap(self._local_confirm)))
            self._stage = _Stage.RANDOM

    def _check_peer_oob(self) -> None:
        if self._peer_oob is None:
            return
        if toolbox.f4(self._peer_x, self._peer_x, self._peer_oob.r, 0) != self._peer_oob.c:
            raise PairingError(
                PairingFailedReason.CONFIRM_VALUE_FAILED, "peer OOB confirm mismatch"
            )

    def _send_nonce(self) -> None:
        self._local_nonce = self._random(16)
        self._host.send(PairingRandom(toolbox.swap(self._local_nonce)))

    # -- authentication stage 1 --------------------------------------------------------------------
    def _passkey_round_confirm(self) -> None:
        """Send our commitment for this round once the passkey is known (2.3.5.6.3)."""
        if self._passkey is None or self._local_confirm is not None:
            return
        if not self._ctx.initiator and self._peer_confirm is None:
            return
        self._local_nonce = self._random(16)
        self._local_confirm = self._commit(self._local_nonce)
        self._host.send(PairingConfirm(toolbox.swap(self._local_confirm)))
        if not self._ctx.initiator:
            self._stage = _Stage.RANDOM

    def _on_confirm(self, confirm: bytes) -> None:
        if (
            self._ctx.initiator
            and self._method is PairingMethod.PASSKEY_ENTRY
            and self._local_confirm is None
        ):
            raise PairingError(PairingFailedReason.UNSPECIFIED_REASON, "confirm before ours")
        if self._peer_confirm is not None:
            raise PairingError(PairingFailedReason.UNSPECIFIED_REASON, "second confirm in a round")
        if confirm == self._local_confirm:
            raise PairingError(
                PairingFailedReason.CONFIRM_VALUE_FAILED, "peer reflected our confirm"
            )
        self._peer_confirm = confirm
        if self._ctx.initiator:
            if self._method is not PairingMethod.PASSKEY_ENTRY:
                self._local_nonce = self._random(16)
            self._host.send(PairingRandom(toolbox.swap(self._local_nonce)))
            self._stage = _Stage.RANDOM
        else:
            self._passkey_round_confirm()

    def _on_random(self, nonce: bytes) -> None:
        if self._ctx.initiator and self._method is PairingMethod.OOB and not self._local_nonce:
            raise PairingError(PairingFailedReason.UNSPECIFIED_REASON, "random before ours")
        if self._peer_confirm is not None and self._peer_commit(nonce) != self._peer_confirm:
            raise PairingError(PairingFailedReason.CONFIRM_VALUE_FAILED, "confirm mismatch")
        if not self._ctx.initiator and self._method is PairingMethod.OOB:
            self._local_nonce = self._random(16)
        if not self._ctx.initiator:
            self._host.send(PairingRandom(toolbox.swap(self._local_nonce)))
        self._peer_nonce = nonce
        if self._method is PairingMethod.PASSKEY_ENTRY:
            self._round += 1
            if self._round < PASSKEY_ROUNDS:
                self._local_confirm = None
                self._peer_confirm = None
                self._stage = _Stage.CONFIRM
                if self._ctx.initiator:
                    self._passkey_round_confirm()
                return
        self._stage = _Stage.DHKEY_CHECK
        if self._method is PairingMethod.NUMERIC_COMPARISON:
            na, nb = self._nonces()
            value = toolbox.g2(self._pka_x, self._pkb_x, na, nb) % 1_000_000
            self._host.emit(NumericComparison(value))
        self._dhkey_check_progress()

    def _nonces(self) -> tuple[bytes, bytes]:
        if self._ctx.initiator:
            return self._local_nonce, self._peer_nonce
        return self._peer_nonce, self._local_nonce

    # -- authentication stage 2 (2.3.5.6.5) --------------------------------------------------------
    def _r_values(self) -> tuple[bytes, bytes]:
        """(r for our check value, r for the peer's): the passkey, the OOB r values, or zero."""
        if self._method is PairingMethod.PASSKEY_ENTRY:
            assert self._passkey is not None
            value = self._passkey.to_bytes(16, "big")
            return value, value
        if self._method is PairingMethod.OOB:
            peer_r = self._peer_oob.r if self._peer_oob is not None else bytes(16)
            local_r = (
                self._local_oob.data.r
                if self._local_oob is not None and self._peer_oob_flag
                else bytes(16)
            )
            return peer_r, local_r
        return bytes(16), bytes(16)

    def _dhkey_check_progress(self) -> None:
        if not self._user_confirmed:
            return
        ctx = self._ctx
        na, nb = self._nonces()
        a, b = address_a(ctx.initiator_address), address_a(ctx.responder_address)
        mac_key, ltk = toolbox.f5(self._dh_key, na, nb, a, b)
        req, rsp = ctx.request, ctx.response
        io_a = io_cap_value(req.auth_req, req.oob_data_flag, req.io_capability)
        io_b = io_cap_value(rsp.auth_req, rsp.oob_data_flag, rsp.io_capability)
        r_local, r_peer = self._r_values()
        if ctx.initiator:
            local_check = toolbox.f6(mac_key, na, nb, r_local, io_a, a, b)
            peer_check = toolbox.f6(mac_key, nb, na, r_peer, io_b, b, a)
        else:
            local_check = toolbox.f6(mac_key, nb, na, r_local, io_b, b, a)
            peer_check = toolbox.f6(mac_key, na, nb, r_peer, io_a, a, b)
        if ctx.initiator and not self._check_sent:
            self._check_sent = True
            self._host.send(PairingDhKeyCheck(toolbox.swap(local_check)))
            return
        if self._peer_check is None:
            return
        if self._peer_check != peer_check:
            raise PairingError(PairingFailedReason.DHKEY_CHECK_FAILED, "DHKey check mismatch")
        if not ctx.initiator:
            self._host.send(PairingDhKeyCheck(toolbox.swap(local_check)))
        self._stage = _Stage.DONE
        self._host.phase2_done(ltk)
