"""Privacy modes of resolving list entries (Core Vol 6 Part B, 4.7; Vol 4 Part E, 7.8.77).

An entry is added in Network Privacy Mode: with address resolution enabled, a packet carrying
the identity address of a peer whose entry has a non-zero peer IRK is dropped (that peer
promised private addresses). In Device Privacy Mode the identity address is accepted too. LE Set
Privacy Mode answers Unknown Connection Identifier (0x02) for a peer not on the list and Command
Disallowed (0x0C) while resolution is enabled and advertising, scanning or initiating is on.
"""

from __future__ import annotations

import struct

from tests.controller.rawhost import RawHost
from tests.controller.test_advertising_scanning import legacy_report

PEER = "11:11:11:11:11:11/public"
PEER_IDENTITY = (0, bytes.fromhex("111111111111"))
OTHER = "33:33:33:33:33:33/public"
OTHER_ADDRESS = bytes.fromhex("333333333333")
PEER_IRK = bytes(range(0x40, 0x50))
LE_SET_PRIVACY_MODE = 0x204E
NETWORK, DEVICE = 0x00, 0x01
UNKNOWN_CONNECTION_IDENTIFIER = 0x02
COMMAND_DISALLOWED = 0x0C
INVALID_PARAMETERS = 0x12


def privacy_mode(peer: tuple[int, bytes], mode: int) -> bytes:
    return struct.pack("<B6sB", peer[0], peer[1], mode)


async def put_on_resolving_list(host: RawHost, peer: tuple[int, bytes] = PEER_IDENTITY, irk: bytes = PEER_IRK,
                                mode: int | None = None) -> None:
    await host.ok(0x2027, struct.pack("<B6s16s16s", peer[0], peer[1], irk, bytes(16)))
    if mode is not None:
        await host.ok(LE_SET_PRIVACY_MODE, privacy_mode(peer, mode))
    await host.ok(0x202D, b"\x01")


async def reports_while_other_is_heard(scanner: RawHost, count: int = 3) -> list[tuple[int, bytes]]:
    """Scan without duplicate filtering until ``count`` reports of OTHER (started after the peer)
    arrived: the peer advertised at least as often by then. Returns every (type, address) seen."""
    await scanner.scan(filter_duplicates=False)
    seen: list[tuple[int, bytes]] = []
    while sum(address == OTHER_ADDRESS for _, address in seen) < count:
        _, address_type, address, _ = legacy_report(await scanner.le_event(0x02))
        seen.append((address_type, address))
    return seen


async def test_le_set_privacy_mode_is_in_supported_commands(make_host) -> None:
    """Vol 4 Part E 6.27: Supported_Commands octet 39 bit 2 is LE Set Privacy Mode."""
    host = await make_host()
    supported = await host.ok(0x1002)
    assert supported[39] & (1 << 2)


async def test_le_set_privacy_mode_for_a_peer_not_on_the_resolving_list_is_unknown_connection_identifier(
        make_host) -> None:
    """Vol 4 Part E 7.8.77: the device is not on the resolving list -> 0x02."""
    host = await make_host()
    assert (await host.command(LE_SET_PRIVACY_MODE, privacy_mode(PEER_IDENTITY, DEVICE)))[0] == \
        UNKNOWN_CONNECTION_IDENTIFIER
    await host.ok(0x2027, struct.pack("<B6s16s16s", 0, PEER_IDENTITY[1], PEER_IRK, bytes(16)))
    await host.ok(LE_SET_PRIVACY_MODE, privacy_mode(PEER_IDENTITY, DEVICE))
    other_type = (1, PEER_IDENTITY[1])  # same bytes, other address type: another identity
    assert (await host.command(LE_SET_PRIVACY_MODE, privacy_mode(other_type, DEVICE)))[0] == \
        UNKNOWN_CONNECTION_IDENTIFIER


async def test_le_set_privacy_mode_with_a_reserved_mode_is_invalid_parameters(make_host) -> None:
    host = await make_host()
    await host.ok(0x2027, struct.pack("<B6s16s16s", 0, PEER_IDENTITY[1], PEER_IRK, bytes(16)))
    assert (await host.command(LE_SET_PRIVACY_MODE, privacy_mode(PEER_IDENTITY, 0x02)))[0] == INVALID_PARAMETERS


