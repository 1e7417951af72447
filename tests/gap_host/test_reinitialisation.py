"""After the Host resets and re-initialises a controller (here on a Hardware Error, Vol 4 Part E
7.7.16), GAP puts back what the reset cleared (7.3.2): the random address, advertising, scanning."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from aioble_hci.address import Address
from aioble_hci.controller.controller import VirtualController
from aioble_hci.gap.ad import AdvertisingData
from aioble_hci.gap.ad_structures import LocalName
from aioble_hci.host.errors import ControllerResetError
from aioble_hci.host.gap import Gap, GapConfig, ScanParameters
from tests.gap_host.conftest import WAIT, MakeGap
from tests.gap_host.helpers import Reports

LEGACY = GapConfig(force_legacy=True)
ADV = AdvertisingData([LocalName("survivor")]).encode()


def controller_of(gap: Gap) -> VirtualController:
    controller = gap.host.transport.controller  # type: ignore[attr-defined]
    assert isinstance(controller, VirtualController)
    return controller


async def hardware_error(gap: Gap) -> None:
    """Inject a Hardware Error and wait until the Host has re-initialised the controller."""
    done: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def reinitialised(why: str) -> None:
        if not done.done():
            done.set_result(why)

    gap.host.on_reinitialised(reinitialised)
    controller_of(gap).hardware_error(0x42)
    assert "hardware error 0x42" in await asyncio.wait_for(done, WAIT)


async def until(predicate: Callable[[], object]) -> None:
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.005)

    await asyncio.wait_for(poll(), WAIT)


@pytest.mark.parametrize("config", [LEGACY, GapConfig()], ids=["legacy-commands", "extended-commands"])
async def test_advertising_set_runs_again_after_a_controller_reset(make_gap: MakeGap, config: GapConfig) -> None:
    adv, scanner = await make_gap(config), await make_gap(LEGACY)
    reports = Reports(scanner)
    running = await adv.advertise(ADV)
    await scanner.start_scan()
    await reports.wait_for(reports.from_(adv))
    await hardware_error(adv)
    controller = controller_of(adv)
    await until(lambda: controller.advertising.legacy_enabled
                or any(s.enabled for s in controller.advertising.sets.values()))
    before = len(reports.matching(reports.from_(adv)))
    await reports.wait_for(reports.from_(adv), count=before + 1)  # seen on air again
    assert running.active and running.status is None and not running._done.done()
    assert adv.advertiser.active_sets == [running]


async def test_random_address_is_written_again_after_a_controller_reset(make_gap: MakeGap) -> None:
    gap = await make_gap(address="c0:11:22:33:44:55/random")
    address = gap.address
    assert address is not None and address.is_random
    controller = controller_of(gap)
    assert controller.random_address == address.value
    await hardware_error(gap)
    await until(lambda: controller.random_address is not None)
    assert controller.random_address == address.value
    assert gap.address == address


async def test_scan_keeps_running_for_its_owner_after_a_controller_reset(make_gap: MakeGap) -> None:
    adv, scanner = await make_gap(LEGACY), await make_gap(LEGACY)
    reports = Reports(scanner)
    done: list[None] = []
    scanner.on_scan_done(lambda: done.append(None))
    await adv.advertise(ADV)
    await scanner.start_scan(ScanParameters(active=True, filter_duplicates=False))
    await reports.wait_for(reports.from_(adv))
    await hardware_error(scanner)
    controller = controller_of(scanner)
    await until(lambda: controller.scanner.enabled)
    before = len(reports.matching(reports.from_(adv)))
    await reports.wait_for(reports.from_(adv), count=before + 1)
    assert scanner.scanner.scanning and done == []
    assert scanner.scanner.params is not None and scanner.scanner.params.active


async def test_pending_connect_fails_with_controller_reset_error_after_a_reset(make_gap: MakeGap) -> None:
    central = await make_gap(LEGACY)
    nobody = Address.parse("c0:de:ad:be:ef:01/random")
    attempt = asyncio.ensure_future(central.connect(nobody, timeout=30.0))
    await until(lambda: central.connections.connecting)
    await until(lambda: controller_of(central).initiator.pending is not None)
    await hardware_error(central)
    with pytest.raises(ControllerResetError):
        await asyncio.wait_for(attempt, WAIT)
    assert not central.connections.connecting
