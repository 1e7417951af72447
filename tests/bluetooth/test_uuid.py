"""bluetooth.UUID against MicroPython's rules (aioble-api.md 14a, multitest-protocol.md)."""

from __future__ import annotations

import array
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import bluetooth
from aioble_hci.uuid import UUID as CoreUUID
from bluetooth import UUID

NUS = "6e400001-b5a3-f393-e0a9-e50e24dcca9e"
NUS_LE = bytes.fromhex(NUS.replace("-", ""))[::-1]


def test_int_makes_a_16_bit_uuid() -> None:
    assert bytes(UUID(0x180F)) == b"\x0f\x18"


def test_small_int_is_still_16_bit() -> None:
    assert bytes(UUID(1)) == b"\x01\x00"


def test_int_above_16_bits_is_invalid() -> None:
    with pytest.raises(ValueError, match="invalid UUID"):
        UUID(0x10000)


def test_negative_int_wraps_to_16_bits_like_micropython_masking() -> None:
    assert UUID(-1) == UUID(0xFFFF)


def test_bool_is_not_an_int_and_has_no_buffer() -> None:
    with pytest.raises(TypeError, match="buffer protocol"):
        UUID(True)


def test_two_byte_buffer_is_little_endian_16_bit() -> None:
    assert UUID(b"\x0f\x18") == UUID(0x180F)


def test_four_byte_buffer_is_a_32_bit_uuid() -> None:
    assert repr(UUID(bytearray(b"\x78\x56\x34\x12"))) == "UUID(0x12345678)"


def test_sixteen_byte_buffer_is_a_128_bit_uuid() -> None:
    assert repr(UUID(NUS_LE)) == f"UUID('{NUS}')"


def test_memoryview_and_array_are_buffers() -> None:
    assert UUID(memoryview(b"\x0f\x18")) == UUID(0x180F)
    assert UUID(array.array("B", [0x0F, 0x18])) == UUID(0x180F)


def test_four_character_str_is_a_32_bit_uuid_of_its_ascii_bytes() -> None:
    assert repr(UUID("AB12")) == "UUID(0x32314241)"


def test_two_character_str_is_a_16_bit_uuid_of_its_ascii_bytes() -> None:
    assert UUID("AB") == UUID(0x4241)


def test_sixteen_character_str_is_16_raw_bytes() -> None:
    assert bytes(UUID("0123456789abcdef")) == b"0123456789abcdef"


def test_str_length_counts_utf8_octets() -> None:
    assert bytes(UUID("é\u00e9")) == "éé".encode()  # 2 characters, 4 octets: 32-bit


def test_canonical_str_is_a_128_bit_uuid() -> None:
    assert bytes(UUID(NUS)) == NUS_LE


def test_hex_str_is_case_insensitive() -> None:
    assert UUID(NUS.upper()) == UUID(NUS)


def test_dashes_are_ignored_anywhere() -> None:
    assert UUID("6e-400001b5a3f393e0a9e50e24dcca9e-") == UUID(NUS)


def test_hex_bytes_of_other_lengths_are_parsed_too() -> None:
    assert UUID(NUS.encode()) == UUID(NUS)


def test_non_hex_char_is_invalid() -> None:
    with pytest.raises(ValueError, match="invalid char in UUID"):
        UUID("6e400001-b5a3-f393-e0a9-e50e24dcca9g")


def test_0x_prefixed_str_is_not_an_int() -> None:
    with pytest.raises(ValueError, match="invalid char in UUID"):
        UUID("0x180F")


def test_too_many_digits() -> None:
    with pytest.raises(ValueError, match="UUID too long"):
        UUID(NUS + "0")


def test_too_few_digits() -> None:
    with pytest.raises(ValueError, match="UUID too short"):
        UUID("0000180f")


def test_empty_str_is_too_short() -> None:
    with pytest.raises(ValueError, match="UUID too short"):
        UUID("")


def test_object_without_buffer_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="buffer protocol"):
        UUID(1.5)


def test_uuid_of_a_uuid_copies_it() -> None:
    original = UUID(NUS)
    copy = UUID(original)
    assert copy == original and bytes(copy) == bytes(original)


def test_repr_16_bit_is_lower_case_zero_padded() -> None:
    assert repr(UUID(0xABC)) == "UUID(0x0abc)"


def test_repr_32_bit_is_zero_padded_to_8_digits() -> None:
    assert repr(UUID(b"\x01\x00\x00\x00")) == "UUID(0x00000001)"


