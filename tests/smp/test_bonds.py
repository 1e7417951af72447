"""FileBondStore (host/smp/bond_file.py) over the core BondStore: round trip, atomic writes, file mode,
corrupt files, RPA lookup."""

from __future__ import annotations

import json
import logging
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from aioble_hci.address import Address, AddressType
from aioble_hci.host.smp.bond_file import FileBondStore
from aioble_hci.smp import toolbox
from aioble_hci.smp.bonds import Bond, BondExistsError
from aioble_hci.smp.config import SecurityConfig
from tests.smp.link import CENTRAL_IDENTITY, PERIPHERAL_IDENTITY, Link

PEER = Address.parse("00:1b:dc:01:02:03/public")
IRK = bytes(range(16, 32))


def sample_bond(peer: Address = PEER, **changes: object) -> Bond:
    bond = Bond(
        peer=peer,
        key_size=16,
        authenticated=True,
        sc=True,
        ltk=bytes(range(16)),
        peer_irk=IRK,
        peer_csrk=bytes(16),
    )
    return replace(bond, **changes)  # type: ignore[arg-type]


def make_rpa(irk_le: bytes, prand_le: bytes = bytes([0x11, 0x22, 0x43])) -> Address:
    """An RPA: prand top bits 01, hash = ah(irk, prand) (Vol 6 Part B, 1.3.2.2)."""
    return Address(toolbox.ah_le(irk_le, prand_le) + prand_le, AddressType.RANDOM)


def test_round_trip_through_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bonds.json"
    store = FileBondStore(path)
    store.put(sample_bond())
    reloaded = FileBondStore(path)
    assert reloaded.get(PEER) == sample_bond()
    assert len(reloaded) == 1


def test_bond_from_a_real_sc_pairing_round_trips_and_gives_the_encryption_keys(
    tmp_path: Path,
) -> None:
    link = Link().pair()
    complete = link.central.complete
    assert complete is not None
    store = FileBondStore(tmp_path / "bonds.json")
    store.put(Bond.from_pairing(link.central.session.peer_address, complete))
    bond = FileBondStore(tmp_path / "bonds.json").get(PERIPHERAL_IDENTITY.address)
    assert bond is not None and bond.central_key() == (complete.keys.ltk, 0, bytes(8))
    assert bond.peripheral_key(0, bytes(8)) == complete.keys.ltk


def test_bond_from_legacy_pairing_uses_each_sides_distributed_ltk(tmp_path: Path) -> None:
    """SM/PER/KDU/BV-07-C: re-encryption uses the distributed LTK/EDIV/Rand."""
    link = Link(
        SecurityConfig(identity=CENTRAL_IDENTITY, secure_connections=False),
        SecurityConfig(identity=PERIPHERAL_IDENTITY, secure_connections=False),
    ).pair()
    central, peripheral = link.central.complete, link.peripheral.complete
    assert central is not None and peripheral is not None
    central_bond = Bond.from_pairing(PERIPHERAL_IDENTITY.address, central)
    peripheral_bond = Bond.from_pairing(CENTRAL_IDENTITY.address, peripheral)
    start = central_bond.central_key()
    assert start is not None
    ltk, ediv, rand = start
    assert peripheral_bond.peripheral_key(ediv, rand) == ltk
    assert peripheral_bond.peripheral_key(ediv ^ 1, rand) is None


def test_file_mode_is_0600(tmp_path: Path) -> None:
    path = tmp_path / "bonds.json"
    FileBondStore(path).put(sample_bond())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_crash_during_replace_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bonds.json"
    store = FileBondStore(path)
    store.put(sample_bond())
    before = path.read_bytes()

    def crash(src: object, dst: object) -> None:
        raise OSError("simulated power loss")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated"):
        store.put(sample_bond(Address.parse("00:1b:dc:09:09:09/public")))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bonds.json"]  # no temp left behind
    assert len(FileBondStore(path)) == 1


def _orphan(directory: Path, name: str, age: float) -> Path:
    """A leftover file as a SIGKILLed save leaves it, last modified ``age`` seconds ago."""
    path = directory / name
    path.write_text('{"version": 1, "bonds": {')
    then = path.stat().st_mtime - age
    os.utime(path, (then, then))
    return path


