"""ATT data signing against published known answers (Vol 3 Part H 2.4.5; Signed Write Command,
Vol 3 Part F 3.4.5.4), so a wrong CMAC, key order, counter placement or truncation cannot pass
by agreeing with itself.

The vectors are those Zephyr's SMP self-test (smp_sign_test) and BlueZ's unit/test-crypto.c
(sign_att_1..5) check: the RFC 4493 key as CSRK (kept LSB first, as SMP distributes it) over the
RFC 4493 example message prefixes with SignCounter 0, and BlueZ's own CSRK and PDU with counter 1.
"""

from __future__ import annotations

import pytest

from aioble_hci.att import pdus
from aioble_hci.att.signing import sign, verify

RFC4493_KEY = bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c")
RFC4493_MESSAGE = bytes.fromhex(
    "6bc1bee22e409f96e93d7e117393172a" "ae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52ef" "f69f2445df4f9b17ad2b417be66c3710"
)
CSRK_WIRE = RFC4493_KEY[::-1]


@pytest.mark.parametrize(
    ("length", "signature"),
    [
        (0, "00000000 b3a85941 27ebc2c0"),
        (16, "00000000 273974f4 392a232a"),
        (40, "00000000 b7ca94ab 87c78218"),
        (64, "00000000 44e1e6ce 1df51368"),
    ],
)
def test_att_signature_matches_the_published_cmac_vectors(length: int, signature: str) -> None:
    """Vol 3 Part H 2.4.5: signature = SignCounter (LE32) || 64 MSBs of AES-CMAC(CSRK, m || counter)."""
    expected = bytes.fromhex(signature.replace(" ", ""))
    assert sign(CSRK_WIRE, RFC4493_MESSAGE[:length], 0) == expected
    assert verify(CSRK_WIRE, RFC4493_MESSAGE[:length], expected) == 0


def test_signed_write_command_from_bluez_vector_verifies_and_a_flipped_bit_does_not() -> None:
    """BlueZ sign_att_5: CSRK 50 5E ... 61 (wire order), PDU d2 12 00 13 37, counter 1, gives the
    wire signature 01 00 00 00 F1 87 1E 93 3C 90 0F F2; the ATT decoder and verifier accept that
    Signed Write Command and refuse it with the last octet flipped or with no signature."""
    csrk = bytes.fromhex("505E42DF9691EC72D31FCDFBEB641B61")
    message = bytes.fromhex("d212001337")
    wire_signature = bytes.fromhex("01000000F1871E933C900FF2")
    assert sign(csrk, message, 1) == wire_signature
    decoded = pdus.decode(message + wire_signature)
    assert isinstance(decoded, pdus.SignedWriteCmd)
    assert decoded.attribute_handle == 0x0012 and decoded.attribute_value == b"\x13\x37"
    assert verify(csrk, decoded.signed_part, decoded.authentication_signature) == 1
    flipped = wire_signature[:-1] + bytes((wire_signature[-1] ^ 0x01,))
    assert verify(csrk, message, flipped) is None
    assert verify(csrk, message, b"") is None
