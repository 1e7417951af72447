"""Injected key pairs and random sources: reproducible pairings for conformance work and replays."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aioble_hci.smp import toolbox
from aioble_hci.smp.config import SecurityConfig
from aioble_hci.smp.entropy import PASSKEY_RANGE, SeededRandom, random_passkey
from aioble_hci.smp.events import PairingComplete
from aioble_hci.smp.pdus import IoCapability
from aioble_hci.smp.toolbox import P256KeyPair
from tests.smp.link import CENTRAL_IDENTITY, PERIPHERAL_IDENTITY, Link

CENTRAL = SecurityConfig(identity=CENTRAL_IDENTITY)
PERIPHERAL = SecurityConfig(identity=PERIPHERAL_IDENTITY)


def fixed(seed: str, private_key: int) -> dict[str, Any]:
    return {"key_pair": P256KeyPair.from_private_value(private_key), "random": SeededRandom(seed)}


def completes(link: Link) -> tuple[PairingComplete, PairingComplete]:
    c, p = link.central.complete, link.peripheral.complete
    assert c is not None and p is not None, (link.central.events, link.peripheral.events)
    return c, p


def test_seeded_random_repeats_its_stream_for_the_same_seed() -> None:
    first, second = SeededRandom("seed"), SeededRandom("seed")
    assert [first(n) for n in (3, 16, 40)] == [second(n) for n in (3, 16, 40)]
    assert SeededRandom("seed")(59) == SeededRandom(b"seed")(59)
    assert SeededRandom("other")(16) != SeededRandom("seed")(16)


def test_random_passkey_rejects_values_past_999999_instead_of_folding_them() -> None:
    draws = iter([b"\x0f\xff\xff", b"\x00\x00\x2a"])  # 20 bits: 1048575 is out of range, then 42
    assert random_passkey(lambda n: next(draws)) == 42


def test_random_passkey_stays_in_range() -> None:
    source = SeededRandom("passkeys")
    assert all(0 <= random_passkey(source) < PASSKEY_RANGE for _ in range(500))


def test_debug_key_pair_is_the_specs_debug_public_key() -> None:
    """Vol 3 Part H, 2.3.5.6.1: the debug private key gives the published debug public key."""
    pair = P256KeyPair.debug()
    assert (pair.x, pair.y) == (toolbox.DEBUG_PUBLIC_X, toolbox.DEBUG_PUBLIC_Y)


def test_secure_connections_pairing_with_fixed_keys_and_random_repeats_exactly() -> None:
    def run() -> Link:
        return Link(CENTRAL, PERIPHERAL, central_kwargs=fixed("c", 7), peripheral_kwargs=fixed("p", 11)).pair()

    first, second = run(), run()
    assert first.central.sent == second.central.sent and first.peripheral.sent == second.peripheral.sent
    assert completes(first)[0].keys.ltk == completes(second)[0].keys.ltk is not None
    central_public_key = next(pdu for pdu in first.central.sent if pdu[0] == 0x0C)
    assert central_public_key[1:33] == P256KeyPair.from_private_value(7).x[::-1]  # on air LSB first


def test_unfixed_pairings_differ_from_run_to_run() -> None:
    first, second = Link(CENTRAL, PERIPHERAL).pair(), Link(CENTRAL, PERIPHERAL).pair()
    assert completes(first)[0].keys.ltk != completes(second)[0].keys.ltk


def test_legacy_pairing_keys_come_from_the_injected_random_source() -> None:
    def run() -> Link:
        legacy_c, legacy_p = replace(CENTRAL, secure_connections=False), replace(PERIPHERAL, secure_connections=False)
        return Link(legacy_c, legacy_p, central_kwargs=fixed("c", 7), peripheral_kwargs=fixed("p", 11)).pair()

    first, second = run(), run()
    assert first.central.sent == second.central.sent and first.peripheral.sent == second.peripheral.sent
    c, p = completes(first)
    assert c.keys.peer.ltk == p.keys.local.ltk is not None and c.keys.peer.csrk == p.keys.local.csrk is not None


def test_displayed_passkey_comes_from_the_injected_random_source() -> None:
    def displayed() -> int:
        peripheral = replace(PERIPHERAL, io_capability=IoCapability.DISPLAY_ONLY, mitm=True)
        central = replace(CENTRAL, io_capability=IoCapability.KEYBOARD_ONLY, mitm=True)
        link = Link(central, peripheral, peripheral_kwargs=fixed("p", 11)).pair()
        completes(link)
        assert link.peripheral.displayed is not None
        return link.peripheral.displayed

    assert displayed() == displayed()
