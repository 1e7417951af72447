"""Two sessions back to back: every method in both roles, and the keys each side ends with."""

from __future__ import annotations

from dataclasses import replace

from aioble_hci.smp.config import SecurityConfig
from aioble_hci.smp.events import PairingComplete, PasskeyDisplay, StartEncryption
from aioble_hci.smp.methods import PairingMethod
from aioble_hci.smp.pdus import IoCapability, KeyDistribution
from aioble_hci.smp.secure_connections import LocalOob
from aioble_hci.smp.session import SmpState
from tests.smp.link import CENTRAL_IDENTITY, PERIPHERAL_IDENTITY, Link

CENTRAL = SecurityConfig(identity=CENTRAL_IDENTITY)
PERIPHERAL = SecurityConfig(identity=PERIPHERAL_IDENTITY)


def both_complete(link: Link) -> tuple[PairingComplete, PairingComplete]:
    c, p = link.central.complete, link.peripheral.complete
    assert c is not None, link.central.events
    assert p is not None, link.peripheral.events
    assert link.encrypted
    assert link.central.session.state is SmpState.IDLE
    assert link.peripheral.session.state is SmpState.IDLE
    return c, p


def legacy(config: SecurityConfig, **changes: object) -> SecurityConfig:
    return replace(config, secure_connections=False, **changes)  # type: ignore[arg-type]


def test_legacy_just_works_completes_unauthenticated_with_stk_encryption() -> None:
    """SM/CEN/JW/BV-01-C, SM/PER/JW/BV-02-C: legacy Just Works completes; link encrypted with STK."""
    link = Link(legacy(CENTRAL), legacy(PERIPHERAL)).pair()
    c, p = both_complete(link)
    assert (c.method, c.sc, c.authenticated, c.key_size) == (
        PairingMethod.JUST_WORKS,
        False,
        False,
        16,
    )
    assert (p.method, p.sc, p.authenticated) == (PairingMethod.JUST_WORKS, False, False)
    start = link.central.of(StartEncryption)[0]
    assert (start.ediv, start.rand) == (0, bytes(8))


def test_legacy_bonding_distributes_ltk_ediv_rand_irk_and_csrk_both_ways() -> None:
    link = Link(legacy(CENTRAL), legacy(PERIPHERAL)).pair()
    c, p = both_complete(link)
    assert c.bonded and p.bonded
    assert c.keys.ltk is None and p.keys.ltk is None
    assert c.keys.peer == p.keys.local
    assert p.keys.peer == c.keys.local
    assert c.keys.peer.ltk is not None and len(c.keys.peer.ltk) == 16
    assert c.keys.peer.irk == PERIPHERAL_IDENTITY.irk
    assert c.keys.peer.identity_address == PERIPHERAL_IDENTITY.address
    assert p.keys.peer.identity_address == CENTRAL_IDENTITY.address
    assert c.keys.peer.csrk is not None and p.keys.peer.csrk is not None


def test_legacy_passkey_entry_peripheral_displays_central_types() -> None:
    central = legacy(CENTRAL, io_capability=IoCapability.KEYBOARD_ONLY, mitm=True)
    peripheral = legacy(PERIPHERAL, io_capability=IoCapability.DISPLAY_ONLY, mitm=True)
    link = Link(central, peripheral).pair()
    c, p = both_complete(link)
    assert c.method is PairingMethod.PASSKEY_ENTRY and c.authenticated and p.authenticated
    assert link.peripheral.displayed is not None and link.central.displayed is None


def test_legacy_passkey_entry_central_displays_peripheral_types() -> None:
    central = legacy(CENTRAL, io_capability=IoCapability.DISPLAY_ONLY, mitm=True)
    peripheral = legacy(PERIPHERAL, io_capability=IoCapability.KEYBOARD_ONLY, mitm=True)
    link = Link(central, peripheral).pair()
    c, _ = both_complete(link)
    assert c.method is PairingMethod.PASSKEY_ENTRY
    assert link.central.displayed is not None and link.peripheral.displayed is None


def test_legacy_passkey_entry_both_keyboards_type_the_same_passkey() -> None:
    central = legacy(CENTRAL, io_capability=IoCapability.KEYBOARD_ONLY, mitm=True)
    peripheral = legacy(PERIPHERAL, io_capability=IoCapability.KEYBOARD_ONLY, mitm=True)
    link = Link(central, peripheral, typed_passkey=4321).pair()
    c, _ = both_complete(link)
    assert c.method is PairingMethod.PASSKEY_ENTRY


