"""Bonded peers that use their identity address are still found with the resolving list on.

An entry added to the controller's resolving list is in Network Privacy Mode, in which the
controller drops every packet carrying that peer's identity address (Core Vol 6 Part B, 4.7).
A bonded peer that does not use private addresses (a public-address peripheral, a phone or PC
with privacy off) would then never be seen again, so the host puts each entry in Device Privacy
Mode with LE Set Privacy Mode where the controller supports it (Vol 3 Part C, 10.7; Vol 4 Part E,
7.8.77). The virtual controller filters by privacy mode as the spec says.
"""

from __future__ import annotations

from aioble_hci.controller.privacy import DEVICE_PRIVACY_MODE, NETWORK_PRIVACY_MODE
from aioble_hci.hci import commands as cmd
from aioble_hci.hci.constants import OpCode
from aioble_hci.hci.events import LeAdvertisingReport
from aioble_hci.hci.packets import PacketType
from tests.smp_host.test_controller_reset import controller_of
from tests.smp_host.test_reconnect import NC, bonded_pair, encrypted_with_bond
from tests.smp_host.world import (
    CENTRAL_ADDRESS,
    PERIPHERAL_ADDRESS,
    World,
    advertise,
    connect,
    until,
)


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


async def test_a_controller_without_le_set_privacy_mode_is_not_sent_it(world: World) -> None:
    """Vol 4 Part E 6.27: the command is sent only where Supported_Commands octet 39 bit 2 says so;
    without it the resolving list still works (the entry stays in Network Privacy Mode)."""
    central = await world.station("central", CENTRAL_ADDRESS, security=NC, resolving_list=True)
    commands = bytearray(central.host.controller_info.supported_commands)
    commands[39] &= ~(1 << 2)  # as a controller before Core 5.0 reports it
    central.host.controller_info.supported_commands = bytes(commands)
    sent: list[int] = []
    send = central.host.transport.send

    def recording(packet_type: PacketType, payload: bytes) -> None:
        if packet_type == PacketType.COMMAND:
            sent.append(int.from_bytes(payload[:2], "little"))
        send(packet_type, payload)

    central.host.transport.send = recording  # type: ignore[method-assign]
    peripheral = await world.station("peripheral", PERIPHERAL_ADDRESS, security=NC)
    cconn, _ = await connect(central, peripheral)
    await central.smp.pair(cconn)

    await until(lambda: controller_of(central).privacy.resolution_enabled)
    assert OpCode.LE_ADD_DEVICE_TO_RESOLVING_LIST in sent and OpCode.LE_SET_PRIVACY_MODE not in sent
    entries = controller_of(central).privacy.resolving_list
    assert [(e.peer_address, e.privacy_mode) for e in entries] == [(PERIPHERAL_ADDRESS.value, NETWORK_PRIVACY_MODE)]
