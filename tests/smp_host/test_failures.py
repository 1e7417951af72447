"""Pairing and encryption that fail: the error reported, the link's fate, and that no bond is kept."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from aioble_hci.hci.commands import LeCreateConnection
from aioble_hci.hci.constants import StatusCode
from aioble_hci.hci.events import EncryptionChange
from aioble_hci.host.connection import Connection
from aioble_hci.host.smp import (
    BondOverwriteError,
    EncryptionError,
    LinkLostError,
    NoBondError,
    PairingFailedError,
)
from aioble_hci.host.smp.bond_file import FileBondStore
from aioble_hci.smp.config import SecurityConfig
from aioble_hci.smp.pdus import IoCapability, PairingFailedReason
from tests.smp_host.test_reconnect import bonded_pair
from tests.smp_host.world import (
    CENTRAL_ADDRESS,
    PERIPHERAL_ADDRESS,
    WAIT,
    Station,
    World,
    advertise,
    connect,
    until,
)

YES_NO = SecurityConfig(io_capability=IoCapability.DISPLAY_YES_NO, mitm=True)
KEYBOARD = SecurityConfig(io_capability=IoCapability.KEYBOARD_ONLY, mitm=True)


def on_disk(station: Station) -> FileBondStore:
    """The station's bond file as a fresh reader sees it, once the writes in flight are done."""
    assert station.smp.bonds.flush(10.0)
    return FileBondStore(station.smp.bonds.path)


def no_bonds(*stations: Station) -> bool:
    return all(len(s.smp.bonds) == 0 and len(on_disk(s)) == 0 for s in stations)


async def test_mismatched_keys_end_in_a_mic_failure_disconnect_reported_to_the_caller(world: World) -> None:
    central, peripheral = await bonded_pair(world, auto_encrypt=False)
    bond = peripheral.smp.bonds.get(CENTRAL_ADDRESS)
    assert bond is not None and bond.ltk is not None
    peripheral.smp.bonds.put(replace(bond, ltk=bytes(16)))  # the peripheral now holds another key
    cconn, pconn = await connect(central, peripheral)

    with pytest.raises(LinkLostError) as raised:
        await central.smp.encrypt(cconn)
    assert raised.value.reason == StatusCode.CONNECTION_TERMINATED_DUE_TO_MIC_FAILURE
    await until(lambda: not central.host.connections and not peripheral.host.connections)
    assert pconn.disconnect_reason == StatusCode.CONNECTION_TERMINATED_DUE_TO_MIC_FAILURE
    assert not central.smp.security(cconn).encrypted


async def test_peer_that_lost_its_bond_refuses_the_key_with_pin_or_key_missing(world: World) -> None:
    central, peripheral = await bonded_pair(world, auto_encrypt=False)
    assert await peripheral.smp.delete_bond(CENTRAL_ADDRESS)
    cconn, _ = await connect(central, peripheral)

    with pytest.raises(EncryptionError) as raised:
        await central.smp.encrypt(cconn)
    assert raised.value.status == StatusCode.PIN_OR_KEY_MISSING
    assert cconn.connected and not central.smp.security(cconn).encrypted


async def test_encrypting_without_a_bond_says_to_pair_first(world: World) -> None:
    central = await world.station("central", CENTRAL_ADDRESS)
    peripheral = await world.station("peripheral", PERIPHERAL_ADDRESS)
    cconn, _ = await connect(central, peripheral)
    with pytest.raises(NoBondError) as raised:
        await central.smp.encrypt(cconn)
    assert "pair first" in str(raised.value)


async def test_rejected_numeric_comparison_fails_pairing_and_stores_no_bond(world: World) -> None:
    central = await world.station("central", CENTRAL_ADDRESS, security=YES_NO)
    peripheral = await world.station("peripheral", PERIPHERAL_ADDRESS, security=YES_NO, accept=False)
    cconn, pconn = await connect(central, peripheral)

    with pytest.raises(PairingFailedError) as raised:
        await central.smp.pair(cconn)
    assert raised.value.reason is PairingFailedReason.NUMERIC_COMPARISON_FAILED and raised.value.remote
    await until(lambda: bool(peripheral.pairings))
    assert isinstance(peripheral.pairings[-1][1], PairingFailedError)
    assert no_bonds(central, peripheral)
    assert not central.smp.security(cconn).encrypted and not peripheral.smp.security(pconn).encrypted


async def test_headless_passkey_entry_without_a_configured_passkey_fails_pairing(world: World) -> None:
    central = await world.station("central", CENTRAL_ADDRESS, security=KEYBOARD, headless=True)
    peripheral = await world.station("peripheral", PERIPHERAL_ADDRESS, security=replace(
        KEYBOARD, io_capability=IoCapability.DISPLAY_ONLY))
    cconn, _ = await connect(central, peripheral)

    with pytest.raises(PairingFailedError) as raised:
        await central.smp.pair(cconn)
    assert raised.value.reason is PairingFailedReason.PASSKEY_ENTRY_FAILED and not raised.value.remote
    assert no_bonds(central, peripheral)


