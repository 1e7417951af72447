"""SMP toolbox against the spec's sample data (security-and-conformance.md section 2)."""

from __future__ import annotations

import pytest

from aioble_hci.smp import toolbox
from aioble_hci.smp.toolbox import (
    DEBUG_PRIVATE_KEY,
    DEBUG_PUBLIC_X,
    DEBUG_PUBLIC_Y,
    InvalidPublicKeyError,
    P256KeyPair,
)


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


RFC_KEY = h("2b7e1516 28aed2a6 abf71588 09cf4f3c")
M64 = h(
    "6bc1bee2 2e409f96 e93d7e11 7393172a ae2d8a57 1e03ac9c 9eb76fac 45af8e51"
    "30c81c46 a35ce411 e5fbc119 1a0a52ef f69f2445 df4f9b17 ad2b417b e66c3710"
)

U = h("20b003d2 f297be2c 5e2c83a7 e9f9a5b9 eff49111 acf4fddb cc030148 0e359de6")
V = h("55188b3d 32f6bb9a 900afcfb eed4e72a 59cb9ac2 f19d7cfb 6b4fdd49 f47fc5fd")
X = h("d5cb8454 d177733e ffffb2ec 712baeab")
W = h("ec0234a3 57c8ad05 341010a6 0a397d9b 99796b13 b4f866f1 868d34f3 73bfa698")
N1 = X
N2 = h("a6e8e7cc 25a75f6e 216583f7 ff3dc4cf")
A1 = h("00561237 37bfce")
A2 = h("00a71370 2dcfc1")
MAC_KEY = h("2965f176 a1084a02 fd3f6a20 ce636e20")


def test_aes_128_rfc_key_gives_the_cmac_subkey_l() -> None:
    assert toolbox.e(RFC_KEY, bytes(16)) == h("7df76b0c 1ab899b3 3e42f047 b91b546f")


@pytest.mark.parametrize(
    ("length", "expected"),
    [
        (0, "bb1d6929 e9593728 7fa37d12 9b756746"),
        (16, "070a16b4 6b4d4144 f79bdd9d d04a287c"),
        (40, "dfa66747 de9ae630 30ca3261 1497c827"),
        (64, "51f0bebf 7e3b9d92 fc497417 79363cfe"),
    ],
)
def test_aes_cmac_rfc4493_examples(length: int, expected: str) -> None:
    assert toolbox.aes_cmac(RFC_KEY, M64[:length]) == h(expected)


def test_c1_legacy_confirm_sample() -> None:
    result = toolbox.c1(
        bytes(16),
        h("5783D521 56AD6F0E 6388274E C6702EE0"),
        preq=h("07071000000101"),
        pres=h("05000800000302"),
        iat=1,
        ia=h("A1A2A3A4A5A6"),
        rat=0,
        ra=h("B1B2B3B4B5B6"),
    )
    assert result == h("1e1e3fef 878988ea d2a74dc5 bef13b86")


def test_s1_legacy_stk_sample() -> None:
    r1 = h("000F0E0D 0C0B0A09 11223344 55667788")
    r2 = h("01020304 05060708 99AABBCC DDEEFF00")
    assert toolbox.s1(bytes(16), r1, r2) == h("9a1fe1f0 e8b0f49b 5b4216ae 796da062")


def test_ah_sample_in_spec_order() -> None:
    assert toolbox.ah(h("ec0234a3 57c8ad05 341010a6 0a397d9b"), h("708194")) == h("0dfbaa")


def test_ah_le_is_ah_with_every_value_reversed() -> None:
    irk_le = h("ec0234a3 57c8ad05 341010a6 0a397d9b")[::-1]
    assert toolbox.ah_le(irk_le, h("948170")) == h("aafb0d")


def test_rpa_made_from_the_sample_irk_resolves_and_a_changed_one_does_not() -> None:
    irk_le = h("ec0234a3 57c8ad05 341010a6 0a397d9b")[::-1]
    rpa = h("aafb0d") + h("948170")  # Address.value order: hash LSB-first, then prand
    assert toolbox.rpa_matches_le(irk_le, rpa)
    assert not toolbox.rpa_matches_le(irk_le, bytes([rpa[0] ^ 1]) + rpa[1:])


def test_f4_sample() -> None:
    assert toolbox.f4(U, V, X, 0) == h("f2c916f1 07a9bd1c f1eda1be a974872d")


def test_f5_sample_gives_mackey_and_ltk() -> None:
    mac_key, ltk = toolbox.f5(W, N1, N2, A1, A2)
    assert toolbox.aes_cmac(toolbox.SALT_F5, W) == h("3c128f20 de883288 97624bdb 8dac6989")
    assert mac_key == MAC_KEY
    assert ltk == h("69867911 69d7cd23 980522b5 94750a38")


def test_f6_sample() -> None:
    r = h("12a3343b b453bb54 08da42d2 0c2d0fc8")
    result = toolbox.f6(MAC_KEY, N1, N2, r, h("010102"), A1, A2)
    assert result == h("e3c47398 9cd0e8c5 d26c0b09 da958f61")


def test_g2_sample_and_displayed_number() -> None:
    y = h("a6e8e7cc 25a75f6e 216583f7 ff3dc4cf")
    value = toolbox.g2(U, V, X, y)
    assert toolbox.aes_cmac(X, U + V + y) == h("1536d18d e3d20df9 9b7044c1 2f9ed5ba")
    assert value == 0x2F9ED5BA
    assert value % 1_000_000 == 938554