async def test_le_set_privacy_mode_is_disallowed_while_resolving_and_scanning(make_host) -> None:
    """Vol 4 Part E 7.8.77: not while address resolution is enabled and scanning; any time with
    resolution disabled."""
    host = await make_host()
    await put_on_resolving_list(host)
    await host.scan()
    assert (await host.command(LE_SET_PRIVACY_MODE, privacy_mode(PEER_IDENTITY, DEVICE)))[0] == COMMAND_DISALLOWED
    await host.ok(0x202D, b"\x00")
    await host.ok(LE_SET_PRIVACY_MODE, privacy_mode(PEER_IDENTITY, DEVICE))


async def test_network_privacy_mode_drops_reports_from_the_peers_identity_address(make_host) -> None:
    """Vol 6 Part B 4.7: a peer with a non-zero IRK on the list, in Network Privacy Mode (the mode
    an entry is added in), is not heard when it advertises with its identity address."""
    peer, other, scanner = await make_host(PEER), await make_host(OTHER), await make_host()
    await put_on_resolving_list(scanner)
    await peer.advertise(adv_type=3)
    await other.advertise(adv_type=3)

    seen = await reports_while_other_is_heard(scanner)

    assert all(address != PEER_IDENTITY[1] for _, address in seen)


async def test_device_privacy_mode_reports_the_peers_identity_address(make_host) -> None:
    """Vol 6 Part B 4.7: in Device Privacy Mode the identity address is accepted as well."""
    peer, other, scanner = await make_host(PEER), await make_host(OTHER), await make_host()
    await put_on_resolving_list(scanner, mode=DEVICE)
    await peer.advertise(adv_type=3)
    await other.advertise(adv_type=3)

    seen = await reports_while_other_is_heard(scanner)

    assert PEER_IDENTITY in seen


async def test_entry_with_a_zero_peer_irk_does_not_drop_the_identity_address(make_host) -> None:
    """Vol 6 Part B 4.7: only a peer whose IRK is non-zero promised private addresses."""
    peer, other, scanner = await make_host(PEER), await make_host(OTHER), await make_host()
    await put_on_resolving_list(scanner, irk=bytes(16))
    await peer.advertise(adv_type=3)
    await other.advertise(adv_type=3)

    assert PEER_IDENTITY in await reports_while_other_is_heard(scanner)


async def test_initiator_in_network_privacy_mode_does_not_connect_to_the_peers_identity_address(
        make_host) -> None:
    """Vol 6 Part B 4.7: the initiator ignores the peer's ADV_IND from its identity address; once
    the entry is in Device Privacy Mode, the same connection is made."""
    peer, central, witness = await make_host(PEER), await make_host("22:22:22:22:22:22/public"), await make_host()
    await put_on_resolving_list(central)
    await peer.advertise(adv_type=0)
    await central.command(0x200D, central.create_connection_params(PEER_IDENTITY))
    await witness.scan(filter_duplicates=False)
    for _ in range(3):  # the peer has advertised several times while the central was initiating
        await witness.le_event(0x02)

    await central.ok(0x200E)  # Create Connection Cancel succeeds only if nothing connected
    assert (await central.le_event(0x0A))[0] == UNKNOWN_CONNECTION_IDENTIFIER
    assert peer.pending(0x3E, 0x0A) == []

    await central.ok(LE_SET_PRIVACY_MODE, privacy_mode(PEER_IDENTITY, DEVICE))
    await central.connect(PEER_IDENTITY)
    await peer.accepted()


async def test_advertiser_in_network_privacy_mode_ignores_a_connect_request_from_the_peers_identity(
        make_host) -> None:
    """Vol 6 Part B 4.7, advertiser side: a CONNECT_IND whose initiator address is the identity of
    a Network Privacy Mode entry is ignored; in Device Privacy Mode it is accepted."""
    advertiser, peer = await make_host("22:22:22:22:22:22/public"), await make_host(PEER)
    await put_on_resolving_list(advertiser)
    await advertiser.advertise(adv_type=0)
    await peer.command(0x200D, peer.create_connection_params((0, bytes.fromhex("222222222222"))))
    witness = await make_host()
    await witness.scan(filter_duplicates=False)
    for _ in range(3):
        await witness.le_event(0x02)

    await peer.ok(0x200E)
    assert (await peer.le_event(0x0A))[0] == UNKNOWN_CONNECTION_IDENTIFIER
    assert advertiser.pending(0x3E, 0x0A) == []

    await advertiser.ok(0x200A, b"\x00")
    await advertiser.ok(LE_SET_PRIVACY_MODE, privacy_mode(PEER_IDENTITY, DEVICE))
    await advertiser.ok(0x200A, b"\x01")
    await peer.connect((0, bytes.fromhex("222222222222")))
    await advertiser.accepted()