def test_load_removes_stale_temporary_files_of_killed_saves(tmp_path: Path) -> None:
    path = tmp_path / "bonds.json"
    FileBondStore(path).put(sample_bond())
    orphans = [_orphan(tmp_path, f".bonds.json.{suffix}.tmp", 3600) for suffix in ("a1b2c3d4", "zz_9yy8x")]
    store = FileBondStore(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bonds.json"]
    assert not any(orphan.exists() for orphan in orphans)
    assert store.get(PEER) == sample_bond()


def test_stale_temporary_files_are_removed_even_when_no_save_ever_completed(tmp_path: Path) -> None:
    _orphan(tmp_path, ".bonds.json.k1ll3d00.tmp", 3600)
    assert len(FileBondStore(tmp_path / "bonds.json")) == 0
    assert list(tmp_path.iterdir()) == []


def test_cleanup_keeps_young_temporary_files_other_stores_and_the_live_file(tmp_path: Path) -> None:
    path = tmp_path / "bonds.json"
    FileBondStore(path).put(sample_bond())
    kept = [
        _orphan(tmp_path, ".bonds.json.s4v1ng00.tmp", 1),  # maybe another store saving right now
        _orphan(tmp_path, ".other.json.abcdefgh.tmp", 3600),  # another store's file
        _orphan(tmp_path, ".bonds.json.abcdefgh.tmp.bak", 3600),  # not our pattern
        _orphan(tmp_path, "bonds.json.tmp", 3600),
    ]
    removed = FileBondStore(path).remove_stale_temporary_files()
    assert removed == []
    assert all(file.exists() for file in kept)
    assert FileBondStore(path).get(PEER) == sample_bond()


def test_stale_temp_age_is_configurable(tmp_path: Path) -> None:
    young = _orphan(tmp_path, ".bonds.json.s4v1ng00.tmp", 5)
    FileBondStore(tmp_path / "bonds.json", stale_temp_age=1)
    assert not young.exists()


def test_missing_file_is_an_empty_store(tmp_path: Path) -> None:
    assert len(FileBondStore(tmp_path / "nothing" / "bonds.json")) == 0


def test_corrupt_file_is_kept_aside_and_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "bonds.json"
    path.write_text("{ not json")
    with caplog.at_level(logging.ERROR):
        store = FileBondStore(path)
    assert len(store) == 0
    assert (tmp_path / "bonds.json.corrupt").read_text() == "{ not json"
    assert "corrupt" in caplog.text and "bonds.json.corrupt" in caplog.text
    store.put(sample_bond())
    assert (tmp_path / "bonds.json.corrupt").read_text() == "{ not json"


def test_second_corruption_does_not_overwrite_the_first_copy(tmp_path: Path) -> None:
    path = tmp_path / "bonds.json"
    path.write_text("first")
    FileBondStore(path)
    path.write_text("second")
    FileBondStore(path)
    assert (tmp_path / "bonds.json.corrupt").read_text() == "first"
    assert (tmp_path / "bonds.json.corrupt.1").read_text() == "second"


def test_one_bad_entry_is_skipped_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "bonds.json"
    FileBondStore(path).put(sample_bond())
    data = json.loads(path.read_text())
    data["bonds"]["broken"] = {"peer": "zz", "key_size": 16}
    path.write_text(json.dumps(data))
    store = FileBondStore(path)
    assert store.get(PEER) == sample_bond()
    assert (tmp_path / "bonds.json.corrupt").exists()


def test_delete_removes_the_bond_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bonds.json"
    store = FileBondStore(path)
    store.put(sample_bond())
    assert store.delete(PEER)
    assert not store.delete(PEER)
    assert FileBondStore(path).get(PEER) is None


def test_resolvable_private_address_finds_the_bond_by_irk(tmp_path: Path) -> None:
    """GAP/PRIV/CONN/BV-10-C: a bonded peer reconnecting with a new RPA is recognised."""
    store = FileBondStore(tmp_path / "bonds.json")
    store.put(sample_bond())
    rpa = make_rpa(IRK)
    assert rpa.is_resolvable
    assert store.resolve(rpa) == sample_bond()
    assert store.resolve(make_rpa(bytes(16))) is None


def test_delete_by_rpa(tmp_path: Path) -> None:
    store = FileBondStore(tmp_path / "bonds.json")
    store.put(sample_bond())
    assert store.delete(make_rpa(IRK))
    assert len(store) == 0


def test_refusing_to_overwrite_an_existing_identity(tmp_path: Path) -> None:
    """P11 (CVE-2021-3436): a new pairing claiming a bonded identity does not silently replace it."""
    store = FileBondStore(tmp_path / "bonds.json")
    store.put(sample_bond())
    with pytest.raises(BondExistsError):
        store.put(sample_bond(ltk=bytes(16)), replace=False)
    assert store.get(PEER) == sample_bond()


@pytest.mark.parametrize(
    ("authenticated", "sc", "key_size", "level"),
    [
        (False, False, 16, 2),
        (False, True, 16, 2),
        (True, False, 16, 3),
        (True, True, 15, 3),
        (True, True, 16, 4),
    ],
)
def test_s18_stored_key_security_level_truth_table(
    authenticated: bool, sc: bool, key_size: int, level: int
) -> None:
    """S18 (CVE-2022-2993): decide per required level whether stored keys suffice."""
    bond = sample_bond(authenticated=authenticated, sc=sc, key_size=key_size)
    assert bond.security_level == level
    for required in (1, 2, 3, 4):
        assert bond.satisfies(required) is (level >= required)
    assert not bond.satisfies(2, min_key_size=key_size + 1)
