"""Random static, non-resolvable and resolvable private addresses, and their rotation."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from aioble_hci.address import Address, AddressType
from aioble_hci.gap.privacy import (
    DEFAULT_RPA_TIMEOUT,
    PrivateAddressRotation,
    generate_nrpa,
    generate_rpa,
    generate_static_address,
    make_prand,
    resolve_identity,
    resolve_rpa,
    rpa_matches,
)

# Core Vol 3 Part H, Appendix D.7 (ah): IRK ec0234a3..., prand 708194 -> hash 0dfbaa (MSB first).
SPEC_IRK = bytes.fromhex("ec0234a357c8ad05341010a60a397d9b")[::-1]  # LSB-first, as SMP carries it
SPEC_RPA = Address.parse("70:81:94:0d:fb:aa/random")
OTHER_IRK = bytes(range(16))


def sequence(*chunks: bytes) -> Callable[[int], bytes]:
    """An rng handing out the given octet strings in turn."""
    it = iter(chunks)
    return lambda n: next(it)[:n]


def counting_rng() -> Callable[[int], bytes]:
    """A deterministic rng: 1, 2, 3, ... as little-endian octets."""
    counter = itertools.count(1)
    return lambda n: next(counter).to_bytes(n, "little")


def test_rpa_from_the_spec_ah_vector() -> None:
    assert generate_rpa(SPEC_IRK, prand=0x708194) == SPEC_RPA


def test_spec_rpa_resolves_with_its_irk() -> None:
    assert rpa_matches(SPEC_RPA, SPEC_IRK)


def test_rpa_with_one_bit_changed_does_not_resolve() -> None:
    changed = Address(bytes([SPEC_RPA.value[0] ^ 1]) + SPEC_RPA.value[1:], AddressType.RANDOM)
    assert not rpa_matches(changed, SPEC_IRK)


def test_generated_rpa_has_resolvable_top_bits_and_resolves() -> None:
    rpa = generate_rpa(OTHER_IRK)
    assert rpa.is_resolvable and rpa.type == AddressType.RANDOM
    assert rpa_matches(rpa, OTHER_IRK) and not rpa_matches(rpa, SPEC_IRK)


def test_prand_with_wrong_top_bits_is_refused() -> None:
    with pytest.raises(ValueError, match="top bits 0b01"):
        generate_rpa(SPEC_IRK, prand=0xC08194)


def test_irk_of_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="16 octets"):
        generate_rpa(bytes(15))


def test_prand_random_part_all_zeros_or_ones_is_drawn_again() -> None:
    rng = sequence(b"\x00\x00\x00", b"\xff\xff\xff", b"\x05\x00\x00")
    assert make_prand(rng) == 0x400005


def test_resolve_against_a_list_returns_the_matching_irk() -> None:
    assert resolve_rpa(SPEC_RPA, [OTHER_IRK, SPEC_IRK]) == SPEC_IRK


def test_resolve_against_a_list_without_its_irk_is_none() -> None:
    assert resolve_rpa(SPEC_RPA, [OTHER_IRK]) is None


def test_resolve_identity_returns_the_key_of_the_matching_irk() -> None:
    identity = Address.parse("c0:00:00:00:00:01/random")
    assert resolve_identity(SPEC_RPA, {"other": OTHER_IRK, identity: SPEC_IRK}) == identity


def test_non_resolvable_address_never_resolves() -> None:
    static = Address.parse("70:81:94:0d:fb:aa/public")  # same bits, but a public address
    assert resolve_rpa(static, [SPEC_IRK]) is None and not rpa_matches(static, SPEC_IRK)


def test_static_address_has_top_bits_11() -> None:
    address = generate_static_address()
    assert address.is_static and address.type == AddressType.RANDOM


def test_static_address_random_part_all_ones_is_drawn_again() -> None:
    rng = sequence(b"\xff" * 6, b"\x01" + bytes(5))
    assert generate_static_address(rng) == Address(b"\x01" + bytes(4) + b"\xc0", AddressType.RANDOM)


def test_nrpa_has_top_bits_00() -> None:
    assert generate_nrpa().is_non_resolvable


def test_nrpa_equal_to_the_public_address_is_drawn_again() -> None:
    public = Address(b"\x01" + bytes(5), AddressType.PUBLIC)
    rng = sequence(b"\x01" + bytes(5), b"\x02" + bytes(5))
    assert generate_nrpa(rng, public=public).value == b"\x02" + bytes(5)


def test_rotation_makes_an_address_on_first_update() -> None:
    rotation = PrivateAddressRotation(SPEC_IRK)
    address = rotation.update(now=100.0)
    assert address is not None and rpa_matches(address, SPEC_IRK)
    assert rotation.expires_at == 100.0 + DEFAULT_RPA_TIMEOUT


def test_rotation_keeps_the_address_before_the_timeout() -> None:
    rotation = PrivateAddressRotation(SPEC_IRK, timeout=60, rng=counting_rng())
    first = rotation.update(now=0.0)
    assert rotation.update(now=59.9) is None and rotation.address == first
    assert rotation.seconds_until_rotation(now=30.0) == 30.0


def test_rotation_changes_the_address_at_the_timeout() -> None:
    rotation = PrivateAddressRotation(SPEC_IRK, timeout=60, rng=counting_rng())
    first = rotation.update(now=0.0)
    second = rotation.update(now=60.0)
    assert second is not None and second != first and rpa_matches(second, SPEC_IRK)
    assert rotation.expires_at == 120.0


def test_rotation_without_irk_uses_non_resolvable_addresses() -> None:
    address = PrivateAddressRotation().update(now=0.0)
    assert address is not None and address.is_non_resolvable


def test_forced_rotation_restarts_the_timer() -> None:
    rotation = PrivateAddressRotation(timeout=60, rng=counting_rng())
    rotation.update(now=0.0)
    rotation.rotate(now=10.0)
    assert rotation.seconds_until_rotation(now=10.0) == 60.0


def test_rotation_refuses_a_non_positive_timeout() -> None:
    with pytest.raises(ValueError, match="positive"):
        PrivateAddressRotation(timeout=0)
