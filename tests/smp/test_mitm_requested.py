"""`mitm_requested`: the MITM flag goes out in AuthReq, but an unauthenticated method is accepted.

Vol 3 Part H, 3.5.1 (the AuthReq MITM flag asks for protection) against the local security
requirement (`mitm`, Vol 3 Part C 10.2); NimBLE's `sm_mitm` behaves as `mitm_requested`.
"""

from __future__ import annotations

from dataclasses import replace

from aioble_hci.smp.config import SecurityConfig
from aioble_hci.smp.methods import PairingMethod
from aioble_hci.smp.pdus import AuthReq, IoCapability, PairingFailedReason, SmpCode
from tests.smp.link import CENTRAL_IDENTITY, PERIPHERAL_IDENTITY, Link, Side

CENTRAL = SecurityConfig(identity=CENTRAL_IDENTITY)
PERIPHERAL = SecurityConfig(identity=PERIPHERAL_IDENTITY)
NO_IO = IoCapability.NO_INPUT_NO_OUTPUT
YES_NO = IoCapability.DISPLAY_YES_NO


def _auth_req_sent(side: Side, code: SmpCode) -> AuthReq:
    """The AuthReq octet of the Pairing Request/Response `side` put on the air (Vol 3 Part H, 3.5.1-3.5.2)."""
    (pdu,) = [pdu for pdu in side.sent if pdu[0] == code]
    return AuthReq(pdu[3])


def test_central_requesting_mitm_with_no_io_sends_the_flag_and_pairs_just_works_unauthenticated() -> None:
    link = Link(replace(CENTRAL, io_capability=NO_IO, mitm_requested=True), PERIPHERAL).pair()

    assert AuthReq.MITM in _auth_req_sent(link.central, SmpCode.PAIRING_REQUEST)
    assert AuthReq.MITM not in _auth_req_sent(link.peripheral, SmpCode.PAIRING_RESPONSE)
    for side in (link.central, link.peripheral):
        assert side.complete is not None, side.events
        assert (side.complete.method, side.complete.authenticated) == (PairingMethod.JUST_WORKS, False)
    assert link.encrypted


def test_peripheral_requesting_mitm_with_no_io_sends_the_flag_and_pairs_just_works_unauthenticated() -> None:
    link = Link(CENTRAL, replace(PERIPHERAL, io_capability=NO_IO, mitm_requested=True)).pair()

    assert AuthReq.MITM not in _auth_req_sent(link.central, SmpCode.PAIRING_REQUEST)
    assert AuthReq.MITM in _auth_req_sent(link.peripheral, SmpCode.PAIRING_RESPONSE)
    for side in (link.central, link.peripheral):
        assert side.complete is not None, side.events
        assert (side.complete.method, side.complete.authenticated) == (PairingMethod.JUST_WORKS, False)


def test_display_yes_no_requesting_mitm_against_a_no_io_peer_falls_back_to_just_works() -> None:
    link = Link(replace(CENTRAL, io_capability=YES_NO, mitm_requested=True),
                replace(PERIPHERAL, io_capability=NO_IO)).pair()

    assert link.central.complete is not None and link.central.failed is None
    assert (link.central.complete.method, link.central.complete.authenticated) == (PairingMethod.JUST_WORKS, False)


def test_legacy_peripheral_requesting_mitm_against_a_no_io_central_falls_back_to_just_works() -> None:
    link = Link(replace(CENTRAL, io_capability=NO_IO, secure_connections=False),
                replace(PERIPHERAL, io_capability=YES_NO, mitm_requested=True, secure_connections=False)).pair()

    assert link.peripheral.complete is not None, link.peripheral.events
    assert (link.peripheral.complete.method, link.peripheral.complete.sc) == (PairingMethod.JUST_WORKS, False)
    assert not link.peripheral.complete.authenticated


def test_requested_mitm_still_gets_numeric_comparison_when_both_sides_can_confirm() -> None:
    link = Link(replace(CENTRAL, io_capability=YES_NO, mitm_requested=True),
                replace(PERIPHERAL, io_capability=YES_NO)).pair()

    assert link.central.complete is not None and link.peripheral.complete is not None
    assert link.central.complete.method is PairingMethod.NUMERIC_COMPARISON
    assert link.central.complete.authenticated and link.peripheral.complete.authenticated


def test_required_mitm_against_a_no_io_peer_still_fails_with_authentication_requirements() -> None:
    link = Link(replace(CENTRAL, io_capability=YES_NO, mitm=True),
                replace(PERIPHERAL, io_capability=NO_IO)).pair()

    assert link.central.complete is None
    assert link.central.failed is not None
    assert link.central.failed.reason == PairingFailedReason.AUTHENTICATION_REQUIREMENTS


def test_mitm_flag_is_set_when_required_or_requested_only() -> None:
    assert not SecurityConfig().mitm_flag
    assert SecurityConfig(mitm=True).mitm_flag
    assert SecurityConfig(mitm_requested=True).mitm_flag
