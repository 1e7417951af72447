"""Random device addresses: static, non-resolvable and resolvable private (Core Vol 6 Part B, 1.3).

Sans-I/O: randomness comes from a ``rng(n) -> bytes`` callable (``os.urandom`` by default) and
time from the caller's ``now``. IRKs are 16 octets LSB-first, as SMP's Identity Information PDU
carries them (Vol 3 Part H, 3.6.4) and the bond store keeps them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from aioble_hci.address import Address, AddressType

Rng = Callable[[int], bytes]
K = TypeVar("K")

DEFAULT_RPA_TIMEOUT = 900.0
"""Seconds between private address changes: TGAP(private_addr_int), 15 minutes (Vol 3 Part C, Appendix A)."""


def _random_part_ok(value: int, bits: int) -> bool:
    """At least one bit 0 and one bit 1 in the random part (Vol 6 Part B, 1.3.2.1 and 1.3.2.2)."""
    return 0 < value < (1 << bits) - 1


def _random_bits(rng: Rng, octets: int, top_bits: int) -> bytes:
    """``octets`` random octets LSB-first whose two most significant bits are ``top_bits``,
    drawn again until the random part is neither all zeros nor all ones."""
    bits = octets * 8 - 2
    while True:
        value = int.from_bytes(rng(octets), "little") & ((1 << bits) - 1)
        if _random_part_ok(value, bits):
            return (value | top_bits << bits).to_bytes(octets, "little")


def generate_static_address(rng: Rng = os.urandom) -> Address:
    """A random static address: top bits 0b11, 46 random bits (Vol 6 Part B, 1.3.2.1)."""
    return Address(_random_bits(rng, 6, 0b11), AddressType.RANDOM)


def generate_nrpa(rng: Rng = os.urandom, public: Address | None = None) -> Address:
    """A non-resolvable private address: top bits 0b00 (Vol 6 Part B, 1.3.2.2).

    It shall differ from the device's public address, so one is drawn again if they match.
    """
    while True:
        value = _random_bits(rng, 6, 0b00)
        if public is None or value != public.value:
            return Address(value, AddressType.RANDOM)


def make_prand(rng: Rng = os.urandom) -> int:
    """A 24-bit prand for an RPA: top bits 0b01, the 22 others random, not all 0 nor all 1."""
    return int.from_bytes(_random_bits(rng, 3, 0b01), "little")


def ah_le(irk: bytes, prand_le: bytes) -> bytes:
    """The random address hash ah (Vol 3 Part H, 2.2.2) in air order, from the SMP toolbox.

    Imported on first use: a host that never makes or resolves a private address starts
    without loading the AES implementation.
    """
    from aioble_hci.smp.toolbox import ah_le as toolbox_ah_le

    return toolbox_ah_le(irk, prand_le)


def generate_rpa(irk: bytes, prand: int | None = None, rng: Rng = os.urandom) -> Address:
    """A resolvable private address: ``hash = ah(IRK, prand)`` in the low 24 bits, prand above.

    ``prand`` (24 bits, most significant two 0b01) is drawn from ``rng`` when not given
    (Vol 6 Part B, 1.3.2.2; Vol 3 Part H, 2.2.2).
    """
    if len(irk) != 16:
        raise ValueError(f"an IRK has 16 octets, got {len(irk)}")
    if prand is None:
        prand = make_prand(rng)
    elif not (0 <= prand <= 0xFFFFFF and prand >> 22 == 0b01):
        raise ValueError(f"prand must be 24 bits with top bits 0b01, got {prand:#08x}")
    prand_le = prand.to_bytes(3, "little")
    return Address(ah_le(irk, prand_le) + prand_le, AddressType.RANDOM)


def rpa_matches(address: Address, irk: bytes) -> bool:
    """Whether a resolvable private address was made from this IRK (Vol 6 Part B, 1.3.2.3)."""
    if not address.is_resolvable or len(irk) != 16:
        return False
    value = address.value
    return ah_le(irk, value[3:]) == value[:3]


def resolve_rpa(address: Address, irks: Iterable[bytes]) -> bytes | None:
    """The first IRK the address resolves with, or None (also for non-resolvable addresses)."""
    if not address.is_resolvable:
        return None
    for irk in irks:
        if rpa_matches(address, irk):
            return irk
    return None


def resolve_identity(address: Address, irks: Mapping[K, bytes]) -> K | None:
    """The key (say, the peer's identity address) whose IRK resolves the address, or None."""
    if not address.is_resolvable:
        return None
    for key, irk in irks.items():
        if rpa_matches(address, irk):
            return key
    return None


class PrivateAddressRotation:
    """Which private address to use now, and when to change it (Vol 3 Part C, 10.7).

    With an IRK it makes resolvable private addresses, without one non-resolvable ones. The
    caller passes ``now`` (seconds, any monotonic clock): :meth:`update` returns a new address
    when the current one has expired (the host then issues LE Set Random Address), else None.
    """

    def __init__(
        self,
        irk: bytes | None = None,
        timeout: float = DEFAULT_RPA_TIMEOUT,
        rng: Rng = os.urandom,
    ) -> None:
        if irk is not None and len(irk) != 16:
            raise ValueError(f"an IRK has 16 octets, got {len(irk)}")
        if timeout <= 0:
            raise ValueError(f"the private address timeout must be positive, got {timeout}")
        self.irk = irk
        self.timeout = timeout
        self._rng = rng
        self.address: Address | None = None
        self.expires_at: float | None = None

    def _generate(self) -> Address:
        if self.irk is not None:
            return generate_rpa(self.irk, rng=self._rng)
        return generate_nrpa(self._rng)

    def rotate(self, now: float) -> Address:
        """Change the address now, whatever its age, and return the new one."""
        self.address = self._generate()
        self.expires_at = now + self.timeout
        return self.address

    def update(self, now: float) -> Address | None:
        """A new address if none was made yet or the current one expired, else None."""
        if self.address is None or self.expires_at is None or now >= self.expires_at:
            return self.rotate(now)
        return None

    def seconds_until_rotation(self, now: float) -> float:
        """How long the current address has left (0 when a rotation is due)."""
        if self.expires_at is None:
            return 0.0
        return max(0.0, self.expires_at - now)
