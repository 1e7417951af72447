"""Bonded peers that use their identity address are still found with the resolving list on.

An entry added to the controller's resolving list is in Network Privacy Mode, in which the
controller drops every packet carrying that peer's identity address (Core Vol 6 Part B, 4.7).
A bonded peer that does not use private addresses (a public-address peripheral, a phone or PC
with privacy off) would then never be seen again, so the host puts each entry in Device Privacy
Mode with LE Set Privacy Mode where the controller supports it (Vol 3 Part C, 10.7; Vol 4 Part E,
7.8.77). The virtual controller filters by privacy mode as the spec says.
"""

from __future__ import annotations

from aioble_hci.controller.privacy import DEVICE_PRIVACY_MODE
from aioble_hci.hci import commands as cmd
from aioble_hci.hci.events import LeAdvertisingReport
from tests.smp_host.test_controller_reset import controller_of
from tests.smp_host.test_reconnect import bonded_pair, encrypted_with_bond
from tests.smp_host.world import PERIPHERAL_ADDRESS, World, advertise, connect, until


async def test_bonded_peer_advertising_with_its_public_identity_is_reconnected(world: World) -> None:
    """Vol 3 Part C 10.7 / Vol 6 Part B 4.7: after bonding (IRK on the resolving list, resolution
    on), the peer advertising with its public identity address is connected and re-encrypted."""
    central, peripheral = await bonded_pair(world, resolving_list=True)
    assert central.smp.resolving_list.entries  # the peer is on the controller's list

    await connect(central, peripheral)  # to the identity address, the peer advertising with it

    await until(lambda: encrypted_with_bond(central) and encrypted_with_bond(peripheral))


async def test_bonded_peer_advertising_with_its_public_identity_is_seen_by_a_scan(world: World) -> None:
    """Vol 6 Part B 4.7: the entry is in Device Privacy Mode, so the peer's advertising reports
    are not dropped."""
    central, peripheral = await bonded_pair(world, resolving_list=True)
    entries = controller_of(central).privacy.resolving_list
    assert [(e.peer_address, e.privacy_mode) for e in entries] == [(PERIPHERAL_ADDRESS.value, DEVICE_PRIVACY_MODE)]
    reports: list[LeAdvertisingReport] = []
    central.host.on_event(LeAdvertisingReport, reports.append)

    await advertise(peripheral.host)
    await central.host.send_command(cmd.LeSetScanParameters())
    await central.host.send_command(cmd.LeSetScanEnable(le_scan_enable=1, filter_duplicates=0))

    await until(lambda: any(r.address == PERIPHERAL_ADDRESS for event in reports for r in event.reports))
