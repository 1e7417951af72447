"""Misbehaving peers: each case of security-and-conformance.md (S*, P*, SM/... IDs) with the
failure code on the wire and no keys at the end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from aioble_hci.smp import toolbox
from aioble_hci.smp.attempts import RepeatedAttempts
from aioble_hci.smp.config import SecurityConfig
from aioble_hci.smp.events import (
    PairingAborted,
    PairingComplete,
    PeerKeypress,
    ReplyLtk,
    SecurityRequested,
    StartEncryption,
)
from aioble_hci.smp.pdus import (
    IdentityAddressInformation,
    IoCapability,
    PairingFailedReason,
    SmpCode,
)
from aioble_hci.smp.session import SmpSession, SmpState
from aioble_hci.smp.toolbox import DEBUG_PUBLIC_X, DEBUG_PUBLIC_Y, P256KeyPair
from tests.smp.link import (
    CENTRAL_ADDRESS,
    CENTRAL_IDENTITY,
    PERIPHERAL_ADDRESS,
    PERIPHERAL_IDENTITY,
    Link,
    Side,
    run,
)

CENTRAL = SecurityConfig(identity=CENTRAL_IDENTITY)
PERIPHERAL = SecurityConfig(identity=PERIPHERAL_IDENTITY)
LEGACY_CENTRAL = replace(CENTRAL, secure_connections=False)
LEGACY_PERIPHERAL = replace(PERIPHERAL, secure_connections=False)
R = PairingFailedReason
Hook = Callable[[Side, bytes], bytes | None]
# A valid Pairing Request: NoInputNoOutput, no OOB, bonding|SC, 16, ENC|ID|SIGN both ways.
GOOD_REQUEST = bytes([0x01, 0x03, 0x00, 0x09, 0x10, 0x07, 0x07])


def peripheral() -> SmpSession:
    return SmpSession(
        central=False,
        local_address=PERIPHERAL_ADDRESS,
        peer_address=CENTRAL_ADDRESS,
        config=PERIPHERAL,
    )


def central(config: SecurityConfig = CENTRAL) -> SmpSession:
    return SmpSession(
        central=True, local_address=CENTRAL_ADDRESS, peer_address=PERIPHERAL_ADDRESS, config=config
    )


def assert_failed(side: Side, reason: PairingFailedReason) -> None:
    """The IUT sent Pairing Failed with ``reason``, reported it, and ended with no keys."""
    assert bytes([SmpCode.PAIRING_FAILED, reason]) in side.sent, [p.hex() for p in side.sent]
    failed = side.failed
    assert failed is not None and failed.reason is reason and not failed.remote
    assert side.complete is None
    assert side.session.state is SmpState.IDLE


def replace_code(code: SmpCode, new: bytes, sender: str) -> Hook:
    """A tamper hook swapping the first PDU ``sender`` sends with ``code`` for ``new``."""
    done: list[bool] = []

    def hook(side: Side, pdu: bytes) -> bytes | None:
        if side.name == sender and pdu[0] == code and not done:
            done.append(True)
            return new
        return pdu

    return hook


def flip_last_byte(code: SmpCode, sender: str, occurrence: int = 0) -> Hook:
    seen: list[bool] = []

    def hook(side: Side, pdu: bytes) -> bytes | None:
        if side.name == sender and pdu[0] == code:
            seen.append(True)
            if len(seen) == occurrence + 1:
                return pdu[:-1] + bytes([pdu[-1] ^ 0x01])
        return pdu

    return hook


def reflect(code: SmpCode) -> Hook:
    """A tamper hook: the peripheral sends back the central's latest PDU with ``code`` as its own."""
    central_sent: list[bytes] = []

    def hook(side: Side, pdu: bytes) -> bytes | None:
        if pdu[0] != code:
            return pdu
        if side.name == "central":
            central_sent.append(pdu)
            return pdu
        return central_sent[-1]

    return hook


def drop_or_replace(sender: str, pdus: dict[int, bytes | None]) -> Hook:
    """A tamper hook: each PDU ``sender`` sends whose code is in ``pdus`` becomes its value
    (None: dropped)."""

    def hook(side: Side, pdu: bytes) -> bytes | None:
        if side.name == sender and pdu[0] in pdus:
            return pdus[pdu[0]]
        return pdu

    return hook


