"""A later, weaker pairing does not silently replace an authenticated bond.

Anyone can claim a bonded peer's address, and Just Works authenticates no one (Core Vol 3 Part H,
2.3.5.1: it gives no MITM protection), so an impostor pairing with Just Works must not replace
keys that came from an authenticated pairing (security-and-conformance P10/P11; BlueZ's
``JustWorksRepairing`` defaults to ``never``, NimBLE raises its repeat-pairing event for the
application). With a bond at hand the pairing is refused in phase 1 with Pairing Failed
Authentication Requirements (0x03: "the pairing procedure cannot be performed as authentication
requirements cannot be met due to IO capabilities"), the reason the Linux kernel's SMP sends
when a required MITM level meets Just Works. ``allow_security_downgrade=True`` lets it through.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from aioble_hci.address import Address
from aioble_hci.hci import commands as cmd
from aioble_hci.host.smp import BondDowngradeError, PairingFailedError
from aioble_hci.smp.config import SecurityConfig
from aioble_hci.smp.pdus import IoCapability, PairingFailedReason
from tests.smp_host.world import (
    CENTRAL_ADDRESS,
    PERIPHERAL_ADDRESS,
    Station,
    World,
    connect,
    disconnect,
    until,
)

# DisplayYesNo on both sides with the MITM flag: Numeric Comparison, an authenticated LE SC bond.
# mitm_requested only sets the flag, so Just Works stays acceptable by policy (the case at issue).
DISPLAY = SecurityConfig(io_capability=IoCapability.DISPLAY_YES_NO, mitm_requested=True)
NO_IO = SecurityConfig(io_capability=IoCapability.NO_INPUT_NO_OUTPUT)
AUTH = PairingFailedReason.AUTHENTICATION_REQUIREMENTS


async def authenticated_bond(world: World, central_config: dict[str, Any] | None = None,
                             peripheral_config: dict[str, Any] | None = None) -> tuple[Station, Station]:
    central = await world.station("central", CENTRAL_ADDRESS, security=DISPLAY, auto_encrypt=False,
                                  **(central_config or {}))
    peripheral = await world.station("peripheral", PERIPHERAL_ADDRESS, security=DISPLAY, **(peripheral_config or {}))
    cconn, _ = await connect(central, peripheral)
    result = await central.smp.pair(cconn)
    assert result.security.authenticated and result.security.bonded
    await until(lambda: bool(peripheral.pairings))
    await disconnect(central, peripheral)
    return central, peripheral


def now_without_io(station: Station) -> None:
    """The device (or an impostor with its address) has no IO now: only Just Works is possible."""
    station.smp.config.security = replace(NO_IO, identity=station.smp.config.security.identity)


async def test_central_refuses_just_works_over_an_authenticated_bond(world: World) -> None:
    central, peripheral = await authenticated_bond(world, peripheral_config={"allow_security_downgrade": True})
    before = central.smp.bonds.get(PERIPHERAL_ADDRESS)
    now_without_io(peripheral)
    cconn, _ = await connect(central, peripheral)

    with pytest.raises(PairingFailedError) as failed:
        await central.smp.pair(cconn)

    assert (failed.value.reason, failed.value.remote) == (AUTH, False)
    assert central.smp.bonds.get(PERIPHERAL_ADDRESS) == before


async def test_peripheral_refuses_just_works_over_an_authenticated_bond(world: World) -> None:
    central, peripheral = await authenticated_bond(world, central_config={"allow_security_downgrade": True})
    before = peripheral.smp.bonds.get(CENTRAL_ADDRESS)
    now_without_io(central)
    cconn, _ = await connect(central, peripheral)

    with pytest.raises(PairingFailedError) as failed:
        await central.smp.pair(cconn)

    assert (failed.value.reason, failed.value.remote) == (AUTH, True)  # sent by the peripheral
    await until(lambda: len(peripheral.pairings) == 2)
    assert peripheral.smp.bonds.get(CENTRAL_ADDRESS) == before


async def test_just_works_replaces_an_authenticated_bond_when_the_application_allows_it(world: World) -> None:
    allow = {"allow_security_downgrade": True}
    central, peripheral = await authenticated_bond(world, central_config=allow, peripheral_config=allow)
    now_without_io(peripheral)
    cconn, _ = await connect(central, peripheral)

    result = await central.smp.pair(cconn)

    assert not result.security.authenticated
    bond = central.smp.bonds.get(PERIPHERAL_ADDRESS)
    assert bond is not None and not bond.authenticated


async def test_identity_learnt_in_key_distribution_does_not_downgrade_its_bond(world: World) -> None:
    """A peer not recognised at connection time (another address, no resolvable one) distributes
    the identity of an authenticated bond after a Just Works pairing: the keys are not stored."""
    central, _ = await authenticated_bond(world)
    before = central.smp.bonds.get(PERIPHERAL_ADDRESS)
    impostor_address = Address.parse("c3:33:33:33:33:33/random")
    impostor = await world.station("impostor", impostor_address, security=NO_IO,
                                   identity_address=PERIPHERAL_ADDRESS)
    await impostor.host.send_command(cmd.LeSetRandomAddress(random_address=impostor_address))
    impostor.smp.local_address = impostor_address  # its address on air (no GAP bearer to say so)
    cconn, _ = await connect(central, impostor, peripheral_own_type=1)

    with pytest.raises(BondDowngradeError):
        await central.smp.pair(cconn)

    assert central.smp.bonds.get(PERIPHERAL_ADDRESS) == before
