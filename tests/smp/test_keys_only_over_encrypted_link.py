"""Distributed keys are taken only over the encrypted link (Core Vol 3 Part H, 3.6.1).

"The keys shall be distributed only after the link has been encrypted": a key PDU that reaches
either role before its Encryption Change is plaintext on air and may be forged by anyone in
range, so it must never end up in a bond. The IUT refuses it with Pairing Failed Key Rejected
(0x0F, 3.5.5: the device chose not to accept a distributed key). On a transport that can
deliver ACL data ahead of the Encryption Change event (USB), the genuine keys may overtake the
event: they are then held, bounded by what is still expected, and taken once encrypted.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from aioble_hci.address import Address
from aioble_hci.smp.config import SecurityConfig
from aioble_hci.smp.events import ReplyLtk, StartEncryption
from aioble_hci.smp.pdus import (
    EncryptionInformation,
    IdentityAddressInformation,
    IdentityInformation,
    PairingFailedReason,
    SigningInformation,
)
from aioble_hci.smp.session import SmpState
from tests.smp.link import CENTRAL_IDENTITY, PERIPHERAL_IDENTITY, Link
from tests.smp.test_security_cases import assert_failed

CENTRAL = SecurityConfig(identity=CENTRAL_IDENTITY)
PERIPHERAL = SecurityConfig(identity=PERIPHERAL_IDENTITY)
LEGACY_CENTRAL = replace(CENTRAL, secure_connections=False)
LEGACY_PERIPHERAL = replace(PERIPHERAL, secure_connections=False)

FORGED_IRK = bytes([0xA5]) * 16
FORGED_ADDRESS = Address.parse("de:ad:be:ef:00:01/public")
FORGED_CSRK = bytes([0x5A]) * 16
FORGED_LTK = bytes([0x77]) * 16
FORGED_IDENTITY_KEYS = [
    IdentityInformation(FORGED_IRK).to_bytes(),
    IdentityAddressInformation.for_address(FORGED_ADDRESS).to_bytes(),
    SigningInformation(FORGED_CSRK).to_bytes(),
]


class EarlyKeysLink(Link):
    """A link where key PDUs reach one side after phase 2 but before its Encryption Change.

    ``early`` is what an attacker injects in plaintext to ``early_to``; ``overtake`` delivers the
    peripheral's genuine keys to the central before the central's Encryption Change, as a
    transport with separate event and data pipes can; ``encryption_ok`` is the controller's
    outcome.
    """

    def __init__(
        self,
        central: SecurityConfig,
        peripheral: SecurityConfig,
        *,
        early_to: str = "central",
        early: list[bytes] | None = None,
        overtake: bool = False,
        encryption_ok: bool = True,
        hold: bool = False,
    ) -> None:
        kwargs: dict[str, Any] = {"hold_keys_until_encrypted": hold}
        super().__init__(central, peripheral, central_kwargs=kwargs, peripheral_kwargs=kwargs)
        self.early_to = early_to
        self.early = early or []
        self.overtake = overtake
        self.encryption_ok = encryption_ok
        self.early_state: SmpState | None = None

    def _encrypt(self, start: StartEncryption) -> None:
        target = self.central if self.early_to == "central" else self.peripheral
        self.early_state = target.session.state
        for pdu in self.early:
            target.session.receive(pdu, self.now)
            self.take(target)
        p, c = self.peripheral, self.central
        p.session.long_term_key_request(start.ediv, start.rand, self.now)
        self.take(p)
        ok = self.encryption_ok and p.of(ReplyLtk)[-1].ltk == start.ltk
        self.encrypted = ok
        p.session.encryption_changed(ok, self.now)
        self.take(p)
        if self.overtake:
            while self._queue:
                side, pdu = self._queue.popleft()
                side.session.receive(pdu, self.now)
                self.take(side)
        c.session.encryption_changed(ok, self.now)
        self.take(c)


def forged_key_in_any_event(link: Link) -> bool:
    for side in (link.central, link.peripheral):
        complete = side.complete
        if complete is not None:
            keys = complete.keys.peer
            if FORGED_IRK in (keys.irk,) or keys.csrk == FORGED_CSRK or keys.identity_address == FORGED_ADDRESS:
                return True
    return False


@pytest.mark.parametrize("sc", [True, False], ids=["le-sc", "legacy"])
def test_identity_information_before_encryption_is_refused(sc: bool) -> None:
    """Vol 3 Part H 3.6.1: the central gets forged plaintext Identity Information, Identity Address
    Information and Signing Information after phase 2, before Encryption Change: Key Rejected,
    and no forged key ends up in a pairing result (the bond is made from it)."""
    central, peripheral = (CENTRAL, PERIPHERAL) if sc else (LEGACY_CENTRAL, LEGACY_PERIPHERAL)
    if not sc:  # legacy: the peripheral sends its LTK first; the forger starts with its own
        early = [EncryptionInformation(FORGED_LTK).to_bytes()] + FORGED_IDENTITY_KEYS
    else:
        early = FORGED_IDENTITY_KEYS
    link = EarlyKeysLink(central, peripheral, early=early).pair()

    assert link.early_state is SmpState.WAIT_ENCRYPTION  # phase 2 was over, the link not yet encrypted
    assert_failed(link.central, PairingFailedReason.KEY_REJECTED)
    assert not forged_key_in_any_event(link)


@pytest.mark.parametrize(
    "forged",
    [
        IdentityInformation(FORGED_IRK).to_bytes(),
        IdentityAddressInformation.for_address(FORGED_ADDRESS).to_bytes(),
        SigningInformation(FORGED_CSRK).to_bytes(),
    ],
    ids=["identity-information", "identity-address-information", "signing-information"],
)
def test_each_key_pdu_before_encryption_is_refused_by_the_central(forged: bytes) -> None:
    """Vol 3 Part H 3.6.1: any one key PDU before Encryption Change is refused with 0x0F."""
    link = EarlyKeysLink(CENTRAL, PERIPHERAL, early=[forged]).pair()

    assert_failed(link.central, PairingFailedReason.KEY_REJECTED)
    assert not forged_key_in_any_event(link)


def test_central_keys_before_peripheral_encryption_are_refused() -> None:
    """Vol 3 Part H 3.6.1, peripheral role: the initiator's keys arrive before the peripheral's own
    Encryption Change: Key Rejected, and the peripheral completes no pairing."""
    link = EarlyKeysLink(CENTRAL, PERIPHERAL, early_to="peripheral", early=FORGED_IDENTITY_KEYS).pair()

    assert link.early_state is SmpState.WAIT_ENCRYPTION
    assert_failed(link.peripheral, PairingFailedReason.KEY_REJECTED)
    assert not forged_key_in_any_event(link)


def test_keys_that_overtake_encryption_change_are_refused_on_an_ordered_transport() -> None:
    """On a transport that keeps events and data in order (H4 over UART), a key PDU before the
    Encryption Change event was sent before the link was encrypted: refused (3.6.1)."""
    link = EarlyKeysLink(CENTRAL, PERIPHERAL, overtake=True).pair()

    assert_failed(link.central, PairingFailedReason.KEY_REJECTED)


def test_keys_that_overtake_encryption_change_are_held_on_a_reordering_transport() -> None:
    """With separate event and data pipes (USB), the peripheral's genuine keys can reach the host
    before the Encryption Change event: held, then taken once encrypted; the pairing completes
    with exactly the peripheral's keys."""
    link = EarlyKeysLink(CENTRAL, PERIPHERAL, overtake=True, hold=True).pair()

    complete = link.central.complete
    assert complete is not None and link.central.failed is None
    assert complete.keys.peer.irk == PERIPHERAL_IDENTITY.irk
    assert complete.keys.peer.identity_address == PERIPHERAL_IDENTITY.address
    assert link.peripheral.complete is not None


def test_held_keys_are_dropped_when_encryption_fails() -> None:
    """Held keys count only over the encrypted link: if encryption fails, no pairing completes."""
    link = EarlyKeysLink(CENTRAL, PERIPHERAL, early=FORGED_IDENTITY_KEYS, encryption_ok=False, hold=True).pair()

    assert link.central.complete is None
    assert link.central.failed is not None
    assert link.central.session.state is SmpState.IDLE
    assert not forged_key_in_any_event(link)


def test_holding_is_bounded_by_the_keys_still_expected() -> None:
    """The hold is bounded: one key PDU more than the negotiated distribution is Key Rejected."""
    too_many = FORGED_IDENTITY_KEYS + [SigningInformation(FORGED_CSRK).to_bytes()]
    link = EarlyKeysLink(CENTRAL, PERIPHERAL, early=too_many, hold=True).pair()

    assert_failed(link.central, PairingFailedReason.KEY_REJECTED)
    assert not forged_key_in_any_event(link)
