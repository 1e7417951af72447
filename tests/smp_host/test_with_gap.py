"""SMP over connections made by the GAP bearer, both sides on rotating resolvable private addresses."""

from __future__ import annotations

from pathlib import Path

from aioble_hci.address import Address
from aioble_hci.host.gap import Gap, GapConfig, attach_gap
from aioble_hci.host.gap.config import AddressMode
from aioble_hci.host.smp import SmpHostConfig, attach_smp, get_smp
from aioble_hci.smp.config import SecurityConfig
from aioble_hci.smp.methods import PairingMethod
from aioble_hci.smp.pdus import IoCapability
from tests.smp_host.world import CENTRAL_ADDRESS, PERIPHERAL_ADDRESS, World, until

NC = SecurityConfig(io_capability=IoCapability.DISPLAY_YES_NO, mitm=True)


async def private_station(world: World, name: str, address: Address) -> Gap:
    from aioble_hci.controller.transport import VirtualTransport
    from aioble_hci.host.host import Host

    host = Host(VirtualTransport("virtual", air=world.air, address=address))
    world.hosts.append(host)
    await host.start()
    path = Path(world.tmp_path)
    smp = await attach_smp(host, SmpHostConfig(security=NC, bond_path=path / f"{name}-bonds.json",
                                               irk_path=path / f"{name}-irk.json"))
    return await attach_gap(host, GapConfig(address_mode=AddressMode.RPA, irk=smp.local_irk))


async def test_bonded_peers_on_rotated_rpas_reconnect_and_reencrypt_through_gap(world: World) -> None:
    central = await private_station(world, "central", CENTRAL_ADDRESS)
    peripheral = await private_station(world, "peripheral", PERIPHERAL_ADDRESS)
    csmp, psmp = get_smp(central.host), get_smp(peripheral.host)
    assert csmp is not None and psmp is not None
    try:
        await peripheral.advertise(b"\x02\x01\x06")
        assert peripheral.address is not None and peripheral.address.is_resolvable
        cconn = await central.connect(peripheral.address)
        result = await csmp.pair(cconn)
        assert result.method is PairingMethod.NUMERIC_COMPARISON and result.level == 4
        await until(lambda: bool(peripheral.host.connections)
                    and psmp.security(next(iter(peripheral.host.connections.values()))).bonded)
        await central.disconnect(cconn)
        await until(lambda: not peripheral.host.connections)

        old = peripheral.address
        await central.addresses.rotate()
        await peripheral.addresses.rotate()
        assert peripheral.address != old
        await peripheral.advertise(b"\x02\x01\x06")
        cconn = await central.connect(peripheral.address)
        await until(lambda: csmp.security(cconn).encrypted and bool(peripheral.host.connections))
        (pconn,) = peripheral.host.connections.values()
        await until(lambda: psmp.security(pconn).encrypted)

        assert csmp.identity_address(cconn) == peripheral.identity_address  # GAP's identity, from the ID key
        assert psmp.identity_address(pconn) == central.identity_address
        assert len(csmp.bonds) == len(psmp.bonds) == 1  # recognised, not bonded anew
        assert csmp.security(cconn).level == psmp.security(pconn).level == 4
    finally:
        central.close()
        peripheral.close()
