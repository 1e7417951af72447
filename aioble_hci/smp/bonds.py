"""Bonds: the keys kept per bonded peer, an in-memory store keyed by identity address, and its
JSON form.

Sans-I/O like every core: no files, no clock. The file that keeps the JSON form (atomic 0600
writes off the host loop, stale temporary files, corrupt copies kept aside) is
:mod:`aioble_hci.host.smp.bond_file`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aioble_hci.address import Address
from aioble_hci.errors import UsageError
from aioble_hci.smp.events import PairingComplete
from aioble_hci.smp.toolbox import rpa_matches_le

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
"""The ``version`` field of the JSON form."""


class BondExistsError(UsageError, ValueError):
    """A bond for that identity address exists and replacing it was not allowed (P11)."""


@dataclass(frozen=True)
class Bond:
    """The keys kept for one bonded peer (all keys on-air order, LSB-first).

    ``ltk`` is the LE Secure Connections LTK (EDIV = Rand = 0). After legacy pairing ``peer_ltk``
    (with ``peer_ediv``/``peer_rand``) is the key the peer distributed, used when we are central;
    ``local_ltk`` the one we distributed, used when we are peripheral. ``local_sign_counter`` is
    the SignCounter of our next signed write with ``local_csrk``; ``peer_sign_counter`` the last
    one accepted from the peer (-1: none yet), kept so a replayed signed write is refused after a
    reconnection too (Vol 3 Part H, 2.4.5). ``cccd`` holds the peer's Client Characteristic
    Configuration values in our GATT server ({CCCD handle: value}), which persist across
    connections for bonded peers (Vol 3 Part G, 3.3.3.3). ``gatt`` is the rest of the peer's
    state in our GATT server, kept by the GATT bearer as strings (the Database Hash of the database
    the peer knows, its Client Supported Features; Vol 3 Part G, 2.5.2, 7.2).
    """

    peer: Address
    key_size: int
    authenticated: bool
    sc: bool
    ltk: bytes | None = None
    peer_ltk: bytes | None = None
    peer_ediv: int = 0
    peer_rand: bytes = bytes(8)
    local_ltk: bytes | None = None
    local_ediv: int = 0
    local_rand: bytes = bytes(8)
    peer_irk: bytes | None = None
    peer_csrk: bytes | None = None
    local_csrk: bytes | None = None
    local_sign_counter: int = 0
    peer_sign_counter: int = -1
    cccd: Mapping[int, int] = field(default_factory=dict, hash=False)
    gatt: Mapping[str, str] = field(default_factory=dict, hash=False)

    @classmethod
    def from_pairing(cls, peer_address: Address, complete: PairingComplete) -> Bond:
        """Keyed by the identity address the peer distributed, else the connection address."""
        keys = complete.keys
        return cls(
            peer=keys.peer.identity_address or peer_address,
            key_size=complete.key_size,
            authenticated=complete.authenticated,
            sc=complete.sc,
            ltk=keys.ltk,
            peer_ltk=keys.peer.ltk,
            peer_ediv=keys.peer.ediv,
            peer_rand=keys.peer.rand,
            local_ltk=keys.local.ltk,
            local_ediv=keys.local.ediv,
            local_rand=keys.local.rand,
            peer_irk=keys.peer.irk,
            peer_csrk=keys.peer.csrk,
            local_csrk=keys.local.csrk,
        )

    @property
    def security_level(self) -> int:
        """LE Security Mode 1 level the keys give (Vol 3 Part C, 10.2.1): 4 authenticated LE SC
        with a 16-octet key, 3 authenticated, 2 unauthenticated."""
        if self.authenticated and self.sc and self.key_size == 16:
            return 4
        return 3 if self.authenticated else 2

    def satisfies(self, level: int, min_key_size: int = 7) -> bool:
        """Whether encrypting with these keys meets ``level`` and the key size, or re-pairing is
        needed (S18, Zephyr CVE-2022-2993)."""
        return self.security_level >= level and self.key_size >= min_key_size

    def central_key(self) -> tuple[bytes, int, bytes] | None:
        """(LTK, EDIV, Rand) for HCI LE Enable Encryption when we are central, if any."""
        if self.ltk is not None:
            return self.ltk, 0, bytes(8)
        if self.peer_ltk is not None:
            return self.peer_ltk, self.peer_ediv, self.peer_rand
        return None

    def peripheral_key(self, ediv: int, rand: bytes) -> bytes | None:
        """The LTK answering an LE Long Term Key Request when we are peripheral, if it matches."""
        if self.ltk is not None and ediv == 0 and rand == bytes(8):
            return self.ltk
        if self.local_ltk is not None and ediv == self.local_ediv and rand == self.local_rand:
            return self.local_ltk
        return None

    def to_json(self) -> dict[str, Any]:
        def h(value: bytes | None) -> str | None:
            return None if value is None else value.hex()

        return {
            "peer": _address_key(self.peer),
            "key_size": self.key_size,
            "authenticated": self.authenticated,
            "sc": self.sc,
            "ltk": h(self.ltk),
            "peer_ltk": h(self.peer_ltk),
            "peer_ediv": self.peer_ediv,
            "peer_rand": self.peer_rand.hex(),
            "local_ltk": h(self.local_ltk),
            "local_ediv": self.local_ediv,
            "local_rand": self.local_rand.hex(),
            "peer_irk": h(self.peer_irk),
            "peer_csrk": h(self.peer_csrk),
            "local_csrk": h(self.local_csrk),
            "local_sign_counter": self.local_sign_counter,
            "peer_sign_counter": self.peer_sign_counter,
            "cccd": {f"0x{handle:04x}": value for handle, value in sorted(self.cccd.items())},
            "gatt": dict(self.gatt),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Bond:
        def key(name: str, size: int = 16) -> bytes | None:
            value = data.get(name)
            if value is None:
                return None
            raw = bytes.fromhex(value)
            if len(raw) != size:
                raise ValueError(f"{name} must be {size} octets, got {len(raw)}")
            return raw

        def rand(name: str) -> bytes:
            return key(name, 8) or bytes(8)

        key_size = int(data["key_size"])
        if not 7 <= key_size <= 16:
            raise ValueError(f"key_size {key_size} out of range 7..16")
        return cls(
            peer=Address.parse(data["peer"]),
            key_size=key_size,
            authenticated=bool(data["authenticated"]),
            sc=bool(data["sc"]),
            ltk=key("ltk"),
            peer_ltk=key("peer_ltk"),
            peer_ediv=int(data.get("peer_ediv", 0)),
            peer_rand=rand("peer_rand"),
            local_ltk=key("local_ltk"),
            local_ediv=int(data.get("local_ediv", 0)),
            local_rand=rand("local_rand"),
            peer_irk=key("peer_irk"),
            peer_csrk=key("peer_csrk"),
            local_csrk=key("local_csrk"),
            local_sign_counter=int(data.get("local_sign_counter", 0)),
            peer_sign_counter=int(data.get("peer_sign_counter", -1)),
            cccd={int(handle, 16): int(value) for handle, value in dict(data.get("cccd") or {}).items()},
            gatt={str(key): str(value) for key, value in dict(data.get("gatt") or {}).items()},
        )


def _address_key(address: Address) -> str:
    kind = "public" if address.is_public else "random"
    return f"{address}/{kind}"


class BondStore:
    """Bonds in memory, keyed by identity address, with their JSON form.

    :meth:`put` and :meth:`delete` call :meth:`_changed` after each change; a store that keeps a
    file (:class:`aioble_hci.host.smp.bond_file.FileBondStore`) saves there.
    """

    def __init__(self, bonds: Iterable[Bond] = ()) -> None:
        self._bonds: dict[str, Bond] = {_address_key(bond.peer): bond for bond in bonds}

    # -- queries ---------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._bonds)

    def bonds(self) -> list[Bond]:
        return list(self._bonds.values())

    def get(self, address: Address) -> Bond | None:
        """The bond for this identity address."""
        return self._bonds.get(_address_key(address))

    def resolve(self, address: Address) -> Bond | None:
        """The bond for an identity address, or for a resolvable private address via the IRKs."""
        bond = self.get(address)
        if bond is not None or not address.is_resolvable:
            return bond
        for candidate in self._bonds.values():
            if candidate.peer_irk is not None and rpa_matches_le(candidate.peer_irk, address.value):
                return candidate
        return None

    # -- changes ---------------------------------------------------------------------------------
    def put(self, bond: Bond, *, replace: bool = True) -> None:
        """Store a bond; with ``replace=False`` an existing bond for that identity is kept (P11)."""
        key = _address_key(bond.peer)
        if not replace and key in self._bonds:
            raise BondExistsError(f"a bond for {key} exists; delete it first to pair again")
        self._bonds[key] = bond
        self._changed()

    def delete(self, address: Address) -> bool:
        """Remove the bond for ``address`` (identity or resolvable); False if there was none."""
        bond = self.resolve(address)
        if bond is None:
            return False
        del self._bonds[_address_key(bond.peer)]
        self._changed()
        return True

    def replace_all(self, bonds: Iterable[Bond]) -> None:
        """Hold exactly ``bonds`` (what a file load found); not a change to save."""
        self._bonds = {_address_key(bond.peer): bond for bond in bonds}

    def _changed(self) -> None:
        """Called after every change; the in-memory store keeps nothing else."""

    # -- JSON form -------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """The whole store as a JSON-ready object (bonds sorted by key, so saves are stable)."""
        return {
            "version": FORMAT_VERSION,
            "bonds": {key: bond.to_json() for key, bond in sorted(self._bonds.items())},
        }

    @staticmethod
    def bonds_from_json(data: Any) -> tuple[list[Bond], list[tuple[str, str]]]:
        """The bonds in a JSON object and the entries that could not be read, as (key, error).

        Raises ValueError, KeyError or TypeError when the object itself is not a bond store.
        """
        entries = data["bonds"]
        if not isinstance(entries, dict):
            raise TypeError("'bonds' is not an object")
        bonds: list[Bond] = []
        bad: list[tuple[str, str]] = []
        for key, entry in entries.items():
            try:
                bonds.append(Bond.from_json(entry))
            except (ValueError, KeyError, TypeError) as error:
                bad.append((str(key), str(error)))
        return bonds, bad

    @classmethod
    def from_json(cls, data: Any) -> BondStore:
        """A store holding the readable bonds of ``data`` (see :meth:`bonds_from_json`)."""
        bonds, _ = cls.bonds_from_json(data)
        return cls(bonds)
