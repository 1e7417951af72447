"""Just Works pairing (legacy and LE Secure Connections) between two Hosts, initiated from each role."""

from __future__ import annotations

import pytest

from aioble_hci.smp.methods import PairingMethod
from tests.smp_host.world import CENTRAL_ADDRESS, PERIPHERAL_ADDRESS, World, connect, until


@pytest.mark.parametrize("sc", [False, True], ids=["legacy", "sc"])
async def test_central_pairs_just_works_and_both_links_are_encrypted_and_bonded(world: World, sc: bool) -> None:
    central = await world.station("central", CENTRAL_ADDRESS)
    peripheral = await world.station("peripheral", PERIPHERAL_ADDRESS)
    cconn, pconn = await connect(central, peripheral)

    result = await central.smp.pair(cconn, sc=sc, bond=True)

    assert result.method is PairingMethod.JUST_WORKS
    assert result.level == 2
    assert result.security.sc is sc
    await until(lambda: peripheral.smp.security(pconn).bonded)
    for station, conn in ((central, cconn), (peripheral, pconn)):
        state = station.smp.security(conn)
        assert (state.encrypted, state.authenticated, state.bonded, state.key_size, state.sc) == (
            True, False, True, 16, sc)
        assert conn.encrypted
    assert central.smp.bonds.get(PERIPHERAL_ADDRESS) is not None
    assert peripheral.smp.bonds.get(CENTRAL_ADDRESS) is not None


@pytest.mark.parametrize("sc", [False, True], ids=["legacy", "sc"])
async def test_peripheral_security_request_makes_the_central_pair_just_works(world: World, sc: bool) -> None:
    central = await world.station("central", CENTRAL_ADDRESS)
    peripheral = await world.station("peripheral", PERIPHERAL_ADDRESS)
    cconn, pconn = await connect(central, peripheral)

    result = await peripheral.smp.pair(pconn, sc=sc)

    assert result.method is PairingMethod.JUST_WORKS
    assert result.security.encrypted and result.security.sc is sc
    await until(lambda: central.smp.security(cconn).bonded)
    assert central.pairings[-1][0].method is PairingMethod.JUST_WORKS
    assert central.smp.security(cconn).level == 2
