"""A real SMP pairing peer built from raw PDUs and the crypto toolbox (Vol 3 Part H, 2.3 and 3).

The lower tester pairs with the IUT step by step, so a case can break exactly one step (a wrong
confirm, a wrong passkey, an invalid public key, RFU bits) and check how the IUT reacts. Values
are computed MSB-first with `aioble_hci.smp.toolbox` and swapped to on-air order at the PDU.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from aioble_hci.address import Address
from aioble_hci.smp import pdus as sp
from aioble_hci.smp import toolbox as tb

from .link import TesterLink
from .verdicts import CaseFailed

swap = tb.swap


def address_a(address: Address) -> bytes:
    """A1/A2 of f5/f6: the type octet then the address MSB-first (Vol 3 Part H, 2.2.7)."""
    return bytes([1 if address.is_random else 0]) + swap(address.value)


def random16() -> bytes:
    return os.urandom(16)


@dataclass
class Keys:
    """What the IUT distributed in phase 3 (on-air order)."""

    ltk: bytes | None = None
    ediv: int = 0
    rand: bytes = bytes(8)
    irk: bytes | None = None
    identity: Address | None = None
    csrk: bytes | None = None
    order: list[str] = field(default_factory=list)


class PairingPeer:
    """One pairing with the IUT. `initiator` is True when the tester is central."""

    def __init__(self, link: TesterLink, local: Address, peer: Address, initiator: bool = True) -> None:
        self.link = link
        self.local = local
        self.peer = peer
        self.initiator = initiator
        self.request: sp.PairingRequest | None = None
        self.response: sp.PairingResponse | None = None
        self.key_pair: tb.P256KeyPair | None = None
        self.peer_public: tuple[bytes, bytes] | None = None
        self.dh_key: bytes | None = None
        self.stk_or_ltk: bytes | None = None
        self.keys: Keys | None = None

    # --- addresses in initiator/responder order ------------------------------------------------

    @property
    def initiator_address(self) -> Address:
        return self.local if self.initiator else self.peer

    @property
    def responder_address(self) -> Address:
        return self.peer if self.initiator else self.local

    # --- phase 1 --------------------------------------------------------------------------------

    async def exchange_features(self, request: sp.PairingRequest | bytes) -> sp.PairingResponse:
        """As initiator: send Pairing Request (typed or raw bytes); the IUT's Pairing Response."""
        data = self.link.send_smp(request)
        self.request = sp.parse_pdu(data) if isinstance(request, bytes) else request  # type: ignore[assignment]
        pdu = await self.expect(sp.PairingResponse)
        self.response = pdu
        return pdu

    async def answer_features(self, response: sp.PairingResponse, request: sp.PairingRequest | None = None
                              ) -> sp.PairingRequest:
        """As responder: wait for the IUT's Pairing Request (unless given) and answer it."""
        self.request = request or await self.expect(sp.PairingRequest)
        self.response = response
        self.link.send_smp(response)
        return self.request

    async def expect(self, kind: type, timeout: float | None = None) -> Any:
        """The next SMP PDU, which must be `kind` (a Pairing Failed instead fails the case)."""
        pdu = await self.link.expect_smp(timeout=timeout)
        if isinstance(pdu, kind):
            return pdu
        if isinstance(pdu, sp.PairingFailed):
            raise CaseFailed(f"the IUT failed the pairing with {sp.PairingFailedReason(pdu.reason).name} "
                             f"where it should have sent {kind.__name__}")
        raise CaseFailed(f"the IUT sent {type(pdu).__name__} where {kind.__name__} was due")

    async def expect_failed(self, reason: int | None = None, timeout: float | None = None) -> int:
        """The IUT's Pairing Failed (with `reason`, when given)."""
        pdu = await self.link.expect_smp(timeout=timeout)
        if not isinstance(pdu, sp.PairingFailed):
            raise CaseFailed(f"the IUT sent {type(pdu).__name__} where Pairing Failed was due")
        if reason is not None and pdu.reason != reason:
            raise CaseFailed(f"the IUT's Pairing Failed reason is {sp.PairingFailedReason(pdu.reason).name}, "
                             f"the rule requires {sp.PairingFailedReason(reason).name}")
        return int(pdu.reason)

    # --- legacy phase 2 (Vol 3 Part H, 2.3.5.5) --------------------------------------------------

    def c1(self, tk: bytes, rand: bytes) -> bytes:
        assert self.request is not None and self.response is not None
        ia, ra = self.initiator_address, self.responder_address
        return tb.c1(tk, rand, swap(self.request.to_bytes()), swap(self.response.to_bytes()),
                     1 if ia.is_random else 0, swap(ia.value), 1 if ra.is_random else 0, swap(ra.value))

    async def legacy_phase2(self, tk: bytes = bytes(16), confirm: bytes | None = None,
                            rand: bytes | None = None) -> bytes:
        """Exchange confirms and randoms; the STK (MSB-first). `confirm`/`rand` override what the
        tester sends (a wrong value for the BI- cases)."""
        own_rand = random16()
        own_confirm = self.c1(tk, own_rand)
        if self.initiator:
            self.link.send_smp(sp.PairingConfirm(swap(confirm or own_confirm)))
            peer_confirm = swap((await self.expect(sp.PairingConfirm)).confirm_value)
            self.link.send_smp(sp.PairingRandom(swap(rand or own_rand)))
            peer_rand = swap((await self.expect(sp.PairingRandom)).random_value)
        else:
            peer_confirm = swap((await self.expect(sp.PairingConfirm)).confirm_value)
            self.link.send_smp(sp.PairingConfirm(swap(confirm or own_confirm)))
            peer_rand = swap((await self.expect(sp.PairingRandom)).random_value)
        if self.c1(tk, peer_rand) != peer_confirm:
            raise CaseFailed("the IUT's Pairing Random does not match its Pairing Confirm (c1, Vol 3 Part H 2.2.3)")
        if not self.initiator:
            self.link.send_smp(sp.PairingRandom(swap(rand or own_rand)))
        mrand, srand = (own_rand, peer_rand) if self.initiator else (peer_rand, own_rand)
        stk = tb.s1(tk, srand, mrand)
        self.stk_or_ltk = self._shorten(stk)
        return self.stk_or_ltk

    def _shorten(self, key: bytes) -> bytes:
        """Mask the key to the negotiated size (Vol 3 Part H, 2.3.4): MSB-first, so the high octets go."""
        assert self.request is not None and self.response is not None
        size = min(self.request.max_encryption_key_size, self.response.max_encryption_key_size)
        return bytes(16 - size) + key[16 - size:] if 7 <= size < 16 else key

    # --- LE Secure Connections phase 2 (Vol 3 Part H, 2.3.5.6) -------------------------------

    async def exchange_public_keys(self, x: bytes | None = None, y: bytes | None = None) -> tuple[bytes, bytes]:
        """Send our public key (or the given X/Y, MSB-first, for invalid-key cases); the IUT's key (MSB-first)."""
        self.key_pair = tb.P256KeyPair.generate()
        ours = sp.PairingPublicKey(swap(x or self.key_pair.x), swap(y or self.key_pair.y))
        if self.initiator:
            self.link.send_smp(ours)
            theirs = await self.expect(sp.PairingPublicKey)
        else:
            theirs = await self.expect(sp.PairingPublicKey)
            self.link.send_smp(ours)
        self.peer_public = (swap(theirs.x), swap(theirs.y))
        try:
            self.dh_key = self.key_pair.dh_key(*self.peer_public)
        except tb.InvalidPublicKeyError as exc:
            raise CaseFailed(f"the IUT's public key is invalid: {exc}") from None
        return self.peer_public

    @property
    def _pka(self) -> bytes:
        assert self.key_pair is not None and self.peer_public is not None
        return self.key_pair.x if self.initiator else self.peer_public[0]

    @property
    def _pkb(self) -> bytes:
        assert self.key_pair is not None and self.peer_public is not None
        return self.peer_public[0] if self.initiator else self.key_pair.x

    async def sc_nonces(self, passkey: int | None = None, wrong_passkey: bool = False) -> tuple[bytes, bytes]:
        """Just Works (passkey None) or the 20 passkey rounds; returns (Na, Nb) of the last round."""
        rounds = 1 if passkey is None else 20
        na = nb = b""
        for i in range(rounds):
            z = 0 if passkey is None else 0x80 | ((passkey >> i) & 1)
            z_sent = z ^ 1 if wrong_passkey and passkey is not None else z
            own = random16()
            own_x, peer_x = (self._pka, self._pkb) if self.initiator else (self._pkb, self._pka)
            if self.initiator:
                if passkey is not None:
                    self.link.send_smp(sp.PairingConfirm(swap(tb.f4(own_x, peer_x, own, z_sent))))
                peer_confirm = swap((await self.expect(sp.PairingConfirm)).confirm_value)
                self.link.send_smp(sp.PairingRandom(swap(own)))
                peer = swap((await self.expect(sp.PairingRandom)).random_value)
            else:
                if passkey is not None:
                    await self.expect(sp.PairingConfirm)
                self.link.send_smp(sp.PairingConfirm(swap(tb.f4(own_x, peer_x, own, z_sent))))
                peer = swap((await self.expect(sp.PairingRandom)).random_value)
                peer_confirm = b""
                self.link.send_smp(sp.PairingRandom(swap(own)))
            if self.initiator and tb.f4(peer_x, own_x, peer, z) != peer_confirm:
                raise CaseFailed("the IUT's Pairing Random does not match its Pairing Confirm (f4, Vol 3 Part H 2.2.6)")
            na, nb = (own, peer) if self.initiator else (peer, own)
        return na, nb

    def _io(self, features: sp._PairingFeatures) -> bytes:
        return bytes([features.auth_req, features.oob_data_flag, features.io_capability])

    async def dhkey_checks(self, na: bytes, nb: bytes, passkey: int | None = None, corrupt: bool = False) -> bytes:
        """f5 and f6: exchange DHKey checks, verify the IUT's; returns the LTK (MSB-first)."""
        assert self.dh_key is not None and self.request is not None and self.response is not None
        a1, a2 = address_a(self.initiator_address), address_a(self.responder_address)
        mac_key, ltk = tb.f5(self.dh_key, na, nb, a1, a2)
        r = (passkey or 0).to_bytes(16, "big")
        ea = tb.f6(mac_key, na, nb, r, self._io(self.request), a1, a2)
        eb = tb.f6(mac_key, nb, na, r, self._io(self.response), a2, a1)
        own, expected = (ea, eb) if self.initiator else (eb, ea)
        if corrupt:
            own = bytes([own[0] ^ 0xFF]) + own[1:]
        if self.initiator:
            self.link.send_smp(sp.PairingDhKeyCheck(swap(own)))
            peer = swap((await self.expect(sp.PairingDhKeyCheck)).dhkey_check)
        else:
            peer = swap((await self.expect(sp.PairingDhKeyCheck)).dhkey_check)
        if peer != expected:
            raise CaseFailed("the IUT's DHKey check value is wrong (f6, Vol 3 Part H 2.2.8)")
        if not self.initiator:
            self.link.send_smp(sp.PairingDhKeyCheck(swap(own)))
        self.stk_or_ltk = self._shorten(ltk)
        return self.stk_or_ltk

    # --- encryption and phase 3 ------------------------------------------------------------------

    async def encrypt(self, key: bytes | None = None, ediv: int = 0, rand: bytes = bytes(8)) -> None:
        """Start encryption with the phase 2 key (as central) or arm the LTK reply (as peripheral)."""
        key = key or self.stk_or_ltk
        assert key is not None
        if self.initiator:
            event = await self.link.start_encryption(swap(key), ediv, rand)
        else:
            self.link.ltk = swap(key)
            event = await self.link.wait_event("encryption")
        if event.detail.get("status") or not event.detail.get("enabled"):
            raise CaseFailed(f"encryption with the pairing key failed (status 0x{event.detail.get('status', 0):02X})")

    async def receive_keys(self, timeout: float | None = None) -> Keys:
        """Collect the keys the IUT owes in phase 3 (responder's keys when we initiated), in order."""
        assert self.request is not None and self.response is not None
        dist = self.response.responder_key_distribution if self.initiator else self.request.initiator_key_distribution
        dist &= self.request.responder_key_distribution if self.initiator else self.response.initiator_key_distribution
        sc = bool(self.request.auth_req & self.response.auth_req & sp.AuthReq.SC)
        wanted: list[type] = []
        if dist & sp.KeyDistribution.ENC_KEY and not sc:
            wanted += [sp.EncryptionInformation, sp.CentralIdentification]
        if dist & sp.KeyDistribution.ID_KEY:
            wanted += [sp.IdentityInformation, sp.IdentityAddressInformation]
        if dist & sp.KeyDistribution.SIGN_KEY:
            wanted += [sp.SigningInformation]
        keys = Keys()
        for kind in wanted:
            pdu = await self.expect(kind, timeout)
            keys.order.append(kind.__name__)
            if isinstance(pdu, sp.EncryptionInformation):
                keys.ltk = pdu.long_term_key
            elif isinstance(pdu, sp.CentralIdentification):
                keys.ediv, keys.rand = pdu.ediv, pdu.rand
            elif isinstance(pdu, sp.IdentityInformation):
                keys.irk = pdu.identity_resolving_key
            elif isinstance(pdu, sp.IdentityAddressInformation):
                keys.identity = pdu.identity_address
            elif isinstance(pdu, sp.SigningInformation):
                keys.csrk = pdu.signature_key
        self.keys = keys
        return keys


def pairing_request(io: sp.IoCapability = sp.IoCapability.NO_INPUT_NO_OUTPUT, auth: int = sp.AuthReq.BONDING,
                    max_key: int = 16, ikd: int = 0, rkd: int = 0x07) -> sp.PairingRequest:
    return sp.PairingRequest(io, sp.OobDataFlag.OOB_AUTH_DATA_NOT_PRESENT, auth, max_key, ikd, rkd)


def pairing_response(request: sp.PairingRequest, io: sp.IoCapability = sp.IoCapability.NO_INPUT_NO_OUTPUT,
                     auth: int = sp.AuthReq.BONDING, max_key: int = 16) -> sp.PairingResponse:
    return sp.PairingResponse(io, sp.OobDataFlag.OOB_AUTH_DATA_NOT_PRESENT, auth, max_key,
                              request.initiator_key_distribution & 0, request.responder_key_distribution & 0x07)