def test_str_equals_repr() -> None:
    for u in (UUID(0x180F), UUID("AB12"), UUID(NUS)):
        assert str(u) == repr(u)


def test_16_bit_differs_from_its_128_bit_base_form() -> None:
    assert UUID(0x180F) != UUID("0000180f-0000-1000-8000-00805f9b34fb")


def test_16_bit_differs_from_the_same_value_in_32_bits() -> None:
    assert UUID(0x180F) != UUID(b"\x0f\x18\x00\x00")


def test_comparison_with_non_uuid_is_false() -> None:
    assert UUID(0x180F) != 0x180F
    assert not (UUID(0x180F) == b"\x0f\x18")


def test_ordering_against_non_uuid_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        assert UUID(1) < 2


def test_different_sizes_order_by_size() -> None:
    assert UUID(0xFFFF) < UUID(b"\x00\x00\x00\x00") < UUID(bytes(16))
    assert UUID(bytes(16)) > UUID(0xFFFF)


def test_same_size_orders_by_little_endian_bytes() -> None:
    # 0x1800 is 00 18 on the wire, 0x0001 is 01 00: the first octet decides.
    assert UUID(0x1800) < UUID(0x0001)
    assert UUID(0x1800) <= UUID(0x1800) and UUID(0x0001) >= UUID(0x1800)


def test_sorted_list_of_mixed_uuids() -> None:
    items = [UUID(NUS), UUID(0x0001), UUID("AB12"), UUID(0x2A00), UUID(0x1800)]
    assert sorted(items) == [UUID(0x1800), UUID(0x2A00), UUID(0x0001), UUID("AB12"), UUID(NUS)]


def test_hash_is_consistent_with_equality() -> None:
    assert hash(UUID(0x180F)) == hash(UUID(b"\x0f\x18"))
    assert len({UUID(0x180F), UUID(b"\x0f\x18"), UUID(b"\x0f\x18\x00\x00")}) == 2


def test_membership_in_a_list_uses_equality() -> None:
    assert UUID(0x181A) in [UUID(0x180F), UUID(b"\x1a\x18")]


def test_bytes_length_gives_the_size() -> None:
    assert [len(bytes(u)) for u in (UUID(1), UUID("AB12"), UUID(NUS))] == [2, 4, 16]


def test_uuid_is_immutable() -> None:
    with pytest.raises(AttributeError):
        UUID(1)._data = b"\x02\x00"


def test_pickles_to_an_equal_uuid() -> None:
    assert pickle.loads(pickle.dumps(UUID(NUS))) == UUID(NUS)


def test_converts_to_the_core_uuid_keeping_its_size() -> None:
    core = UUID("AB12").to_core()
    assert isinstance(core, CoreUUID) and core.to_le_bytes() == b"AB12"


def test_converts_from_the_core_uuid_keeping_its_kept_form() -> None:
    assert UUID.from_core(CoreUUID(0x12345678)) == UUID(b"\x78\x56\x34\x12")
    assert UUID.from_core(CoreUUID(NUS)) == UUID(NUS)


def test_constructor_accepts_a_core_uuid() -> None:
    assert UUID(CoreUUID(0x180F)) == UUID(0x180F)


def test_flag_constants_have_micropython_values() -> None:
    assert [
        bluetooth.FLAG_BROADCAST,
        bluetooth.FLAG_READ,
        bluetooth.FLAG_WRITE_NO_RESPONSE,
        bluetooth.FLAG_WRITE,
        bluetooth.FLAG_NOTIFY,
        bluetooth.FLAG_INDICATE,
        bluetooth.FLAG_AUTHENTICATED_SIGNED_WRITE,
        bluetooth.FLAG_AUX_WRITE,
        bluetooth.FLAG_READ_ENCRYPTED,
        bluetooth.FLAG_READ_AUTHENTICATED,
        bluetooth.FLAG_READ_AUTHORIZED,
        bluetooth.FLAG_WRITE_ENCRYPTED,
        bluetooth.FLAG_WRITE_AUTHENTICATED,
        bluetooth.FLAG_WRITE_AUTHORIZED,
    ] == [1, 2, 4, 8, 0x10, 0x20, 0x40, 0x100, 0x200, 0x400, 0x800, 0x1000, 0x2000, 0x4000]


def test_importing_bluetooth_loads_nothing_of_the_host() -> None:
    code = (
        "import sys, bluetooth; "
        "print(sorted(m for m in sys.modules if m.startswith(('aioble', 'asyncio', 'threading'))))"
    )
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo
    )
    assert out.stdout.strip() == "[]"