def test_sc_just_works_completes_with_shared_ltk() -> None:
    link = Link(CENTRAL, PERIPHERAL).pair()
    c, p = both_complete(link)
    assert (c.method, c.sc, c.authenticated) == (PairingMethod.JUST_WORKS, True, False)
    assert c.keys.ltk is not None and c.keys.ltk == p.keys.ltk
    assert link.central.of(StartEncryption)[0].ltk == c.keys.ltk


def test_sc_bonding_distributes_identity_and_signing_keys_but_not_ltk() -> None:
    link = Link(CENTRAL, PERIPHERAL).pair()
    c, p = both_complete(link)
    assert c.keys.peer.ltk is None and p.keys.peer.ltk is None
    assert c.keys.peer.irk == PERIPHERAL_IDENTITY.irk
    assert p.keys.peer.irk == CENTRAL_IDENTITY.irk
    assert c.keys.peer.csrk == p.keys.local.csrk


def test_sc_numeric_comparison_both_display_yes_no() -> None:
    central = replace(CENTRAL, io_capability=IoCapability.DISPLAY_YES_NO, mitm=True)
    peripheral = replace(PERIPHERAL, io_capability=IoCapability.DISPLAY_YES_NO, mitm=True)
    link = Link(central, peripheral).pair()
    c, p = both_complete(link)
    assert (c.method, c.authenticated, p.authenticated) == (
        PairingMethod.NUMERIC_COMPARISON,
        True,
        True,
    )
    assert c.keys.ltk == p.keys.ltk


def test_sc_passkey_entry_peripheral_displays_central_types() -> None:
    central = replace(CENTRAL, io_capability=IoCapability.KEYBOARD_ONLY, mitm=True)
    peripheral = replace(PERIPHERAL, io_capability=IoCapability.DISPLAY_ONLY, mitm=True)
    link = Link(central, peripheral).pair()
    c, p = both_complete(link)
    assert (c.method, c.sc, c.authenticated) == (PairingMethod.PASSKEY_ENTRY, True, True)
    assert c.keys.ltk == p.keys.ltk


def test_sc_passkey_entry_central_displays_peripheral_types() -> None:
    central = replace(CENTRAL, io_capability=IoCapability.KEYBOARD_DISPLAY, mitm=True)
    peripheral = replace(PERIPHERAL, io_capability=IoCapability.KEYBOARD_ONLY, mitm=True)
    link = Link(central, peripheral).pair()
    c, _ = both_complete(link)
    assert c.method is PairingMethod.PASSKEY_ENTRY
    assert link.central.displayed is not None


def test_sc_passkey_entry_both_keyboards() -> None:
    central = replace(CENTRAL, io_capability=IoCapability.KEYBOARD_ONLY, mitm=True)
    peripheral = replace(PERIPHERAL, io_capability=IoCapability.KEYBOARD_ONLY, mitm=True)
    link = Link(central, peripheral, typed_passkey=999999).pair()
    c, _ = both_complete(link)
    assert c.method is PairingMethod.PASSKEY_ENTRY


def test_sc_oob_both_directions() -> None:
    central_oob, peripheral_oob = LocalOob.generate(), LocalOob.generate()
    link = Link(
        CENTRAL,
        PERIPHERAL,
        central_kwargs={"local_oob": central_oob, "peer_oob": peripheral_oob.data},
        peripheral_kwargs={"local_oob": peripheral_oob, "peer_oob": central_oob.data},
    ).pair()
    c, p = both_complete(link)
    assert (c.method, c.authenticated) == (PairingMethod.OOB, True)
    assert c.keys.ltk == p.keys.ltk


def test_sc_oob_only_central_received_peripheral_data() -> None:
    peripheral_oob = LocalOob.generate()
    link = Link(
        CENTRAL,
        PERIPHERAL,
        central_kwargs={"peer_oob": peripheral_oob.data},
        peripheral_kwargs={"local_oob": peripheral_oob},
    ).pair()
    c, p = both_complete(link)
    assert c.method is PairingMethod.OOB and p.method is PairingMethod.OOB


def test_sc_oob_only_peripheral_received_central_data() -> None:
    central_oob = LocalOob.generate()
    link = Link(
        CENTRAL,
        PERIPHERAL,
        central_kwargs={"local_oob": central_oob},
        peripheral_kwargs={"peer_oob": central_oob.data},
    ).pair()
    c, _ = both_complete(link)
    assert c.method is PairingMethod.OOB