# -- malformed PDUs (S1-S5) ---------------------------------------------------------------------
def test_s1_empty_pdu_is_invalid_parameters() -> None:
    """S1: an SMP PDU shorter than its code, down to 0 bytes."""
    out = run(peripheral().receive, b"", 0.0)
    assert out.pdus == [bytes([0x05, 0x0A])]


def test_s1_truncated_pairing_confirm_mid_pairing_aborts() -> None:
    """S1: a Pairing Confirm one octet short during pairing fails with Invalid Parameters."""
    session = peripheral()
    session.receive(GOOD_REQUEST, 0.0)
    out = run(session.receive, bytes([0x03]) + bytes(15), 1.0)
    assert out.pdus == [bytes([0x05, 0x0A])]
    assert out.events == [PairingAborted(R.INVALID_PARAMETERS)]


def test_s2_unknown_code_is_command_not_supported() -> None:
    """S2: unknown SMP code -> Pairing Failed 0x07."""
    assert run(peripheral().receive, bytes([0x1F, 0x00]), 0.0).pdus == [bytes([0x05, 0x07])]


def test_s2_security_request_to_peripheral_is_command_not_supported() -> None:
    """S2 (BlueZ smp-tester "Invalid Request 1"): `0b 00` -> `05 07`."""
    assert run(peripheral().receive, bytes([0x0B, 0x00]), 0.0).pdus == [bytes([0x05, 0x07])]


def test_s3_pairing_request_with_wrong_length_is_invalid_parameters() -> None:
    """S3 (smp-tester "Invalid Request 3"): `01 ff` -> `05 0a`."""
    assert run(peripheral().receive, bytes([0x01, 0xFF]), 0.0).pdus == [bytes([0x05, 0x0A])]


def test_s4_key_size_zero_is_encryption_key_size() -> None:
    """S4 (smp-tester "Invalid Request 2"): `01 00 00 00 00 00 00` -> `05 06`."""
    session = peripheral()
    out = run(session.receive, bytes([0x01, 0, 0, 0, 0, 0, 0]), 0.0)
    assert out.pdus == [bytes([0x05, 0x06])]
    assert out.events == [PairingAborted(R.ENCRYPTION_KEY_SIZE)]


def test_s4_key_size_253_is_encryption_key_size() -> None:
    """S4: SweynTooth Key Size Overflow (CVE-2019-19196) with Max Encryption Key Size 253."""
    out = run(peripheral().receive, bytes([0x01, 0x03, 0x00, 0x01, 253, 0x00, 0x00]), 0.0)
    assert out.pdus == [bytes([0x05, 0x06])]


def test_s5_reserved_io_capability_is_invalid_parameters() -> None:
    """S5: IO capability 0x05 -> 0x0A."""
    out = run(peripheral().receive, bytes([0x01, 0x05, 0x00, 0x01, 16, 0x00, 0x00]), 0.0)
    assert out.pdus == [bytes([0x05, 0x0A])]


def test_s5_reserved_oob_flag_is_invalid_parameters() -> None:
    """S5: OOB data flag 0x02 -> 0x0A."""
    out = run(peripheral().receive, bytes([0x01, 0x03, 0x02, 0x01, 16, 0x00, 0x00]), 0.0)
    assert out.pdus == [bytes([0x05, 0x0A])]


# -- state (S6, S7, S16) --------------------------------------------------------------------------
def test_s6_pairing_random_before_confirm_is_unspecified_reason() -> None:
    """S6: legacy Pairing Random before any Confirm -> 0x08, keys never derived."""
    session = SmpSession(
        central=False,
        local_address=PERIPHERAL_ADDRESS,
        peer_address=CENTRAL_ADDRESS,
        config=LEGACY_PERIPHERAL,
    )
    session.receive(bytes([0x01, 0x03, 0x00, 0x01, 0x10, 0x00, 0x00]), 0.0)
    out = run(session.receive, bytes([0x04]) + bytes(16), 1.0)
    assert out.pdus == [bytes([0x05, 0x08])]
    assert out.events == [PairingAborted(R.UNSPECIFIED_REASON)]


