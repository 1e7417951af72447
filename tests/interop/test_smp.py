"""SMP against Bumble (Core Vol 3 Part H): legacy and Secure Connections pairing with every
association model both stacks share, in both roles; bonding and re-encryption on reconnect."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from bumble.device import Connection as BumbleConnection
from bumble.pairing import PairingDelegate

from aioble_hci.host.connection import Connection
from aioble_hci.host.smp import PairingResult
from aioble_hci.smp.config import SecurityConfig
from aioble_hci.smp.methods import PairingMethod
from aioble_hci.smp.pdus import IoCapability
from tests.interop.bumble_link import BumblePeer
from tests.interop.bumble_smp import OurUser, Screen, configure_bumble_pairing
from tests.interop.helpers import WAIT, bumble_connects_to_us, connect_to_bumble, next_event, run
from tests.interop.our_gatt import register_our_server
from tests.interop.stack import OurStack, close_stack

MakeStack = Callable[..., Awaitable[OurStack]]

ROLES = ["we_are_central", "we_are_peripheral"]
KINDS = {"legacy": False, "sc": True}


@dataclass(frozen=True)
class Method:
    """An association model: our and Bumble's IO capabilities, and what it must give."""

    ours: IoCapability
    bumble: int
    mitm: bool
    expected: PairingMethod


JUST_WORKS = Method(IoCapability.NO_INPUT_NO_OUTPUT, PairingDelegate.NO_OUTPUT_NO_INPUT, False,
                    PairingMethod.JUST_WORKS)
WE_DISPLAY_BUMBLE_TYPES = Method(IoCapability.DISPLAY_ONLY, PairingDelegate.KEYBOARD_INPUT_ONLY, True,
                                 PairingMethod.PASSKEY_ENTRY)
BUMBLE_DISPLAYS_WE_TYPE = Method(IoCapability.KEYBOARD_ONLY, PairingDelegate.DISPLAY_OUTPUT_ONLY, True,
                                 PairingMethod.PASSKEY_ENTRY)
NUMERIC_COMPARISON = Method(IoCapability.DISPLAY_YES_NO, PairingDelegate.DISPLAY_OUTPUT_AND_YES_NO_INPUT, True,
                            PairingMethod.NUMERIC_COMPARISON)


@dataclass
class Paired:
    ours: OurStack
    conn: Connection
    bumble_conn: BumbleConnection
    result: PairingResult


async def connect(role: str, ours: OurStack, peer: BumblePeer) -> tuple[Connection, BumbleConnection]:
    return await (connect_to_bumble if role == "we_are_central" else bumble_connects_to_us)(ours, peer)


async def pair(role: str, ours: OurStack, peer: BumblePeer) -> Paired:
    """Connect in `role` and pair: we send the Pairing Request as central, Bumble does as central."""
    conn, bumble_conn = await connect(role, ours, peer)
    bumble_done = next_event(bumble_conn, "pairing")
    if role == "we_are_central":
        result = await run(ours.smp.pair(conn))
    else:
        ours_done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def finished(_conn: Connection, result: PairingResult | None, error: Exception | None) -> None:
            if ours_done.done():
                return
            if error is not None:
                ours_done.set_exception(error)
            else:
                ours_done.set_result(result)

        ours.smp.on_pairing_finished(finished)
        bumble_pairing = asyncio.ensure_future(bumble_conn.pair())
        result = await run(ours_done)
        await run(bumble_pairing)
    await run(bumble_done)
    return Paired(ours, conn, bumble_conn, result)


async def _setup(make_ours: MakeStack, peer: BumblePeer, method: Method, sc: bool) -> tuple[OurStack, Screen]:
    screen = Screen()
    ours = await make_ours(security=SecurityConfig(io_capability=method.ours, mitm=method.mitm, secure_connections=sc),
                           prompts=OurUser(screen))
    configure_bumble_pairing(peer.device, screen, sc=sc, mitm=method.mitm, io_capability=method.bumble)
    return ours, screen


def assert_encrypted_alike(paired: Paired, *, authenticated: bool, sc: bool) -> None:
    state = paired.ours.smp.security(paired.conn)
    assert (state.encrypted, state.authenticated, state.sc, state.key_size) == (True, authenticated, sc, 16)
    assert paired.conn.encrypted
    bumble = paired.bumble_conn
    # (Not Bumble's authenticated flag: its host marks every encrypted LE link authenticated.)
    # (Not Bumble's encryption_key_size: its controller sends Encryption Change v1, without the key size.)
    assert bumble.is_encrypted
    assert bumble.sc == sc


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
async def test_just_works_pairing_encrypts_the_link_on_both_sides(make_ours: MakeStack, peer: BumblePeer, role, kind):
    ours, _ = await _setup(make_ours, peer, JUST_WORKS, KINDS[kind])
    paired = await pair(role, ours, peer)
    assert paired.result.method is PairingMethod.JUST_WORKS
    assert_encrypted_alike(paired, authenticated=False, sc=KINDS[kind])


