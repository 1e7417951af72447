"""The host's bond file is written off the host loop, with the clock injected (issue 18, item 4:
"the atomic file writes move to host/smp/ and run off the loop. The clock is injected")."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from aioble_hci.address import Address
from aioble_hci.host.smp.bond_file import FileBondStore
from aioble_hci.smp.bonds import Bond, BondStore

PEER = Address.parse("00:1b:dc:01:02:03/public")
BOND = Bond(peer=PEER, key_size=16, authenticated=True, sc=True, ltk=bytes(range(16)))


def test_background_store_returns_before_the_write_and_writes_on_another_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change made on the host loop never waits for fsync: put() returns while the write is
    still blocked on the writer thread; flush() waits for it."""
    release = threading.Event()
    writers: list[int] = []
    real_write = FileBondStore._write

    def slow_write(self: FileBondStore, payload: dict) -> None:  # type: ignore[type-arg]
        writers.append(threading.get_ident())
        assert release.wait(10.0)
        real_write(self, payload)

    monkeypatch.setattr(FileBondStore, "_write", slow_write)
    store = FileBondStore(tmp_path / "bonds.json", background=True)
    store.put(BOND)  # returns although the write cannot finish yet
    assert store.get(PEER) == BOND
    assert not store.flush(0.05)
    release.set()
    assert store.flush(10.0)
    assert writers and threading.get_ident() not in writers
    assert FileBondStore(tmp_path / "bonds.json").get(PEER) == BOND


def test_background_writes_land_in_order_and_the_last_change_wins(tmp_path: Path) -> None:
    store = FileBondStore(tmp_path / "bonds.json", background=True)
    for n in range(1, 20):
        store.put(Bond(peer=PEER, key_size=16, authenticated=False, sc=True, ltk=n.to_bytes(16, "little")))
    assert store.flush(10.0)
    on_disk = FileBondStore(tmp_path / "bonds.json").get(PEER)
    assert on_disk is not None and on_disk.ltk == (19).to_bytes(16, "little")


def test_stale_temporary_files_age_by_the_injected_clock(tmp_path: Path) -> None:
    """An orphan is stale once `stale_temp_age` seconds old by the store's clock, not the host's."""
    orphan = tmp_path / ".bonds.json.abcd1234.tmp"
    orphan.write_text("{}")
    written = orphan.stat().st_mtime
    FileBondStore(tmp_path / "bonds.json", clock=lambda: written + 59.0)
    assert orphan.exists()
    FileBondStore(tmp_path / "bonds.json", clock=lambda: written + 61.0)
    assert not orphan.exists()


def test_the_core_store_round_trips_through_its_json_form_without_files() -> None:
    store = BondStore([BOND])
    again = BondStore.from_json(store.to_json())
    assert again.bonds() == [BOND]
    assert store.to_json()["version"] == 1


def test_background_store_file_mode_is_0600(tmp_path: Path) -> None:
    store = FileBondStore(tmp_path / "bonds.json", background=True)
    store.put(BOND)
    assert store.flush(10.0)
    assert os.stat(tmp_path / "bonds.json").st_mode & 0o777 == 0o600
