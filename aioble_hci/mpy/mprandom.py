"""MicroPython's ``random`` module (extmod/modrandom.c) for programs run by ``aioble-hci run``.

A board's ``random`` is Ilya Levin's Yasmarang generator, not CPython's Mersenne Twister, so a
program that seeds ``random`` on both sides of a link to make and check the same test data (as
MicroPython's own ble_l2cap test does) needs the same stream here. This module gives the same
numbers as a board for the same seed: ``seed``, ``getrandbits`` (at most 32 bits), ``randrange``,
``randint`` and ``choice`` (a value below n is drawn by masking a Yasmarang output to the
smallest all-ones mask covering n and retrying while it is >= n), ``random`` and ``uniform``
(the fraction bits of a float in [1, 2) filled from Yasmarang, minus 1). Floats are built as
on a double-precision port (52 fraction bits from two outputs: the unix port, and boards built
with double floats); a single-precision board (23 bits from one output) gives other floats.

Any other name (``shuffle``, ``Random``, ...) is CPython's, so library code importing ``random``
after the shims are installed keeps working; those do not use the Yasmarang stream.
"""

from __future__ import annotations

import os
import random as _cpython_random
from collections.abc import Sequence
from typing import Any, TypeVar

T = TypeVar("T")

_MASK32 = 0xFFFFFFFF
_FRACTION_BITS = 52  # an IEEE 754 double's fraction


class Yasmarang:
    """The generator's state: pad, n, d and the 8-bit dat, exactly as modrandom.c keeps them."""

    def __init__(self, seed: int = 0xEDA4BABA) -> None:
        self.pad = 0
        self.n = 0
        self.d = 0
        self.dat = 0
        self.seed(seed)

    def seed(self, value: int) -> None:
        """modrandom.c's seed(): pad = the seed truncated to 32 bits, n = 69, d = 233, dat = 0."""
        self.pad = value & _MASK32
        self.n = 69
        self.d = 233
        self.dat = 0

    def next(self) -> int:
        """One 32-bit output (the published algorithm with C's uint32/uint8 wrap-around)."""
        pad = (self.pad + self.dat + self.d * self.n) & _MASK32
        pad = ((pad << 3) + (pad >> 29)) & _MASK32
        self.pad = pad
        self.n = pad | 2
        self.d = (self.d ^ (((pad << 31) + (pad >> 1)) & _MASK32)) & _MASK32
        self.dat = (self.dat ^ pad ^ (self.d >> 8) ^ 1) & 0xFF
        return (pad ^ (self.d << 5) ^ (pad >> 18) ^ (self.dat << 1)) & _MASK32

    def below(self, n: int) -> int:
        """A value in [0, n) for 0 < n < 2**32 (modrandom.c's yasmarang_randbelow)."""
        mask = 1
        while (n & mask) < n:
            mask = (mask << 1) | 1
        while True:
            r = self.next() & mask
            if r < n:
                return r

    def fraction(self) -> float:
        """A float in [0, 1): 52 fraction bits from two outputs (first in the high word)."""
        high, low = self.next(), self.next()
        bits = ((high << 32) | low) & ((1 << _FRACTION_BITS) - 1)
        return bits / (1 << _FRACTION_BITS)


_state = Yasmarang(int.from_bytes(os.urandom(4), "little"))  # a board seeds from its RNG at import


def _as_int(value: Any) -> int:
    if isinstance(value, float):
        raise TypeError("can't convert float to int")
    return int(value)


def seed(n: Any = None) -> None:
    """Restart the stream from `n` (truncated to 32 bits); None seeds from the OS, as a board's RNG."""
    _state.seed(int.from_bytes(os.urandom(4), "little") if n is None else _as_int(n))


def getrandbits(k: Any) -> int:
    """The low `k` bits (0..32) of one output."""
    bits = _as_int(k)
    if bits > 32 or bits < 0:
        raise ValueError("bits must be 32 or less")
    if bits == 0:
        return 0
    return _state.next() & (_MASK32 >> (32 - bits))


def randrange(start: Any, stop: Any = None, step: Any = None) -> int:
    """As range(start, stop, step) picked from; ValueError for an empty range."""
    first = _as_int(start)
    if stop is None:
        if first > 0:
            return _state.below(first)
        raise ValueError
    end = _as_int(stop)
    if step is None:
        if first < end:
            return first + _state.below(end - first)
        raise ValueError
    stride = _as_int(step)
    if stride > 0:
        count = _c_div(end - first + stride - 1, stride)
    elif stride < 0:
        count = _c_div(end - first + stride + 1, stride)
    else:
        raise ValueError
    if count > 0:
        return first + stride * _state.below(count)
    raise ValueError


def _c_div(a: int, b: int) -> int:
    """C's integer division (truncates toward zero)."""
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b >= 0) else -quotient


def randint(a: Any, b: Any) -> int:
    """A value in [a, b]."""
    low, high = _as_int(a), _as_int(b)
    if low <= high:
        return low + _state.below(high - low + 1)
    raise ValueError


def choice(seq: Sequence[T]) -> T:
    """One item of a non-empty sequence (IndexError when empty)."""
    length = len(seq)
    if length > 0:
        return seq[_state.below(length)]
    raise IndexError


def random() -> float:
    """A float in [0, 1)."""
    return _state.fraction()


def uniform(a: float, b: float) -> float:
    """a + (b - a) * random()."""
    low, high = float(a), float(b)
    return low + (high - low) * _state.fraction()


def __getattr__(name: str) -> Any:
    """Names MicroPython's random lacks come from CPython's (so stdlib modules keep working)."""
    try:
        return getattr(_cpython_random, name)
    except AttributeError:
        raise AttributeError(f"module 'random' has no attribute {name!r}") from None