@pytest.mark.parametrize("method", [WE_DISPLAY_BUMBLE_TYPES, BUMBLE_DISPLAYS_WE_TYPE], ids=["we_display", "bumble_displays"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
async def test_passkey_entry_gives_an_authenticated_link(make_ours: MakeStack, peer: BumblePeer, role, kind, method):
    ours, screen = await _setup(make_ours, peer, method, KINDS[kind])
    paired = await pair(role, ours, peer)
    assert paired.result.method is PairingMethod.PASSKEY_ENTRY
    assert screen.shown.done() and 0 <= screen.shown.result() <= 999999
    assert_encrypted_alike(paired, authenticated=True, sc=KINDS[kind])


@pytest.mark.parametrize("role", ROLES)
async def test_numeric_comparison_shows_the_same_number_on_both_sides(make_ours: MakeStack, peer: BumblePeer, role):
    ours, screen = await _setup(make_ours, peer, NUMERIC_COMPARISON, True)
    paired = await pair(role, ours, peer)
    assert paired.result.method is PairingMethod.NUMERIC_COMPARISON
    (who_a, a), (who_b, b) = sorted(screen.compared)
    assert (who_a, who_b) == ("bumble", "ours") and a == b
    assert_encrypted_alike(paired, authenticated=True, sc=True)


@pytest.mark.parametrize("role", ROLES)
async def test_bumble_reads_our_encrypted_value_once_paired(make_ours: MakeStack, peer: BumblePeer, role):
    from bumble.device import Peer

    from tests.interop.our_gatt import ENCRYPTED, SERVICE
    from tests.interop.test_gatt_server import bumble_uuid

    ours, _ = await _setup(make_ours, peer, JUST_WORKS, True)
    db = register_our_server(ours.gatt)
    paired = await pair(role, ours, peer)
    client = Peer(paired.bumble_conn)
    await run(client.discover_services([bumble_uuid(SERVICE)]))
    (service,) = client.get_services_by_uuid(bumble_uuid(SERVICE))
    (char,) = await run(service.discover_characteristics([bumble_uuid(ENCRYPTED)]))
    assert char.handle == db.encrypted.value_handle
    assert await run(char.read_value()) == b"secret"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
async def test_bonding_stores_keys_on_both_sides(make_ours: MakeStack, peer: BumblePeer, role, kind):
    ours, _ = await _setup(make_ours, peer, JUST_WORKS, KINDS[kind])
    paired = await pair(role, ours, peer)
    assert paired.result.security.bonded
    bond = ours.smp.bond_for(paired.conn)
    assert bond is not None and bond.peer == peer.address  # Bumble distributes its static identity
    assert peer.device.keystore is not None
    keys = await peer.device.keystore.get(str(paired.bumble_conn.peer_address))
    assert keys is not None and keys.irk is not None and keys.irk.value == ours.smp.local_irk


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
async def test_reconnecting_bonded_devices_reencrypt_with_the_stored_key(make_ours: MakeStack, peer: BumblePeer,
                                                                        role, kind):
    ours, _ = await _setup(make_ours, peer, JUST_WORKS, KINDS[kind])
    first = await pair(role, ours, peer)
    pairings: list[Any] = []
    ours.smp.on_pairing_finished(lambda *args: pairings.append(args))
    await ours.gap.disconnect(first.conn, timeout=WAIT)
    if role == "we_are_central" and kind == "legacy":
        await _fix_bumble_responder_keys(peer, first.bumble_conn)
    conn, bumble_conn = await connect(role, ours, peer)
    encrypted = next_event(bumble_conn, "connection_encryption_change")
    if role == "we_are_central":
        state = await run(ours.smp.encrypt(conn))  # (auto_encrypt may already have started it)
    else:
        await run(bumble_conn.encrypt())
        state = ours.smp.security(conn)
    await run(encrypted) if not bumble_conn.is_encrypted else None
    assert (state.encrypted, state.bonded, state.sc, state.key_size) == (True, True, KINDS[kind], 16)
    assert bumble_conn.is_encrypted
    assert pairings == []  # no new pairing


@pytest.mark.parametrize("role", ROLES)
async def test_our_bond_survives_a_restart_and_reencrypts_with_bumble(make_ours: MakeStack, peer: BumblePeer, role):
    configure_bumble_pairing(peer.device, Screen(), sc=True, mitm=False, io_capability=JUST_WORKS.bumble)
    before = await make_ours(name="restarted")
    first = await pair(role, before, peer)
    address = before.gap.address
    await before.gap.disconnect(first.conn, timeout=WAIT)
    await close_stack(before)
    after = await make_ours(name="restarted")  # a new Host on a new controller, same files
    assert after.gap.address == address and after.smp.bonds.get(peer.address) is not None
    conn, bumble_conn = await connect(role, after, peer)
    if role == "we_are_central":
        state = await run(after.smp.encrypt(conn))
    else:
        await run(bumble_conn.encrypt())
        state = after.smp.security(conn)
    assert (state.encrypted, state.bonded, state.sc) == (True, True, True)
    assert bumble_conn.is_encrypted


async def _fix_bumble_responder_keys(peer: BumblePeer, bumble_conn: BumbleConnection) -> None:
    """Work around a Bumble 0.0.236 bug in legacy bonding as responder (bumble/smp.py, the
    `else` branch storing keys.ltk_central/ltk_peripheral): it files the LTK it distributed
    itself as the one to use as central, and the initiator's as the one to use as peripheral.
    When we (the bonded central) encrypt with the LTK/EDIV/Rand the peripheral distributed,
    as Core Vol 3 Part H 2.4.4.2 requires, Bumble answers the LTK request with our key and the
    link fails with a MIC failure. Swapping its two entries gives what the spec says."""
    keystore = peer.device.keystore
    assert keystore is not None
    name = str(bumble_conn.peer_address)
    keys = await keystore.get(name)
    assert keys is not None
    keys.ltk_central, keys.ltk_peripheral = keys.ltk_peripheral, keys.ltk_central
    await keystore.update(name, keys)
