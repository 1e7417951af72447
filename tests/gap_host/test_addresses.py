"""Own addresses: identity (public / Zephyr static / persisted static), NRPA and RPA with rotation."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from aioble_hci.address import Address, AddressType
from aioble_hci.gap.privacy import rpa_matches
from aioble_hci.host.gap import AddressMode, AdvertisingParameters, GapConfig, ScanParameters
from tests.gap_host.conftest import WAIT, MakeGap
from tests.gap_host.helpers import Reports

IRK = bytes(range(16))


async def test_public_controller_address_is_the_identity(make_gap: MakeGap) -> None:
    gap = await make_gap(address="11:22:33:44:55:66/public")
    assert gap.address == Address.parse("11:22:33:44:55:66/public")
    assert gap.addresses.own_address_type == 0


async def test_zephyr_static_address_is_used_without_a_public_one(make_gap: MakeGap) -> None:
    gap = await make_gap(address="c4:00:00:00:00:01/random")
    assert gap.address == gap.host.controller_info.static_address == Address.parse("c4:00:00:00:00:01/random")
    assert gap.addresses.own_address_type == 1 and gap.addresses.random_address == gap.address


async def test_generated_static_address_persists_across_hosts(make_gap: MakeGap, tmp_path: Path) -> None:
    path = tmp_path / "gap" / "static.json"
    config = GapConfig(address_mode=AddressMode.STATIC, static_address_path=path)
    first = await make_gap(config, address="11:22:33:44:55:66/public")
    second = await make_gap(GapConfig(address_mode=AddressMode.STATIC, static_address_path=path))
    assert first.address is not None and first.address.is_static
    assert second.address == first.address
    assert Address.parse(json.loads(path.read_text())["static_address"]) == first.address


async def test_corrupt_static_address_file_is_replaced(make_gap: MakeGap, tmp_path: Path) -> None:
    path = tmp_path / "static.json"
    path.write_text("{not json")
    gap = await make_gap(GapConfig(address_mode=AddressMode.STATIC, static_address_path=path))
    assert gap.address is not None and gap.address.is_static
    assert Address.parse(json.loads(path.read_text())["static_address"]) == gap.address


async def test_nrpa_mode_uses_a_non_resolvable_private_address(make_gap: MakeGap) -> None:
    gap = await make_gap(GapConfig(address_mode=AddressMode.NRPA))
    assert gap.address is not None and gap.address.is_non_resolvable
    assert gap.identity_address is not None and gap.identity_address.is_static


async def test_rpa_rotation_is_seen_by_a_scanner(make_gap: MakeGap) -> None:
    adv = await make_gap(GapConfig(force_legacy=True, address_mode=AddressMode.RPA, irk=IRK))
    scanner = await make_gap()
    reports = Reports(scanner)
    first = adv.address
    assert first is not None and rpa_matches(first, IRK)
    aset = await adv.advertise(b"")
    await scanner.start_scan(ScanParameters())
    await reports.wait_for(lambda r: r.address.value == first.value)
    await aset.stop()
    second = await adv.addresses.rotate()
    assert second is not None and second != first and rpa_matches(second, IRK) and adv.address == second
    await adv.advertise(b"")
    heard = await reports.wait_for(lambda r: r.address.value == second.value)
    assert heard[0].address.type == AddressType.RANDOM


async def test_rpa_rotates_at_its_timeout(make_gap: MakeGap) -> None:
    gap = await make_gap(GapConfig(address_mode=AddressMode.RPA, irk=IRK, rpa_timeout=0.01))
    changes: list[Address] = []
    two = asyncio.Event()

    def changed(address: Address) -> None:
        changes.append(address)
        if len(changes) >= 2:
            two.set()

    gap.addresses.on_changed(changed)
    await asyncio.wait_for(two.wait(), WAIT)
    assert changes[0] != changes[1] and all(rpa_matches(a, IRK) for a in changes)


async def test_rotation_while_scanning_waits_until_the_scan_stops(make_gap: MakeGap) -> None:
    gap = await make_gap(GapConfig(force_legacy=True, address_mode=AddressMode.NRPA))
    before = gap.address
    await gap.start_scan()
    new = await gap.addresses.rotate()
    assert gap.addresses.pending == new and gap.addresses.random_address == before
    changed = asyncio.Event()
    gap.addresses.on_changed(lambda a: changed.set())
    await gap.stop_scan()
    await asyncio.wait_for(changed.wait(), WAIT)
    assert gap.address == new and gap.addresses.pending is None


async def test_gap_service_values_for_the_gatt_bearer(make_gap: MakeGap) -> None:
    gap = await make_gap(GapConfig(device_name="thermo", appearance=0x0300))
    gap.device_name = "thermo-2"
    assert (gap.device_name, gap.appearance) == ("thermo-2", 0x0300)
    assert gap.ppcp == bytes.fromhex("ffffffff0000ffff")
    assert not gap.central_address_resolution


async def test_running_extended_set_takes_the_rotated_rpa(make_gap: MakeGap) -> None:
    adv = await make_gap(GapConfig(address_mode=AddressMode.RPA, irk=IRK))
    scanner = await make_gap()
    reports = Reports(scanner)
    first = adv.address
    assert first is not None
    await adv.advertise(b"", params=AdvertisingParameters(interval_min=0x20))
    await scanner.start_scan()
    await reports.wait_for(lambda r: r.address.value == first.value)
    second = await adv.addresses.rotate()
    assert second is not None
    await reports.wait_for(lambda r: r.address.value == second.value)  # same set, new address, no restart