async def test_headless_passkey_entry_types_the_configured_passkey(world: World) -> None:
    central = await world.station("central", CENTRAL_ADDRESS, security=KEYBOARD, headless=True, passkey=424242)
    peripheral = await world.station("peripheral", PERIPHERAL_ADDRESS, security=KEYBOARD, headless=True,
                                     passkey=424242)
    cconn, _ = await connect(central, peripheral)

    result = await central.smp.pair(cconn)

    assert result.level == 4 and result.security.authenticated


async def test_sc_only_central_refuses_a_legacy_only_peer_and_stores_no_bond(world: World) -> None:
    central = await world.station("central", CENTRAL_ADDRESS, security=SecurityConfig(sc_only=True))
    peripheral = await world.station("peripheral", PERIPHERAL_ADDRESS,
                                     security=SecurityConfig(secure_connections=False))
    cconn, _ = await connect(central, peripheral)

    with pytest.raises(PairingFailedError) as raised:
        await central.smp.pair(cconn)
    assert raised.value.reason is PairingFailedReason.AUTHENTICATION_REQUIREMENTS
    assert no_bonds(central, peripheral)


async def bare_peripheral(world: World, reply: bytes | None) -> tuple[Station, Connection]:
    """A peripheral whose SMP answers every PDU with ``reply`` (None: never answers)."""
    central = await world.station("central", CENTRAL_ADDRESS,
                                  security=SecurityConfig(timeout=0.05) if reply is None else SecurityConfig())
    host = await world.bare_host(PERIPHERAL_ADDRESS)
    if reply is not None:
        host.register_fixed_channel(0x0006, lambda conn, pdu: host.send_l2cap(conn.handle, 0x0006, reply))
    await advertise(host)
    await central.host.send_command(LeCreateConnection(peer_address=PERIPHERAL_ADDRESS))
    await until(lambda: bool(central.host.connections and host.connections))
    return central, central.conn


async def test_peer_answering_pairing_not_supported_fails_pairing_with_no_bond(world: World) -> None:
    central, cconn = await bare_peripheral(world, bytes([0x05, PairingFailedReason.PAIRING_NOT_SUPPORTED]))

    with pytest.raises(PairingFailedError) as raised:
        await central.smp.pair(cconn)
    assert raised.value.reason is PairingFailedReason.PAIRING_NOT_SUPPORTED and raised.value.remote
    assert no_bonds(central)


async def test_silent_peer_times_out_the_pairing(world: World) -> None:
    central, cconn = await bare_peripheral(world, None)

    with pytest.raises(PairingFailedError) as raised:
        await asyncio.wait_for(central.smp.pair(cconn), WAIT)
    assert raised.value.timed_out
    assert no_bonds(central)


async def test_pairing_that_would_overwrite_a_bond_is_not_stored_when_overwrite_is_off(world: World) -> None:
    central = await world.station("central", CENTRAL_ADDRESS, allow_bond_overwrite=False)
    peripheral = await world.station("peripheral", PERIPHERAL_ADDRESS)
    cconn, _ = await connect(central, peripheral)
    await central.smp.pair(cconn)
    original = central.smp.bonds.get(PERIPHERAL_ADDRESS)
    assert original is not None

    with pytest.raises(BondOverwriteError):
        await central.smp.pair(cconn)  # a second pairing claiming the same identity
    assert central.smp.bonds.get(PERIPHERAL_ADDRESS) == original
    assert on_disk(central).get(PERIPHERAL_ADDRESS) == original
    assert not central.smp.security(cconn).bonded


async def test_central_repairs_with_a_peer_that_lost_the_bond_when_configured(world: World) -> None:
    central, peripheral = await bonded_pair(world, repair_on_lost_bond=True)
    assert await peripheral.smp.delete_bond(CENTRAL_ADDRESS)

    cconn, pconn = await connect(central, peripheral)

    await until(lambda: len(central.pairings) == 2 and peripheral.smp.security(pconn).bonded)
    assert central.pairings[-1][1] is None
    assert central.smp.security(cconn).level == 4
    assert peripheral.smp.bonds.get(CENTRAL_ADDRESS) is not None


async def test_central_leaves_the_link_unencrypted_when_the_peer_lost_the_bond_by_default(world: World) -> None:
    central, peripheral = await bonded_pair(world)
    assert await peripheral.smp.delete_bond(CENTRAL_ADDRESS)
    refused: list[bool] = []
    central.host.on_event(EncryptionChange, lambda event: refused.append(event.status != StatusCode.SUCCESS))

    cconn, _ = await connect(central, peripheral)

    await until(lambda: refused == [True])
    assert not central.smp.security(cconn).encrypted
    assert len(central.pairings) == 1
