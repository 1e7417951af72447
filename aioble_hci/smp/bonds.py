"""Bond storage: a JSON file keyed by peer identity address, written atomically.

A write goes to a temporary file in the same directory (mode 0600), is flushed and fsynced, then
``os.replace``-d over the store and the directory is fsynced: a crash at any point leaves either
the old file or the new one, never a mix. A corrupt file is never thrown away: it is copied to
``<path>.corrupt`` (or ``.corrupt.N``), reported with a logged error, and the store starts from what
could be read.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aioble_hci.address import Address
from aioble_hci.errors import UsageError
from aioble_hci.smp.events import PairingComplete
from aioble_hci.smp.toolbox import rpa_matches_le

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
STALE_TEMP_AGE = 60.0
"""Seconds after which a temporary file of a save is an orphan (a save takes milliseconds)."""


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
    """Bonds in a JSON file at ``path``; every change is saved atomically before returning.

    A save writes ``.<name>.<random>.tmp`` beside the file then renames it; a process killed
    mid-save leaves that temporary file behind, and :meth:`load` removes such orphans once they
    are ``stale_temp_age`` seconds old (younger ones may belong to another store saving now).
    """

    def __init__(self, path: str | os.PathLike[str], *, stale_temp_age: float = STALE_TEMP_AGE) -> None:
        self.path = Path(path)
        self.stale_temp_age = stale_temp_age
        self._bonds: dict[str, Bond] = {}
        self.load()

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
        self.save()

    def delete(self, address: Address) -> bool:
        """Remove the bond for ``address`` (identity or resolvable); False if there was none."""
        bond = self.resolve(address)
        if bond is None:
            return False
        del self._bonds[_address_key(bond.peer)]
        self.save()
        return True

    # -- file ------------------------------------------------------------------------------------
    def load(self) -> None:
        """Read the file; a missing file is an empty store, a corrupt one is kept aside.

        Stale temporary files of interrupted saves are removed first (never the live file).
        """
        self._bonds = {}
        self.remove_stale_temporary_files()
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            log.info("no bond store at %s yet: starting empty", self.path)
            return
        try:
            data = json.loads(text)
            entries = data["bonds"]
            if not isinstance(entries, dict):
                raise TypeError("'bonds' is not an object")
        except (ValueError, KeyError, TypeError) as error:
            kept = self._keep_corrupt_copy()
            log.error(
                "bond store %s is corrupt (%s): kept a copy at %s and started empty; "
                "pair again or restore the bonds from the copy",
                self.path,
                error,
                kept,
            )
            return
        bad = 0
        for key, entry in entries.items():
            try:
                bond = Bond.from_json(entry)
            except (ValueError, KeyError, TypeError) as error:
                bad += 1
                log.error("bond %s in %s is unreadable (%s): skipped", key, self.path, error)
                continue
            self._bonds[_address_key(bond.peer)] = bond
        if bad:
            kept = self._keep_corrupt_copy()
            log.error("kept the original bond store %s at %s", self.path, kept)

    def _temporary_file_pattern(self) -> re.Pattern[str]:
        """Names :meth:`save` gives its temporary files (``tempfile.mkstemp``: 8 random characters)."""
        return re.compile(re.escape(f".{self.path.name}.") + r"[A-Za-z0-9_]{8}" + re.escape(".tmp"))

    def remove_stale_temporary_files(self) -> list[Path]:
        """Delete this store's orphaned temporary files older than ``stale_temp_age``; returns them."""
        directory = self.path.parent
        try:
            names = os.listdir(directory)
        except OSError:
            return []
        pattern = self._temporary_file_pattern()
        cutoff = time.time() - self.stale_temp_age
        removed: list[Path] = []
        for name in names:
            if not pattern.fullmatch(name):
                continue
            candidate = directory / name
            try:
                if candidate.is_symlink() or not candidate.is_file() or candidate.stat().st_mtime > cutoff:
                    continue
                candidate.unlink()
            except OSError as error:
                log.debug("could not remove stale bond store temporary file %s: %s", candidate, error)
                continue
            removed.append(candidate)
        if removed:
            log.info("removed %d stale temporary file(s) of interrupted saves of %s", len(removed), self.path)
        return removed

    def save(self) -> None:
        """Write atomically: temp file in the same directory, fsync, replace, fsync directory."""
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        payload = {
            "version": FORMAT_VERSION,
            "bonds": {key: bond.to_json() for key, bond in sorted(self._bonds.items())},
        }
        fd, temp_name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, indent=2)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            try:
                os.unlink(temp_name)
            except FileNotFoundError:
                pass
            raise
        _fsync_directory(directory)

    def _keep_corrupt_copy(self) -> Path:
        target = self.path.with_name(self.path.name + ".corrupt")
        n = 0
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.corrupt.{n}")
        shutil.copy2(self.path, target)
        os.chmod(target, 0o600)
        return target


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