def test_s6_dhkey_check_before_random_is_unspecified_reason() -> None:
    """S6 (DHCheck skip, CVE-2020-13593): DHKey Check right after the public keys -> 0x08."""
    link = Link(
        CENTRAL,
        PERIPHERAL,
        tamper=replace_code(SmpCode.PAIRING_RANDOM, bytes([0x0D]) + bytes(16), "central"),
    ).pair()
    assert_failed(link.peripheral, R.UNSPECIFIED_REASON)


def test_s6_second_pairing_request_mid_pairing_fails() -> None:
    """S6: a second Pairing Request while pairing -> 0x08."""
    session = peripheral()
    session.receive(GOOD_REQUEST, 0.0)
    out = run(session.receive, GOOD_REQUEST, 1.0)
    assert out.pdus == [bytes([0x05, 0x08])]


def test_s7_ltk_request_before_phase2_is_negative() -> None:
    """S7 (Zero-LTK, CVE-2019-19194): LTK request with EDIV 0 / Rand 0 mid-pairing -> negative."""
    session = peripheral()
    session.receive(GOOD_REQUEST, 0.0)
    assert run(session.long_term_key_request, 0, bytes(8), 1.0).events == [ReplyLtk(None)]


def test_s7_ltk_request_with_nonzero_ediv_during_pairing_is_negative() -> None:
    """S7 (extras non_compliance_nonzero_ediv_rand): the verified STK only answers EDIV = Rand = 0."""
    link = Link(LEGACY_CENTRAL, LEGACY_PERIPHERAL)
    starts: list[StartEncryption] = []
    link._encrypt = starts.append  # type: ignore[assignment,method-assign]  # controller silent
    link.pair()
    session = link.peripheral.session
    assert session.state is SmpState.WAIT_ENCRYPTION
    assert run(session.long_term_key_request, 0x1234, bytes(8), 0.0).events == [ReplyLtk(None)]
    assert run(session.long_term_key_request, 0, bytes(8), 0.0).events == [ReplyLtk(starts[0].ltk)]


def test_sm_cen_pis_bv_03_c_security_request_during_pairing_is_ignored() -> None:
    """SM/CEN/PIS/BV-03-C, S16: the first Security Request is reported; a second one during
    pairing is ignored and pairing still completes."""
    link = Link(CENTRAL, PERIPHERAL)
    link.peripheral.session.request_security(0.0)
    link.take(link.peripheral)
    link.run()
    assert len(link.central.of(SecurityRequested)) == 1
    link.central.session.pair(0.0)
    link.take(link.central)
    out = run(link.central.session.receive, bytes([0x0B, 0x09]), 0.0)
    assert out.pdus == [] and out.events == []
    link.run()
    assert link.central.complete is not None and len(link.central.of(SecurityRequested)) == 1


# -- public keys (P1, P2, S8, S9) -----------------------------------------------------------------
def public_key_pdu(x: bytes, y: bytes) -> bytes:
    return bytes([0x0C]) + toolbox.swap(x) + toolbox.swap(y)


def test_sm_per_kdu_bi_01_c_y_zero_public_key_fails_dhkey_check() -> None:
    """SM/PER/KDU/BI-01-C, P1 (CVE-2018-5383): central sends (x_debug, 0) -> 0x0B."""
    link = Link(
        CENTRAL,
        PERIPHERAL,
        tamper=replace_code(
            SmpCode.PAIRING_PUBLIC_KEY, public_key_pdu(DEBUG_PUBLIC_X, bytes(32)), "central"
        ),
    ).pair()
    assert_failed(link.peripheral, R.DHKEY_CHECK_FAILED)


def test_sm_cen_kdu_bi_01_c_y_zero_public_key_fails_dhkey_check() -> None:
    """SM/CEN/KDU/BI-01-C, P1: peripheral answers with a Y = 0 key -> central fails 0x0B."""
    link = Link(
        CENTRAL,
        PERIPHERAL,
        tamper=replace_code(
            SmpCode.PAIRING_PUBLIC_KEY, public_key_pdu(DEBUG_PUBLIC_X, bytes(32)), "peripheral"
        ),
    ).pair()
    assert_failed(link.central, R.DHKEY_CHECK_FAILED)


