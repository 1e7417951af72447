"""How the bearer tracks links: on-air addresses when we use an RPA, key refresh, Encryption
Change v2 key sizes, the security callbacks and MicroPython-style callback prompts."""

from __future__ import annotations

import pytest

from aioble_hci.hci.commands import SetEventMaskPage2
from aioble_hci.host.connection import Connection
from aioble_hci.host.smp import CallbackPrompts, LinkSecurity, PasskeyAction
from aioble_hci.host.smp.privacy import set_private_address
from aioble_hci.smp.config import SecurityConfig
from aioble_hci.smp.methods import PairingMethod
from aioble_hci.smp.pdus import IoCapability
from tests.smp_host.test_reconnect import NC, bonded_pair, encrypted_with_bond
from tests.smp_host.world import CENTRAL_ADDRESS, PERIPHERAL_ADDRESS, World, connect, until


@pytest.mark.parametrize("sc", [False, True], ids=["legacy", "sc"])
async def test_pairing_from_a_resolvable_private_address_uses_the_on_air_addresses(world: World, sc: bool) -> None:
    central = await world.station("central", CENTRAL_ADDRESS, security=SecurityConfig(secure_connections=sc))
    peripheral = await world.station("peripheral", PERIPHERAL_ADDRESS)
    rpa = await set_private_address(central.host, central.smp.local_irk)
    central.smp.local_address = rpa  # what the GAP bearer records per connection as data["local_address"]

    cconn, pconn = await connect(central, peripheral, central_own_type=1)
    result = await central.smp.pair(cconn)

    assert pconn.peer_address == rpa
    assert result.method is PairingMethod.JUST_WORKS and result.security.sc is sc
    await until(lambda: peripheral.smp.identity_address(pconn) == CENTRAL_ADDRESS)  # learnt from its ID key


async def test_encrypting_an_encrypted_link_again_is_a_key_refresh(world: World) -> None:
    central, peripheral = await bonded_pair(world)
    cconn, _ = await connect(central, peripheral)
    await until(lambda: encrypted_with_bond(central) and encrypted_with_bond(peripheral))
    updates = len(central.security_updates)

    state = await central.smp.encrypt(cconn)

    assert state.encrypted and state.level == 4
    assert len(central.security_updates) == updates + 1  # Encryption Key Refresh Complete


async def test_encryption_change_v2_reports_the_controllers_key_size(world: World) -> None:
    central, peripheral = await bonded_pair(world, auto_encrypt=False)
    for station in (central, peripheral):
        await station.host.send_command(SetEventMaskPage2(event_mask_page_2=1 << 25))
    cconn, pconn = await connect(central, peripheral)

    state = await central.smp.encrypt(cconn)

    assert state.key_size == 16 and state.encrypted
    await until(lambda: peripheral.smp.security(pconn).encrypted)


async def test_security_subscribers_see_encryption_then_the_pairing_outcome(world: World) -> None:
    central = await world.station("central", CENTRAL_ADDRESS, security=NC)
    peripheral = await world.station("peripheral", PERIPHERAL_ADDRESS, security=NC)
    cconn, pconn = await connect(central, peripheral)

    interim: list[bool] = []
    central.smp.on_security_changed(lambda conn, state: interim.append(central.smp.pairing_in_progress(conn)))

    await central.smp.pair(cconn)
    await until(lambda: len(peripheral.security_updates) >= 2)

    assert interim == [True, False]  # the encryption mid-pairing, then the pairing outcome
    assert not central.smp.pairing_in_progress(cconn)

    for station, conn in ((central, cconn), (peripheral, pconn)):
        assert station.security_updates[0].encrypted
        final = station.security_updates[-1]
        assert final == LinkSecurity(encrypted=True, authenticated=True, bonded=True, key_size=16, sc=True)
        assert conn.data["security"] == final


async def test_callback_prompts_relay_passkey_actions_and_take_the_answer(world: World) -> None:
    actions: list[tuple[str, PasskeyAction, int]] = []
    shown: dict[str, int] = {}

    def on_action(name: str, prompts: CallbackPrompts) -> object:
        def callback(conn: Connection, action: PasskeyAction, value: int) -> None:
            actions.append((name, action, value))
            if action is PasskeyAction.DISPLAY:
                shown["passkey"] = value
            elif action is PasskeyAction.INPUT:
                assert prompts.answer(conn, action, shown["passkey"])
        return callback

    central = await world.station("central", CENTRAL_ADDRESS,
                                  security=SecurityConfig(io_capability=IoCapability.KEYBOARD_ONLY, mitm=True))
    peripheral = await world.station("peripheral", PERIPHERAL_ADDRESS,
                                     security=SecurityConfig(io_capability=IoCapability.DISPLAY_ONLY, mitm=True))
    for name, station in (("central", central), ("peripheral", peripheral)):
        prompts = CallbackPrompts(lambda c, a, v: None)
        prompts.on_action = on_action(name, prompts)  # type: ignore[assignment]
        station.smp.prompts = prompts
    cconn, _ = await connect(central, peripheral)

    result = await central.smp.pair(cconn)

    assert result.method is PairingMethod.PASSKEY_ENTRY and result.level == 4
    assert [(name, action) for name, action, _ in actions] == [
        ("peripheral", PasskeyAction.DISPLAY), ("central", PasskeyAction.INPUT)]
