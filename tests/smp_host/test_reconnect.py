"""Bonding, then reconnecting: re-encryption from the stored LTK with no new pairing, on demand or
automatically, and a peer that reconnects from a fresh resolvable private address."""

from __future__ import annotations

import pytest

from aioble_hci.address import AddressType
from aioble_hci.host.smp.privacy import set_private_address
from aioble_hci.smp.config import SecurityConfig
from aioble_hci.smp.pdus import IoCapability
from tests.smp_host.world import (
    CENTRAL_ADDRESS,
    PERIPHERAL_ADDRESS,
    Station,
    World,
    connect,
    disconnect,
    until,
)

NC = SecurityConfig(io_capability=IoCapability.DISPLAY_YES_NO, mitm=True)


async def bonded_pair(
    world: World, peripheral_config: dict[str, object] | None = None, **central_config: object
) -> tuple[Station, Station]:
    central = await world.station("central", CENTRAL_ADDRESS, security=NC, **central_config)  # type: ignore[arg-type]
    peripheral = await world.station(
        "peripheral", PERIPHERAL_ADDRESS, security=NC, **(peripheral_config or {}))  # type: ignore[arg-type]
    cconn, _ = await connect(central, peripheral)
    result = await central.smp.pair(cconn)
    assert result.level == 4
    await until(lambda: bool(peripheral.pairings))
    await disconnect(central, peripheral)
    return central, peripheral


def encrypted_with_bond(station: Station) -> bool:
    state = station.smp.security(station.conn) if station.host.connections else None
    return state is not None and state.encrypted and state.bonded


async def test_central_reencrypts_a_bonded_peer_automatically_without_pairing_again(world: World) -> None:
    central, peripheral = await bonded_pair(world)
    cconn, pconn = await connect(central, peripheral)

    await until(lambda: encrypted_with_bond(central) and encrypted_with_bond(peripheral))

    assert len(central.pairings) == 1 and len(peripheral.pairings) == 1
    assert central.user.compared == [central.user.compared[0]]
    for station, conn in ((central, cconn), (peripheral, pconn)):
        state = station.smp.security(conn)
        assert (state.authenticated, state.sc, state.key_size, state.level) == (True, True, 16, 4)


async def test_central_reencrypts_on_demand_when_automatic_encryption_is_off(world: World) -> None:
    central, peripheral = await bonded_pair(world, auto_encrypt=False)
    cconn, pconn = await connect(central, peripheral)
    assert not central.smp.security(cconn).encrypted

    state = await central.smp.encrypt(cconn)

    assert state.encrypted and state.bonded and state.level == 4
    await until(lambda: peripheral.smp.security(pconn).encrypted)
    assert peripheral.smp.security(pconn).level == 4
    assert len(central.pairings) == 1


async def test_security_request_from_a_bonded_peripheral_is_answered_with_the_stored_key(world: World) -> None:
    central, peripheral = await bonded_pair(world, auto_encrypt=False)
    _, pconn = await connect(central, peripheral)

    result = await peripheral.smp.pair(pconn)

    assert result.method is None  # encrypted with the bond, not a new pairing
    assert result.level == 4
    assert len(central.pairings) == 1 and len(peripheral.pairings) == 1


@pytest.mark.parametrize("resolving_list", [False, True], ids=["host-resolves", "controller-resolves"])
async def test_peripheral_with_a_rotated_rpa_is_recognised_by_its_irk(world: World, resolving_list: bool) -> None:
    central, peripheral = await bonded_pair(world, resolving_list=resolving_list)
    rpa = await set_private_address(peripheral.host, peripheral.smp.local_irk)
    assert rpa.is_resolvable

    cconn, _ = await connect(central, peripheral, target=rpa, peripheral_own_type=1)

    assert central.smp.identity_address(cconn) == PERIPHERAL_ADDRESS
    assert cconn.data["identity_address"] == PERIPHERAL_ADDRESS
    if resolving_list:
        assert cconn.peer_address.type is AddressType.PUBLIC_IDENTITY
        assert cconn.peer_resolvable_address == rpa
    else:
        assert cconn.peer_address == rpa
    await until(lambda: encrypted_with_bond(central) and encrypted_with_bond(peripheral))
    assert len(central.pairings) == 1


@pytest.mark.parametrize("resolving_list", [False, True], ids=["host-resolves", "controller-resolves"])
async def test_central_with_a_rotated_rpa_is_recognised_by_the_peripheral(world: World, resolving_list: bool) -> None:
    central, peripheral = await bonded_pair(world, peripheral_config={"resolving_list": resolving_list})
    rpa = await set_private_address(central.host, central.smp.local_irk)

    _, pconn = await connect(central, peripheral, central_own_type=1)

    if resolving_list:
        assert pconn.peer_address.type is AddressType.PUBLIC_IDENTITY
        assert pconn.peer_resolvable_address == rpa
    else:
        assert pconn.peer_address == rpa
    assert peripheral.smp.identity_address(pconn) == CENTRAL_ADDRESS
    await until(lambda: encrypted_with_bond(central) and encrypted_with_bond(peripheral))
    assert peripheral.smp.security(pconn).level == 4