def test_no_bonding_distributes_no_keys() -> None:
    """GAP/BOND/NBON/BV-01-C: non-bondable mode pairs but hands out no keys."""
    link = Link(replace(CENTRAL, bonding=False), PERIPHERAL).pair()
    c, p = both_complete(link)
    assert not c.bonded and not p.bonded
    assert c.keys.peer.irk is None and p.keys.peer.irk is None
    assert c.keys.peer.csrk is None and p.keys.peer.csrk is None


def test_only_negotiated_keys_are_distributed() -> None:
    central = replace(
        CENTRAL, initiator_keys=KeyDistribution(0), responder_keys=KeyDistribution.ID_KEY
    )
    link = Link(central, PERIPHERAL).pair()
    c, p = both_complete(link)
    assert c.keys.peer.irk == PERIPHERAL_IDENTITY.irk and c.keys.peer.csrk is None
    assert p.keys.peer == c.keys.local
    assert c.keys.local.irk is None and c.keys.local.csrk is None


def test_negotiated_key_size_is_the_smaller_maximum_and_masks_the_key() -> None:
    central = legacy(CENTRAL, max_key_size=10, min_key_size=7)
    peripheral = legacy(PERIPHERAL, min_key_size=7)
    link = Link(central, peripheral).pair()
    c, p = both_complete(link)
    assert c.key_size == p.key_size == 10
    stk = link.central.of(StartEncryption)[0].ltk
    assert stk[10:] == bytes(6)
    assert c.keys.peer.ltk is not None and c.keys.peer.ltk[10:] == bytes(6)


def test_rfu_auth_req_bits_are_ignored_and_answered_as_zero() -> None:
    """SM/PER/SCJW/BV-03-C: an SC initiator sets every RFU AuthReq bit; the responder answers
    with RFU = 0 and pairing succeeds (the tampering happens before either side computes f6, so
    the initiator's own request carries the bits)."""
    link = Link(CENTRAL, PERIPHERAL)
    session = link.central.session
    original = session._auth_req
    session._auth_req = lambda: original() | 0xC2  # type: ignore[method-assign]
    link.pair()
    both_complete(link)
    assert link.central.sent[0][3] & 0xC2 == 0xC2
    assert link.peripheral.sent[0][3] & 0xC2 == 0


def test_rfu_auth_req_bits_from_legacy_initiator_still_pair() -> None:
    """SM/PER/JW/BI-03-C: a legacy initiator with all RFU AuthReq bits set pairs successfully."""
    link = Link(legacy(CENTRAL), legacy(PERIPHERAL))
    session = link.central.session
    original = session._auth_req
    session._auth_req = lambda: original() | 0xC2  # type: ignore[method-assign]
    link.pair()
    both_complete(link)
    assert link.peripheral.sent[0][3] & 0xC2 == 0


def test_peripheral_security_request_makes_central_report_it() -> None:
    link = Link(CENTRAL, PERIPHERAL)
    link.peripheral.session.request_security(link.now)
    link.take(link.peripheral)
    link.run()
    from aioble_hci.smp.events import SecurityRequested

    assert len(link.central.of(SecurityRequested)) == 1
    assert link.central.session.state is SmpState.IDLE


def test_fresh_passkey_each_pairing() -> None:
    """SM/CEN/PKE/BV-05-C, SM/CEN/SCPK/BV-05-C: a different random passkey every time."""
    passkeys: set[int] = set()
    for _ in range(4):
        central = replace(
            CENTRAL, io_capability=IoCapability.DISPLAY_ONLY, mitm=True, secure_connections=False
        )
        peripheral = replace(PERIPHERAL, io_capability=IoCapability.KEYBOARD_ONLY, mitm=True)
        link = Link(central, peripheral).pair()
        both_complete(link)
        passkeys.add(link.central.of(PasskeyDisplay)[0].passkey)
    assert len(passkeys) > 1


def test_sc_fresh_nonces_each_run() -> None:
    """SM/CEN/SCJW/BV-01-C, SM/PER/SCJW/BV-02-C: SC Just Works three times, fresh nonce each."""
    nonces: set[bytes] = set()
    ltks: set[bytes | None] = set()
    for _ in range(3):
        link = Link(CENTRAL, PERIPHERAL).pair()
        c, _ = both_complete(link)
        nonces.update(pdu for pdu in link.central.sent if pdu[0] == 0x04)
        ltks.add(c.keys.ltk)
    assert len(nonces) == 3 and len(ltks) == 3