def test_f4_and_g2_do_not_validate_v_as_a_public_key() -> None:
    """The sample V is private key B, not an X coordinate: the helpers must accept it."""
    assert len(toolbox.f4(U, V, X, 0)) == 16


def test_h6_sample() -> None:
    w = h("ec0234a3 57c8ad05 341010a6 0a397d9b")
    assert toolbox.h6(w, b"lebr") == h("2d9ae102 e76dc91c e8d3a9e2 80b16399")


def test_h7_sample() -> None:
    w = h("ec0234a3 57c8ad05 341010a6 0a397d9b")
    salt = h("00000000 00000000 00000000 746d7031")
    assert toolbox.h7(salt, w) == h("fb173597 c6a3c0ec d2998c2a 75a57011")


LTK_CTKD = h("368df9bc e3264b58 bd066c33 334fbf64")
LK_CTKD = h("05040302 01000908 07060504 03020100")


def test_ctkd_ltk_to_link_key_ct2_0() -> None:
    assert toolbox.h6(toolbox.h6(LTK_CTKD, b"tmp1"), b"lebr") == h(
        "bc1ca4ef 633fc1bd 0d8230af ee388fb0"
    )


def test_ctkd_ltk_to_link_key_ct2_1() -> None:
    salt = bytes(12) + b"tmp1"
    assert toolbox.h6(toolbox.h7(salt, LTK_CTKD), b"lebr") == h(
        "287ad379 dca40253 0a39f1f4 3047b835"
    )


def test_ctkd_link_key_to_ltk_ct2_0() -> None:
    """SM/CEN/SCCT/BV-03-C: derive the LE LTK from a BR/EDR link key with h6 (CT2 = 0)."""
    assert toolbox.h6(toolbox.h6(LK_CTKD, b"tmp2"), b"brle") == h(
        "a813fb72 f1a3dfa1 8a2c9a43 f10d0a30"
    )


def test_ctkd_link_key_to_ltk_ct2_1() -> None:
    """SM/CEN/SCCT/BV-05-C: derive the LE LTK from a BR/EDR link key with h7 (CT2 = 1)."""
    salt = bytes(12) + b"tmp2"
    assert toolbox.h6(toolbox.h7(salt, LK_CTKD), b"brle") == h(
        "e85e09eb 5eccb3e2 69418a13 3211bc79"
    )


def test_debug_key_pair_public_coordinates() -> None:
    pair = P256KeyPair.from_private_value(DEBUG_PRIVATE_KEY)
    assert pair.x == DEBUG_PUBLIC_X
    assert pair.y == DEBUG_PUBLIC_Y


def test_p256_data_set_1_dhkey() -> None:
    a = P256KeyPair.from_private_value(DEBUG_PRIVATE_KEY)
    b = P256KeyPair.from_private_value(int.from_bytes(V, "big"))
    assert b.x == h("1ea1f0f0 1faf1d96 09592284 f19e4c00 47b58afd 8615a69f 559077b2 2faaa190")
    assert b.y == h("4c55f33e 429dad37 7356703a 9ab85160 472d1130 e28e3676 5f89aff9 15b1214a")
    assert a.dh_key(b.x, b.y) == W
    assert b.dh_key(a.x, a.y) == W


def test_p256_data_set_2_dhkey() -> None:
    a = P256KeyPair.from_private_value(
        int("06a516693c9aa31a6084545d0c5db641b48572b97203ddffb7ac73f7d0457663", 16)
    )
    b = P256KeyPair.from_private_value(
        int("529aa0670d72cd6497502ed473502b037e8803b5c60829a5a3caa219505530ba", 16)
    )
    assert b.x == h("f465e43f f23d3f1b 9dc7dfc0 4da87581 84dbc966 204796ec cf0d6cf5 e16500cc")
    assert b.y == h("0201d048 bcbbd899 eeefc424 164e33c2 01c2b010 ca6b4d43 a8a155ca d8ecb279")
    expected = h("ab85843a 2f6d883f 62e5684b 38e30733 5fe6e194 5ecd1960 4105c6f2 3221eb69")
    assert a.dh_key(b.x, b.y) == expected


def test_public_key_with_y_zero_is_rejected() -> None:
    local = P256KeyPair.generate()
    with pytest.raises(InvalidPublicKeyError):
        local.dh_key(DEBUG_PUBLIC_X, bytes(32))


def test_public_key_zero_zero_is_rejected() -> None:
    local = P256KeyPair.generate()
    with pytest.raises(InvalidPublicKeyError):
        local.dh_key(bytes(32), bytes(32))


def test_public_key_with_one_y_bit_flipped_is_rejected() -> None:
    local = P256KeyPair.generate()
    y = bytearray(DEBUG_PUBLIC_Y)
    y[-1] ^= 1
    with pytest.raises(InvalidPublicKeyError):
        local.dh_key(DEBUG_PUBLIC_X, bytes(y))


def test_our_own_public_key_reflected_is_rejected() -> None:
    local = P256KeyPair.generate()
    with pytest.raises(InvalidPublicKeyError):
        local.dh_key(local.x, local.y)


def test_negated_point_with_our_x_is_rejected() -> None:
    local = P256KeyPair.generate()
    p = 2**256 - 2**224 + 2**192 + 2**96 - 1
    negated_y = (p - int.from_bytes(local.y, "big")).to_bytes(32, "big")
    with pytest.raises(InvalidPublicKeyError):
        local.dh_key(local.x, negated_y)


def test_wrong_length_input_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="irk must be 16 octets"):
        toolbox.ah(bytes(15), bytes(3))
