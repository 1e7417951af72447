"""MicroPython's `random` (extmod/modrandom.c) under the shims: the Yasmarang stream, so the same
seed gives a board's numbers.

No published outputs of MicroPython's random exist (its own tests/extmod/random_*.py check ranges,
not values), so the expected values come from two places independent of aioble_hci.mpy.mprandom:

* by hand, from the published definition of Yasmarang (Ilya Levin) with modrandom.c's seed()
  (pad = seed, n = 69, d = 233, dat = 0), all arithmetic on uint32 and dat on uint8. seed(1):
    pad += dat + d*n        -> 1 + 0 + 233*69 = 16078
    pad = (pad<<3) + (pad>>29) -> 128624 (0x1F670)
    n = pad | 2             -> 128626
    d ^= (pad<<31) + (pad>>1) -> pad even, so 233 ^ 64312 = 0xE9 ^ 0xFB38 = 0xFBD1
    dat ^= (char)pad ^ (d>>8) ^ 1 -> 0x70 ^ 0xFB ^ 1 = 0x8A
    out = pad ^ (d<<5) ^ (pad>>18) ^ (dat<<1) -> 0x1F670 ^ 0x1F7A20 ^ 0 ^ 0x114 = 0x1E8D44 = 2002244
* the other values by running that same definition written in C (uint32_t/uint8_t state, the
  randbelow mask-and-retry loop of modrandom.c, and the 52-bit double fraction), compiled with gcc.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from aioble_hci import mpy


@pytest.fixture
def mp_random() -> Iterator[object]:
    with mpy.installed():
        import random

        yield random


def test_seed_1_gives_the_hand_stepped_first_output_and_the_next_three(mp_random) -> None:
    mp_random.seed(1)
    assert [mp_random.getrandbits(32) for _ in range(4)] == [2002244, 1862853106, 2677483614, 156226652]


def test_randint_draws_by_mask_and_retry_as_a_board(mp_random) -> None:
    # MicroPython's ble_l2cap test seeds 22 and fills its payloads with randint(0, 255).
    mp_random.seed(22)
    assert [mp_random.randint(0, 255) for _ in range(8)] == [124, 150, 254, 155, 52, 42, 17, 57]


def test_getrandbits_keeps_the_low_bits_of_one_output(mp_random) -> None:
    mp_random.seed(0)
    assert [mp_random.getrandbits(8) for _ in range(4)] == [236, 80, 115, 87]
    assert mp_random.getrandbits(0) == 0
    with pytest.raises(ValueError, match="bits must be 32 or less"):
        mp_random.getrandbits(33)


def test_randrange_and_choice_use_randbelow(mp_random) -> None:
    mp_random.seed(5)
    assert [mp_random.randrange(10, 20) for _ in range(5)] == [14, 11, 17, 17, 16]
    mp_random.seed(7)
    assert [mp_random.choice("abcde") for _ in range(5)] == ["e", "a", "e", "d", "a"]
    mp_random.seed(7)
    assert mp_random.randrange(0, 50, 10) == 40  # 5 values: 0 + 10 * randbelow(5), first draw 4
    with pytest.raises(ValueError):
        mp_random.randrange(5, 5)
    with pytest.raises(IndexError):
        mp_random.choice([])


def test_random_and_uniform_fill_a_double_fraction_from_two_outputs(mp_random) -> None:
    mp_random.seed(5)
    assert mp_random.random() == 0.90683418677504357
    mp_random.seed(5)
    assert mp_random.uniform(10, 20) == 10 + 10 * 0.90683418677504357


def test_seed_is_truncated_to_32_bits(mp_random) -> None:
    mp_random.seed(-1)  # 0xFFFFFFFF as a C uint32
    assert mp_random.getrandbits(32) == 2002036
    mp_random.seed(0x1_0000_0001)
    assert mp_random.getrandbits(32) == 2002244  # the same as seed(1)


def test_urandom_is_the_same_module_and_other_names_are_cpythons(mp_random) -> None:
    import urandom

    assert urandom is mp_random
    assert callable(mp_random.shuffle)  # not in MicroPython; CPython's, for library code


def test_uninstall_puts_cpython_random_back() -> None:
    import random as before

    with mpy.installed():
        import random as during

        assert during is not before
    import random as after

    assert after is before


def test_aioble_hci_run_gives_the_board_stream() -> None:
    code = "import random; random.seed(22); print([random.randint(0, 255) for _ in range(4)])"
    result = subprocess.run([sys.executable, "-m", "aioble_hci.mpy", "-c", code], capture_output=True,
                            text=True, timeout=60)
    assert result.stdout == "[124, 150, 254, 155]\n", result.stderr
