"""Local security policy for pairing (Core Vol 3 Part H, 2.3; Vol 3 Part C, 10.2)."""

from __future__ import annotations

from dataclasses import dataclass

from aioble_hci.address import Address
from aioble_hci.smp.pdus import IoCapability, KeyDistribution


@dataclass(frozen=True)
class LocalIdentity:
    """What we distribute as ID key: our IRK (on-air order) and identity address."""

    irk: bytes
    address: Address


@dataclass(frozen=True)
class SecurityConfig:
    """Pairing policy of the local device.

    ``mitm`` requires authenticated pairing: a pairing that would be Just Works fails with
    Authentication Requirements. ``mitm_requested`` only sets the MITM flag of our AuthReq
    (Vol 3 Part H, 3.5.1: "the device is requesting MITM protection"), so the peer's IO
    capabilities may still give an authenticated method, but an unauthenticated one is accepted
    (the local security requirement, Vol 3 Part C 10.2, stays at Mode 1 Level 2; this is NimBLE's
    ``sm_mitm``). ``mitm`` implies the flag. ``sc_only`` is Security Mode 1 Level 4: legacy pairing is refused
    and keys must be 16 octets. ``min_key_size`` defaults to 16 (no key-size downgrade).
    """

    io_capability: IoCapability = IoCapability.NO_INPUT_NO_OUTPUT
    bonding: bool = True
    mitm: bool = False
    mitm_requested: bool = False
    secure_connections: bool = True
    sc_only: bool = False
    keypress: bool = False
    ct2: bool = True
    max_key_size: int = 16
    min_key_size: int = 16
    initiator_keys: KeyDistribution = (
        KeyDistribution.ENC_KEY | KeyDistribution.ID_KEY | KeyDistribution.SIGN_KEY
    )
    responder_keys: KeyDistribution = (
        KeyDistribution.ENC_KEY | KeyDistribution.ID_KEY | KeyDistribution.SIGN_KEY
    )
    identity: LocalIdentity | None = None
    csrk: bytes | None = None
    allow_debug_keys: bool = False
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if not 7 <= self.min_key_size <= self.max_key_size <= 16:
            raise ValueError(
                "key sizes must satisfy 7 <= min_key_size <= max_key_size <= 16, got "
                f"min={self.min_key_size} max={self.max_key_size}"
            )
        if self.sc_only and not self.secure_connections:
            raise ValueError("sc_only needs secure_connections=True")
        if self.sc_only and self.min_key_size != 16:
            raise ValueError("sc_only (Security Mode 1 Level 4) needs min_key_size=16")

    @property
    def mitm_flag(self) -> bool:
        """Whether our AuthReq carries the MITM flag: required or only requested."""
        return self.mitm or self.mitm_requested
