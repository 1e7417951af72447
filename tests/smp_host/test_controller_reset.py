"""A controller reset and re-initialisation: the SMP bearer loads the resolving list again.

HCI_Reset empties the controller's resolving list and turns address resolution off (Core Vol 4
Part E, 7.3.2); the host re-initialises after a Hardware Error (7.7.16) and tells its bearers.
"""

from __future__ import annotations

import asyncio

from aioble_hci.address import AddressType
from aioble_hci.controller.controller import VirtualController
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.hci.constants import StatusCode
from aioble_hci.host.smp.privacy import identity_for_list, set_private_address
from tests.smp_host.test_reconnect import bonded_pair, encrypted_with_bond
from tests.smp_host.world import PERIPHERAL_ADDRESS, Station, World, connect, until

WAIT = 10.0  # a guard against hangs, never a timing assertion
HARDWARE_ERROR = 0x10


def controller_of(station: Station) -> VirtualController:
    transport = station.host.transport
    assert isinstance(transport, VirtualTransport) and transport.controller is not None
    return transport.controller


async def reset_by_hardware_error(station: Station) -> str:
    """The controller reports a Hardware Error; the host resets and re-initialises it."""
    done: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def finished(why: str) -> None:
        if not done.done():
            done.set_result(why)

    station.host.on_reinitialised(finished)
    controller_of(station).send_event(HARDWARE_ERROR, bytes([0x01]))
    return await asyncio.wait_for(done, WAIT)


def resolving_list_loaded(station: Station) -> bool:
    privacy = controller_of(station).privacy
    bond = station.smp.bonds.get(PERIPHERAL_ADDRESS)
    assert bond is not None
    entries = [(e.peer_address, e.peer_irk) for e in privacy.resolving_list]
    return privacy.resolution_enabled and entries == [(PERIPHERAL_ADDRESS.value, bond.peer_irk)]


async def test_resolving_list_and_resolution_are_reloaded_after_a_controller_reset(world: World) -> None:
    central, _ = await bonded_pair(world, resolving_list=True)
    assert resolving_list_loaded(central)

    assert "hardware error" in await reset_by_hardware_error(central)

    await until(lambda: resolving_list_loaded(central))
    assert central.smp.resolving_list.entries == {identity_for_list(PERIPHERAL_ADDRESS)}


async def test_bonded_peer_with_a_new_rpa_is_resolved_by_the_controller_after_a_reset(world: World) -> None:
    central, peripheral = await bonded_pair(world, resolving_list=True)
    await reset_by_hardware_error(central)
    await until(lambda: resolving_list_loaded(central))
    rpa = await set_private_address(peripheral.host, peripheral.smp.local_irk)

    cconn, _ = await connect(central, peripheral, target=rpa, peripheral_own_type=1)

    assert cconn.peer_address.type is AddressType.PUBLIC_IDENTITY and cconn.peer_resolvable_address == rpa
    await until(lambda: encrypted_with_bond(central) and encrypted_with_bond(peripheral))


async def test_a_reset_ends_the_link_and_its_pending_security_state(world: World) -> None:
    central, peripheral = await bonded_pair(world, resolving_list=True)
    cconn, _ = await connect(central, peripheral)
    await until(lambda: encrypted_with_bond(central))

    await reset_by_hardware_error(central)

    assert cconn.closed.is_set() and cconn.disconnect_reason == StatusCode.HARDWARE_FAILURE
    assert not central.smp.security(cconn).encrypted
    assert central.smp.bond_for(cconn) is None
