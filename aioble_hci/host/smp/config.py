"""Settings of the SMP bearer: the pairing policy, where bonds and the local IRK live, prompts.

Files default to the user's data directory (``$XDG_DATA_HOME/aioble-hci``, else
``~/.local/share/aioble-hci``): ``bonds.json`` and ``local_irk.json``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from aioble_hci.address import Address
from aioble_hci.smp.config import SecurityConfig
from aioble_hci.smp.entropy import RandomSource, system_random
from aioble_hci.smp.toolbox import P256KeyPair


def default_data_dir() -> Path:
    """Where aioble-hci keeps per-user state (XDG Base Directory layout)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "aioble-hci"


def default_bond_path() -> Path:
    return default_data_dir() / "bonds.json"


def default_irk_path() -> Path:
    return default_data_dir() / "local_irk.json"


@dataclass
class SmpHostConfig:
    """How the SMP bearer behaves on one host.

    ``security`` is the default pairing policy (its ``identity`` is filled in from the local IRK
    and identity address). ``auto_encrypt``: as central, encrypt with a stored LTK as soon as a
    bonded peer connects. ``accept_security_request``: as central, pair when a peripheral asks
    and no good-enough bond exists. ``passkey``: what headless passkey entry types (None fails
    the entry). ``key_pair``: our P-256 key pair for every LE Secure Connections pairing (None: a
    fresh one per pairing; ``P256KeyPair.debug()`` is the debug key of Vol 3 Part H, 2.3.5.6.1,
    which peers refuse unless they allow debug keys). ``random``: where pairing nonces, passkeys
    and distributed keys come from (``aioble_hci.smp.entropy.SeededRandom`` makes them
    reproducible for conformance experiments and recorded-session replays; never on real links).
    ``accept_numeric_comparison``: the headless answer to Numeric Comparison.
    ``resolving_list``: load bonded peers' IRKs into the controller's resolving list when it has
    one. ``identity_address``: our identity address, else the controller's public address.
    ``allow_bond_overwrite=False`` keeps an existing bond when a new pairing distributes the same
    identity address (the pairing's keys are then not stored: P11, Zephyr CVE-2021-3436); delete
    the bond first to pair again. ``repair_on_lost_bond``: when automatic re-encryption is refused
    with PIN or Key Missing (the peer lost the bond, GAP/SEC/AUT/BV-21-C), pair again instead of
    only reporting it; the link never carries on as if it were encrypted.
    ``allow_security_downgrade=False`` refuses a new pairing with a bonded peer that would give
    weaker keys than its bond (Just Works over an authenticated bond, a shorter key, legacy over
    LE Secure Connections): Pairing Failed Authentication Requirements (0x03), or Encryption Key
    Size (0x06), and the bond is kept. Anyone can claim a bonded peer's address, and Just Works
    authenticates no one, so an impostor could otherwise replace the keys (BlueZ's
    ``JustWorksRepairing = never``, NimBLE's repeat-pairing event). Set True to let a peer that
    lost its keys pair again with a weaker method.
    """

    security: SecurityConfig = field(default_factory=SecurityConfig)
    bond_path: Path | str | None = None
    irk_path: Path | str | None = None
    identity_address: Address | None = None
    auto_encrypt: bool = True
    accept_security_request: bool = True
    passkey: int | None = None
    accept_numeric_comparison: bool = True
    resolving_list: bool = True
    allow_bond_overwrite: bool = True
    repair_on_lost_bond: bool = False
    allow_security_downgrade: bool = False
    repeated_attempts_interval: float = 2.0
    key_pair: P256KeyPair | None = None
    random: RandomSource = system_random

    def resolved_bond_path(self) -> Path:
        return Path(self.bond_path) if self.bond_path is not None else default_bond_path()

    def resolved_irk_path(self) -> Path:
        return Path(self.irk_path) if self.irk_path is not None else default_irk_path()