def test_sm_per_kdu_bi_04_c_zero_zero_public_key_fails_dhkey_check() -> None:
    """SM/PER/KDU/BI-04-C, S8: public key (0, 0) -> 0x0B."""
    link = Link(
        CENTRAL,
        PERIPHERAL,
        tamper=replace_code(
            SmpCode.PAIRING_PUBLIC_KEY, public_key_pdu(bytes(32), bytes(32)), "central"
        ),
    ).pair()
    assert_failed(link.peripheral, R.DHKEY_CHECK_FAILED)


def test_s8_public_key_with_one_y_bit_flipped_fails_dhkey_check() -> None:
    """S8: a valid key with one Y bit flipped (off the curve) -> 0x0B."""
    pair = P256KeyPair.generate()
    y = bytearray(pair.y)
    y[-1] ^= 0x01
    link = Link(
        CENTRAL,
        PERIPHERAL,
        tamper=replace_code(
            SmpCode.PAIRING_PUBLIC_KEY, public_key_pdu(pair.x, bytes(y)), "peripheral"
        ),
    ).pair()
    assert_failed(link.central, R.DHKEY_CHECK_FAILED)


def test_p2_reflected_public_key_fails_dhkey_check() -> None:
    """P2 (CVE-2020-26558, BlueMirror): the peripheral reflects the central's own public key."""
    link = Link(
        replace(CENTRAL, io_capability=IoCapability.DISPLAY_ONLY, mitm=True),
        replace(PERIPHERAL, io_capability=IoCapability.KEYBOARD_ONLY, mitm=True),
        tamper=reflect(SmpCode.PAIRING_PUBLIC_KEY),
    ).pair()
    assert_failed(link.central, R.DHKEY_CHECK_FAILED)


def test_sm_cen_kdu_bi_04_c_public_key_with_our_x_fails_dhkey_check() -> None:
    """SM/CEN/KDU/BI-04-C, P2 (CVE-2021-37577): a key sharing the IUT's X (the negated point)."""
    p = 2**256 - 2**224 + 2**192 + 2**96 - 1
    key_pair = P256KeyPair.generate()
    negated = (p - int.from_bytes(key_pair.y, "big")).to_bytes(32, "big")
    link = Link(
        CENTRAL,
        PERIPHERAL,
        central_kwargs={"key_pair": key_pair},
        tamper=replace_code(
            SmpCode.PAIRING_PUBLIC_KEY, public_key_pdu(key_pair.x, negated), "peripheral"
        ),
    ).pair()
    assert_failed(link.central, R.DHKEY_CHECK_FAILED)


def test_s9_debug_public_key_is_refused() -> None:
    """S9: the peer uses the SMP debug key while we are not in debug mode -> refused (0x03)."""
    debug = P256KeyPair.from_private_value(toolbox.DEBUG_PRIVATE_KEY)
    assert (debug.x, debug.y) == (DEBUG_PUBLIC_X, DEBUG_PUBLIC_Y)
    link = Link(CENTRAL, PERIPHERAL, peripheral_kwargs={"key_pair": debug}).pair()
    assert_failed(link.central, R.AUTHENTICATION_REQUIREMENTS)


def test_s9_debug_public_key_is_accepted_when_allowed() -> None:
    debug = P256KeyPair.from_private_value(toolbox.DEBUG_PRIVATE_KEY)
    link = Link(
        replace(CENTRAL, allow_debug_keys=True), PERIPHERAL, peripheral_kwargs={"key_pair": debug}
    )
    link.pair()
    assert link.central.complete is not None


# -- confirm values (P3, S10, S11) ----------------------------------------------------------------
def test_sm_per_jw_bi_02_c_wrong_legacy_confirm_fails() -> None:
    """SM/PER/JW/BI-02-C, S10: central's legacy confirm is wrong -> peripheral 0x04."""
    link = Link(
        LEGACY_CENTRAL, LEGACY_PERIPHERAL, tamper=flip_last_byte(SmpCode.PAIRING_CONFIRM, "central")
    ).pair()
    assert_failed(link.peripheral, R.CONFIRM_VALUE_FAILED)
    assert not link.encrypted


