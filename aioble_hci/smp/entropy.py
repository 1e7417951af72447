"""Where pairing gets its random values: the system CSPRNG, or an injected source.

Pairing draws nonces (Mrand/Srand, Na/Nb), passkeys, legacy LTK/EDIV/Rand and CSRKs at random
(Core Vol 3 Part H, 2.3.5 and 2.4.2). Conformance experiments and recorded-session replays need
them reproducible, so the sans-I/O session takes a :data:`RandomSource`; production uses
:func:`system_random`. :class:`SeededRandom` is a deterministic source for tests only: its output
is predictable by design and must never secure a real link.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

RandomSource = Callable[[int], bytes]
"""``source(n)`` returns ``n`` random octets (the signature of :func:`secrets.token_bytes`)."""

PASSKEY_RANGE = 1_000_000
"""Passkeys are six decimal digits, 000000 to 999999 (Vol 3 Part H, 2.3.5.3)."""


def system_random(n: int) -> bytes:
    """``n`` octets from the operating system's CSPRNG (the default source)."""
    return secrets.token_bytes(n)


def random_below(source: RandomSource, bound: int) -> int:
    """A uniform integer in ``[0, bound)`` from ``source`` (rejection sampling: no modulo bias)."""
    if bound <= 0:
        raise ValueError(f"bound must be positive, got {bound}")
    bits = max(1, (bound - 1).bit_length())
    size = (bits + 7) // 8
    mask = (1 << bits) - 1
    while True:
        value = int.from_bytes(source(size), "big") & mask
        if value < bound:
            return value


def random_passkey(source: RandomSource) -> int:
    """A fresh passkey for Passkey Entry, uniform in 0..999999 (Vol 3 Part H, 2.3.5.3)."""
    return random_below(source, PASSKEY_RANGE)


class SeededRandom:
    """A deterministic :data:`RandomSource` for tests and conformance experiments (never for real links).

    The stream is SHA-256(seed || counter) blocks, so the same seed gives the same pairing values
    on every run; it is reproducible, not secret.
    """

    def __init__(self, seed: bytes | str) -> None:
        self._seed = seed.encode() if isinstance(seed, str) else bytes(seed)
        self._counter = 0
        self._buffer = b""

    def __call__(self, n: int) -> bytes:
        while len(self._buffer) < n:
            block = hashlib.sha256(self._seed + self._counter.to_bytes(8, "big")).digest()
            self._counter += 1
            self._buffer += block
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out
