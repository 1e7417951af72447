"""SMP PDU codecs (Vol 3 Part H, 3.5-3.6) and method selection (2.3.5.1, table 2.8)."""

from __future__ import annotations

import pytest

from aioble_hci.address import Address
from aioble_hci.smp.methods import MethodChoice, PairingMethod, PasskeyRole, select_method
from aioble_hci.smp.pdus import (
    AuthReq,
    CentralIdentification,
    EncryptionInformation,
    IdentityAddressInformation,
    IdentityInformation,
    IoCapability,
    KeyDistribution,
    OobDataFlag,
    PairingConfirm,
    PairingDhKeyCheck,
    PairingFailed,
    PairingFailedReason,
    PairingKeypressNotification,
    PairingPublicKey,
    PairingRandom,
    PairingRequest,
    PairingResponse,
    SecurityRequest,
    SigningInformation,
    SmpDecodeError,
    SmpPdu,
    parse_pdu,
)

ALL_PDUS: list[SmpPdu] = [
    PairingRequest(
        IoCapability.KEYBOARD_DISPLAY, OobDataFlag.OOB_AUTH_DATA_NOT_PRESENT, 0x2D, 16, 7, 7
    ),
    PairingResponse(
        IoCapability.DISPLAY_ONLY, OobDataFlag.OOB_AUTH_DATA_FROM_REMOTE_DEVICE_PRESENT, 1, 7, 1, 3
    ),
    PairingConfirm(bytes(range(16))),
    PairingRandom(bytes(range(1, 17))),
    PairingFailed(PairingFailedReason.DHKEY_CHECK_FAILED),
    EncryptionInformation(bytes(range(2, 18))),
    CentralIdentification(0xBEEF, bytes(range(8))),
    IdentityInformation(bytes(range(3, 19))),
    IdentityAddressInformation(0, bytes(range(6))),
    SigningInformation(bytes(range(4, 20))),
    SecurityRequest(0x0D),
    PairingPublicKey(bytes(range(32)), bytes(range(32, 64))),
    PairingDhKeyCheck(bytes(range(5, 21))),
    PairingKeypressNotification(2),
]


@pytest.mark.parametrize("pdu", ALL_PDUS, ids=lambda pdu: type(pdu).__name__)
def test_every_pdu_round_trips(pdu: SmpPdu) -> None:
    assert parse_pdu(pdu.to_bytes()) == pdu


def test_pairing_request_wire_layout() -> None:
    """The c1 sample's preq, MSB-first 07071000000101, is this request on the wire."""
    pdu = parse_pdu(bytes.fromhex("01010000100707"))
    assert pdu == PairingRequest(
        IoCapability.DISPLAY_YES_NO, OobDataFlag.OOB_AUTH_DATA_NOT_PRESENT, 0, 16, 7, 7
    )


def test_central_identification_ediv_is_little_endian() -> None:
    assert CentralIdentification(0x1234, bytes(8)).to_bytes()[:3] == bytes([0x07, 0x34, 0x12])


@pytest.mark.parametrize("pdu", ALL_PDUS, ids=lambda pdu: type(pdu).__name__)
def test_every_pdu_one_octet_longer_is_invalid_parameters(pdu: SmpPdu) -> None:
    with pytest.raises(SmpDecodeError) as caught:
        parse_pdu(pdu.to_bytes() + b"\x00")
    assert caught.value.reason is PairingFailedReason.INVALID_PARAMETERS


def test_unknown_pairing_failed_reason_still_decodes() -> None:
    pdu = parse_pdu(bytes([0x05, 0x42]))
    assert isinstance(pdu, PairingFailed) and pdu.reason == 0x42


def test_rfu_bits_are_dropped_from_flags() -> None:
    assert (
        AuthReq.known(0xFF)
        == AuthReq.BONDING | AuthReq.MITM | AuthReq.SC | AuthReq.KEYPRESS | AuthReq.CT2
    )
    assert KeyDistribution.known(0xFF) == KeyDistribution(0x0F)


def test_identity_address_information_from_address() -> None:
    address = Address.parse("c0:01:02:03:04:05/random")
    pdu = IdentityAddressInformation.for_address(address)
    assert pdu.address_type == 1 and pdu.identity_address == address


D, DYN, K, NIO, KD = (
    IoCapability.DISPLAY_ONLY,
    IoCapability.DISPLAY_YES_NO,
    IoCapability.KEYBOARD_ONLY,
    IoCapability.NO_INPUT_NO_OUTPUT,
    IoCapability.KEYBOARD_DISPLAY,
)
JW, PE, NC, OOB = (
    PairingMethod.JUST_WORKS,
    PairingMethod.PASSKEY_ENTRY,
    PairingMethod.NUMERIC_COMPARISON,
    PairingMethod.OOB,
)


def choose(initiator: IoCapability, responder: IoCapability, sc: bool, **kw: bool) -> MethodChoice:
    args = dict(initiator_oob=False, responder_oob=False, initiator_mitm=True, responder_mitm=False)
    args.update(kw)
    return select_method(
        secure_connections=sc, initiator_io=initiator, responder_io=responder, **args
    )


@pytest.mark.parametrize(
    ("initiator", "responder", "legacy", "sc"),
    [
        (D, D, JW, JW),
        (DYN, DYN, JW, NC),
        (KD, DYN, PE, NC),
        (DYN, KD, PE, NC),
        (KD, KD, PE, NC),
        (K, D, PE, PE),
        (K, K, PE, PE),
        (NIO, KD, JW, JW),
        (KD, NIO, JW, JW),
        (D, K, PE, PE),
    ],
)
def test_table_2_8(
    initiator: IoCapability, responder: IoCapability, legacy: PairingMethod, sc: PairingMethod
) -> None:
    assert choose(initiator, responder, False).method is legacy
    assert choose(initiator, responder, True).method is sc


def test_passkey_roles_follow_the_table() -> None:
    assert choose(K, D, True).passkey_role is PasskeyRole.RESPONDER_DISPLAYS
    assert choose(D, K, True).passkey_role is PasskeyRole.INITIATOR_DISPLAYS
    assert choose(K, K, True).passkey_role is PasskeyRole.BOTH_INPUT
    assert choose(DYN, KD, False).passkey_role is PasskeyRole.INITIATOR_DISPLAYS
    assert choose(KD, DYN, False).passkey_role is PasskeyRole.RESPONDER_DISPLAYS


def test_no_mitm_on_either_side_is_just_works() -> None:
    assert choose(KD, KD, True, initiator_mitm=False).method is JW


def test_sc_oob_when_either_flag_is_set_legacy_only_when_both() -> None:
    assert choose(NIO, NIO, True, initiator_oob=True).method is OOB
    assert choose(NIO, NIO, False, initiator_oob=True).method is JW
    assert choose(NIO, NIO, False, initiator_oob=True, responder_oob=True).method is OOB


def test_just_works_is_the_only_unauthenticated_method() -> None:
    assert not choose(NIO, NIO, True).authenticated
    assert choose(DYN, DYN, True).authenticated
    assert choose(K, D, False).authenticated