def test_sm_per_scjw_bi_02_c_wrong_sc_random_fails() -> None:
    """SM/PER/SCJW/BI-02-C, S10: the peripheral's Nb does not match its Cb -> central 0x04."""
    link = Link(
        CENTRAL, PERIPHERAL, tamper=flip_last_byte(SmpCode.PAIRING_RANDOM, "peripheral")
    ).pair()
    assert_failed(link.central, R.CONFIRM_VALUE_FAILED)


def test_sm_per_scjw_bi_02_c_wrong_sc_confirm_fails() -> None:
    """SM/PER/SCJW/BI-02-C, S10: a wrong Cb from the lower tester -> IUT 0x04."""
    link = Link(
        CENTRAL, PERIPHERAL, tamper=flip_last_byte(SmpCode.PAIRING_CONFIRM, "peripheral")
    ).pair()
    assert_failed(link.central, R.CONFIRM_VALUE_FAILED)


def test_sm_cen_jw_bi_06_c_reflected_legacy_confirm_aborts() -> None:
    """SM/CEN/JW/BI-06-C, P3: the peripheral returns the central's own confirm -> abort."""
    link = Link(LEGACY_CENTRAL, LEGACY_PERIPHERAL, tamper=reflect(SmpCode.PAIRING_CONFIRM)).pair()
    assert_failed(link.central, R.CONFIRM_VALUE_FAILED)
    assert not any(p[0] == SmpCode.PAIRING_RANDOM for p in link.central.sent)


def test_sm_cen_pke_bi_03_c_reflected_passkey_confirm_aborts() -> None:
    """SM/CEN/PKE/BI-03-C, P3: legacy Passkey Entry; LP_CONFIRM_R = LP_CONFIRM_I -> abort."""
    link = Link(
        replace(LEGACY_CENTRAL, io_capability=IoCapability.KEYBOARD_ONLY, mitm=True),
        replace(LEGACY_PERIPHERAL, io_capability=IoCapability.DISPLAY_ONLY, mitm=True),
        tamper=reflect(SmpCode.PAIRING_CONFIRM),
    ).pair()
    assert_failed(link.central, R.CONFIRM_VALUE_FAILED)


def test_sc_passkey_reflected_confirm_aborts() -> None:
    """P3 for LE SC Passkey Entry: the responder echoes Cai as Cbi -> abort with 0x04."""
    link = Link(
        replace(CENTRAL, io_capability=IoCapability.KEYBOARD_ONLY, mitm=True),
        replace(PERIPHERAL, io_capability=IoCapability.DISPLAY_ONLY, mitm=True),
        tamper=reflect(SmpCode.PAIRING_CONFIRM),
    ).pair()
    assert_failed(link.central, R.CONFIRM_VALUE_FAILED)


def test_sm_per_pke_bi_03_c_wrong_legacy_passkey_fails() -> None:
    """SM/PER/PKE/BI-03-C: the central types a wrong passkey -> peripheral 0x04."""
    link = Link(
        replace(LEGACY_CENTRAL, io_capability=IoCapability.KEYBOARD_ONLY, mitm=True),
        replace(LEGACY_PERIPHERAL, io_capability=IoCapability.DISPLAY_ONLY, mitm=True),
        mistype=lambda shown: shown ^ 0b1,
    ).pair()
    assert_failed(link.peripheral, R.CONFIRM_VALUE_FAILED)


def test_sm_per_scpk_bi_03_c_wrong_sc_passkey_fails_at_first_mismatching_round() -> None:
    """SM/PER/SCPK/BI-03-C, P5: wrong passkey -> 0x04 at the first round whose bit differs."""
    link = Link(
        replace(CENTRAL, io_capability=IoCapability.KEYBOARD_ONLY, mitm=True),
        replace(PERIPHERAL, io_capability=IoCapability.DISPLAY_ONLY, mitm=True),
        mistype=lambda shown: shown ^ 0b100,  # differs in bit 2
    ).pair()
    assert_failed(link.peripheral, R.CONFIRM_VALUE_FAILED)
    rounds_answered = sum(1 for p in link.peripheral.sent if p[0] == SmpCode.PAIRING_RANDOM)
    assert rounds_answered == 2  # rounds 0 and 1 pass, round 2 fails


def test_s11_wrong_dhkey_check_fails() -> None:
    """S11: a wrong Ea -> peripheral 0x0B, no LTK handed to the controller."""
    link = Link(
        CENTRAL, PERIPHERAL, tamper=flip_last_byte(SmpCode.PAIRING_DHKEY_CHECK, "central")
    ).pair()
    assert_failed(link.peripheral, R.DHKEY_CHECK_FAILED)
    assert not link.encrypted


def test_s11_wrong_responder_dhkey_check_fails_on_the_central() -> None:
    """S11: a wrong Eb -> central 0x0B and it never starts encryption."""
    link = Link(
        CENTRAL, PERIPHERAL, tamper=flip_last_byte(SmpCode.PAIRING_DHKEY_CHECK, "peripheral")
    ).pair()
    assert_failed(link.central, R.DHKEY_CHECK_FAILED)
    assert not link.encrypted


def test_numeric_comparison_rejected_by_user_fails() -> None:
    link = Link(
        replace(CENTRAL, io_capability=IoCapability.DISPLAY_YES_NO, mitm=True),
        replace(PERIPHERAL, io_capability=IoCapability.DISPLAY_YES_NO, mitm=True),
        accept_comparison=False,
    )
    link.pair()
    assert_failed(link.central, R.NUMERIC_COMPARISON_FAILED)


def test_sc_oob_with_wrong_peer_confirm_fails() -> None:
    from aioble_hci.smp.secure_connections import LocalOob, OobData

    peripheral_oob = LocalOob.generate()
    forged = OobData(peripheral_oob.data.r, bytes(16))
    link = Link(
        CENTRAL,
        PERIPHERAL,
        central_kwargs={"peer_oob": forged},
        peripheral_kwargs={"local_oob": peripheral_oob},
    ).pair()
    assert_failed(link.central, R.CONFIRM_VALUE_FAILED)


def test_sc_oob_flag_without_local_oob_data_is_oob_not_available() -> None:
    from aioble_hci.smp.secure_connections import LocalOob

    link = Link(CENTRAL, PERIPHERAL, central_kwargs={"peer_oob": LocalOob.generate().data}).pair()
    assert_failed(link.peripheral, R.OOB_NOT_AVAILABLE)


# -- key distribution (S12-S14) -------------------------------------------------------------------
def test_s12_identity_address_that_is_resolvable_is_invalid_parameters() -> None:
    """S12: Identity Address Information carrying an RPA -> 0x0A."""
    rpa = bytes([1, 2, 3, 4, 5, 0x45])  # top bits 01: resolvable private
    bad = IdentityAddressInformation(1, rpa).to_bytes()
    link = Link(
        CENTRAL,
        PERIPHERAL,
        tamper=replace_code(SmpCode.IDENTITY_ADDRESS_INFORMATION, bad, "peripheral"),
    ).pair()
    assert_failed(link.central, R.INVALID_PARAMETERS)


def test_s13_key_not_negotiated_is_rejected() -> None:
    """S13 (NimBLE peer_bonding_bad): a Signing Information that was not negotiated -> 0x08."""
    central_config = replace(CENTRAL, responder_keys=replace(CENTRAL).responder_keys & ~0x04)
    signing_information = bytes([SmpCode.SIGNING_INFORMATION]) + bytes(16)
    link = Link(
        central_config,
        PERIPHERAL,
        tamper=drop_or_replace("peripheral", {SmpCode.IDENTITY_INFORMATION: signing_information}),
    ).pair()
    assert_failed(link.central, R.UNSPECIFIED_REASON)


def test_s13_keys_out_of_order_are_rejected() -> None:
    """S13: Identity Address Information before Identity Information -> 0x08."""
    # Identity Information withheld: Identity Address Information arrives first.
    withheld = drop_or_replace("peripheral", {SmpCode.IDENTITY_INFORMATION: None})
    link = Link(CENTRAL, PERIPHERAL, tamper=withheld).pair()
    assert_failed(link.central, R.UNSPECIFIED_REASON)


def test_sm_per_kdu_bi_02_c_key_rejected_after_distribution_aborts() -> None:
    """SM/PER/KDU/BI-02-C, S14: central sends Pairing Failed 0x0F after the peripheral's keys."""
    key_rejected = drop_or_replace(
        "central",
        {0x06: bytes([0x05, 0x0F]), 0x07: None, 0x08: None, 0x09: None, 0x0A: None},
    )
    link = Link(LEGACY_CENTRAL, LEGACY_PERIPHERAL, tamper=key_rejected).pair()
    p = link.peripheral
    assert p.complete is None
    assert p.failed == PairingAborted(R.KEY_REJECTED, remote=True)
    sent_keys = [pdu[0] for pdu in p.sent if 0x06 <= pdu[0] <= 0x0A]
    assert sent_keys == [0x06, 0x07, 0x08, 0x09, 0x0A]  # only negotiated keys, in order


# -- policy (P4, P6, P7) --------------------------------------------------------------------------
def test_sm_cen_eks_bi_01_c_key_size_below_minimum_fails() -> None:
    """SM/CEN/EKS/BI-01-C, P6: peripheral offers max key size = our minimum - 1 -> 0x06."""
    link = Link(
        replace(CENTRAL, min_key_size=12), replace(PERIPHERAL, max_key_size=11, min_key_size=7)
    )
    link.pair()
    assert_failed(link.central, R.ENCRYPTION_KEY_SIZE)


def test_sm_per_eks_bi_02_c_key_size_below_minimum_fails() -> None:
    """SM/PER/EKS/BI-02-C, P6: central asks for our minimum - 1 -> peripheral 0x06."""
    link = Link(replace(CENTRAL, max_key_size=15, min_key_size=7), PERIPHERAL)
    link.pair()
    assert_failed(link.peripheral, R.ENCRYPTION_KEY_SIZE)


def test_gap_sec_sem_bv_23_c_sc_only_refuses_legacy_peer() -> None:
    """GAP/SEC/SEM/BV-23-C, P4: SC-only peripheral refuses a legacy-only central (0x03)."""
    link = Link(LEGACY_CENTRAL, replace(PERIPHERAL, sc_only=True)).pair()
    assert_failed(link.peripheral, R.AUTHENTICATION_REQUIREMENTS)


def test_gap_sec_sem_bv_24_c_sc_only_central_refuses_legacy_peripheral() -> None:
    """GAP/SEC/SEM/BV-24-C, P4: SC-only central refuses a legacy-only peripheral."""
    link = Link(replace(CENTRAL, sc_only=True), LEGACY_PERIPHERAL).pair()
    assert_failed(link.central, R.AUTHENTICATION_REQUIREMENTS)


def test_p7_responder_requiring_mitm_refuses_just_works() -> None:
    """P7 (CVE-2026-43334): initiator omits MITM; responder needs it; IO caps only allow Just
    Works -> 0x03, never a silent Just Works."""
    link = Link(CENTRAL, replace(PERIPHERAL, mitm=True, io_capability=IoCapability.DISPLAY_YES_NO))
    link.pair()
    assert_failed(link.peripheral, R.AUTHENTICATION_REQUIREMENTS)


def test_p7_responder_requiring_mitm_forces_an_authenticated_method() -> None:
    """P7: the responder sets MITM itself, so a keyboard central ends in Passkey Entry."""
    link = Link(
        replace(CENTRAL, io_capability=IoCapability.KEYBOARD_ONLY),
        replace(PERIPHERAL, mitm=True, io_capability=IoCapability.DISPLAY_ONLY),
    ).pair()
    complete = link.peripheral.complete
    assert complete is not None and complete.authenticated


def test_initiator_requiring_mitm_refuses_just_works() -> None:
    link = Link(replace(CENTRAL, mitm=True), PERIPHERAL).pair()
    assert_failed(link.central, R.AUTHENTICATION_REQUIREMENTS)


# -- timeout and back-off (S15, S17) --------------------------------------------------------------
def test_sm_cen_prot_bv_01_c_silence_fails_at_30_seconds_and_late_pdu_is_ignored() -> None:
    """SM/CEN/PROT/BV-01-C, S15: no answer to Pairing Request; fail at 30 s; ignore the late
    response; no further SMP on the link."""
    session = central()
    out = run(session.pair, 100.0)
    assert session.get_timer() == 130.0
    assert run(session.handle_timer, 129.9).events == []
    timed_out = run(session.handle_timer, 130.0)
    assert timed_out.events == [PairingAborted(R.UNSPECIFIED_REASON, timed_out=True)]
    assert timed_out.pdus == []
    late = run(session.receive, bytes([0x02, 0x03, 0x00, 0x09, 0x10, 0x07, 0x07]), 131.0)
    assert late.pdus == [] and late.events == []
    again = run(session.pair, 132.0)
    assert again.pdus == [] and again.events == [
        PairingAborted(R.UNSPECIFIED_REASON, timed_out=True)
    ]
    assert out.pdus[0][0] == SmpCode.PAIRING_REQUEST


def test_sm_per_prot_bv_02_c_peripheral_times_out_mid_pairing() -> None:
    """SM/PER/PROT/BV-02-C, S15: central stops answering after the Pairing Response."""
    session = peripheral()
    session.receive(GOOD_REQUEST, 0.0)
    assert run(session.handle_timer, 29.0).events == []
    assert run(session.handle_timer, 30.0).events == [PairingAborted(R.UNSPECIFIED_REASON, timed_out=True)]
    assert run(session.receive, bytes([0x0C]) + bytes(64), 31.0).pdus == []


def test_timer_restarts_on_every_pdu() -> None:
    link = Link(CENTRAL, PERIPHERAL)
    link.central.session.pair(0.0)
    link.take(link.central)
    link.now = 20.0
    link.run()
    assert link.central.complete is not None and link.central.session.get_timer() is None


def test_s17_repeated_attempts_back_off_grows_exponentially() -> None:
    """S17, SM/.../KDU/BI-01-C: after failures, Pairing Failed 0x09 until a growing interval ends."""
    attempts = RepeatedAttempts(initial_interval=2.0)
    session = SmpSession(
        central=False,
        local_address=PERIPHERAL_ADDRESS,
        peer_address=CENTRAL_ADDRESS,
        config=PERIPHERAL,
        attempts=attempts,
    )
    bad_key = bytes([0x0C]) + bytes(64)
    session.receive(GOOD_REQUEST, 0.0)
    session.receive(bad_key, 0.0)  # failure 1 at t=0: wait 2 s
    assert run(session.receive, GOOD_REQUEST, 1.0).pdus == [bytes([0x05, 0x09])]
    session.receive(GOOD_REQUEST, 2.0)
    session.receive(bad_key, 2.0)  # failure 2 at t=2: wait 4 s
    assert run(session.receive, GOOD_REQUEST, 5.0).pdus == [bytes([0x05, 0x09])]
    assert run(session.receive, GOOD_REQUEST, 6.0).pdus[0][0] == SmpCode.PAIRING_RESPONSE


def test_central_honours_peer_repeated_attempts_and_never_shortens_the_wait() -> None:
    """SM/CEN/KDU/BI-01-C: after the peer says Repeated Attempts, the central does not retry early."""
    session = central()
    session.pair(0.0)
    session.receive(bytes([0x05, 0x09]), 0.0)
    out = run(session.pair, 1.0)
    assert out.pdus == [] and out.events == [PairingAborted(R.REPEATED_ATTEMPTS)]
    assert run(session.pair, 2.0).pdus[0][0] == SmpCode.PAIRING_REQUEST


def test_keypress_notifications_are_tolerated() -> None:
    """A Keypress Notification mid-pairing is reported and does not disturb Passkey Entry."""
    link = Link(
        replace(CENTRAL, io_capability=IoCapability.KEYBOARD_ONLY, mitm=True, keypress=True),
        replace(PERIPHERAL, io_capability=IoCapability.DISPLAY_ONLY, mitm=True, keypress=True),
    )

    def hook(side: Side, pdu: bytes) -> bytes | None:
        if (
            side.name == "central"
            and pdu[0] == SmpCode.PAIRING_CONFIRM
            and not link.peripheral.of(PeerKeypress)
        ):
            link._queue.append((link.peripheral, bytes([0x0E, 0x04])))
        return pdu

    link.tamper = hook
    link.pair()
    assert link.peripheral.of(PeerKeypress) == [PeerKeypress(4)]
    assert link.peripheral.complete is not None and link.central.complete is not None


def test_no_keys_after_failure_means_nothing_to_store() -> None:
    link = Link(
        CENTRAL, PERIPHERAL, tamper=flip_last_byte(SmpCode.PAIRING_DHKEY_CHECK, "central")
    ).pair()
    for side in (link.central, link.peripheral):
        assert side.of(PairingComplete) == []
