"""Fault injection on the air, and address resolution through the resolving list."""

from __future__ import annotations

import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests.controller.test_advertising_scanning import legacy_report
from tests.controller.test_connections import connected


async def test_dropped_packet_never_arrives_but_its_buffer_is_returned(air, make_host):
    central, peripheral, ch, _ = await connected(make_host)
    air.drop_next_packets(1)
    central.send_acl(ch, b"lost")
    assert struct.unpack("<BHH", await central.event(0x13)) == (1, ch, 1)
    central.send_acl(ch, b"kept")
    assert (await peripheral.receive_acl())[2] == b"kept"


async def test_delayed_packets_still_arrive_in_order(air, make_host):
    central, peripheral, ch, _ = await connected(make_host)
    air.packet_delay = 0.01
    central.send_acl(ch, b"one")
    central.send_acl(ch, b"two")
    assert [(await peripheral.receive_acl())[2] for _ in range(2)] == [b"one", b"two"]


async def test_corrupted_event_reaches_the_host_truncated_once(air, make_host):
    host = await make_host()
    air.corrupt_next_event(host.controller, event_code=0x0E)
    host.send_raw(1, struct.pack("<HB", 0x1009, 0))
    await host.wait_for(lambda e: e.code == 0x0E)
    corrupted = host.raw_events[-1]
    assert corrupted[1] == 10 and len(corrupted) == 2 + 9  # length says 10, one byte missing
    assert len(await host.ok(0x1009)) == 6  # the next one is whole


async def test_out_of_range_advertiser_is_not_heard(air, make_host):
    advertiser, scanner = await make_host("11:11:11:11:11:11/public"), await make_host("22:22:22:22:22:22/public")
    air.set_in_range(advertiser.controller, scanner.controller, False)
    await advertiser.advertise(adv_type=3)
    await scanner.scan()
    await scanner.ok(0x200C, b"\x00\x00")
    assert scanner.pending(0x3E, 0x02) == []


def make_rpa(irk: bytes) -> bytes:
    """An RPA for a (little-endian) IRK: prand with top bits 0b01, hash = ah(IRK, prand)."""
    prand_be = bytes.fromhex("4a1b2c")
    encryptor = Cipher(algorithms.AES(irk[::-1]), modes.ECB()).encryptor()
    hash_be = (encryptor.update(bytes(13) + prand_be) + encryptor.finalize())[-3:]
    return hash_be[::-1] + prand_be[::-1]


async def test_rpa_advertiser_on_the_resolving_list_is_reported_by_identity(make_host):
    advertiser, scanner = await make_host(), await make_host()
    irk = bytes(range(0x10, 0x20))
    rpa = make_rpa(irk)
    identity = bytes.fromhex("665544332211")
    await advertiser.ok(0x2005, rpa)
    await advertiser.advertise(adv_type=3, own=1)
    await scanner.ok(0x2027, struct.pack("<B6s16s16s", 0, identity, irk, bytes(16)))
    await scanner.ok(0x202D, b"\x01")
    await scanner.scan()
    _, address_type, address, _ = legacy_report(await scanner.le_event(0x02))
    assert (address_type, address) == (0x02, identity)


async def test_rpa_is_reported_as_is_when_resolution_is_off(make_host):
    advertiser, scanner = await make_host(), await make_host()
    irk = bytes(range(0x10, 0x20))
    rpa = make_rpa(irk)
    await advertiser.ok(0x2005, rpa)
    await advertiser.advertise(adv_type=3, own=1)
    await scanner.ok(0x2027, struct.pack("<B6s16s16s", 0, bytes(6), irk, bytes(16)))
    await scanner.scan()
    _, address_type, address, _ = legacy_report(await scanner.le_event(0x02))
    assert (address_type, address) == (0x01, rpa)


async def test_filter_accept_list_scanning_hears_only_listed_advertisers(make_host):
    listed, other = await make_host("11:11:11:11:11:11/public"), await make_host("33:33:33:33:33:33/public")
    scanner = await make_host()
    await scanner.ok(0x2011, struct.pack("<B6s", 0, bytes.fromhex("111111111111")))
    await listed.advertise(adv_type=3)
    await other.advertise(adv_type=3)
    await scanner.ok(0x200B, struct.pack("<BHHBB", 0, 0x10, 0x10, 0, 1))
    await scanner.ok(0x200C, b"\x01\x01")
    assert legacy_report(await scanner.le_event(0x02))[2] == bytes.fromhex("111111111111")
    await scanner.ok(0x200C, b"\x00\x00")
    assert scanner.pending(0x3E, 0x02) == []


async def test_connection_to_resolved_rpa_reports_identity_and_the_rpa(make_host):
    advertiser, central = await make_host(), await make_host("11:11:11:11:11:11/public")
    irk = bytes(range(0x20, 0x30))
    rpa = make_rpa(irk)
    identity = bytes.fromhex("665544332211")
    await advertiser.ok(0x2005, rpa)
    await advertiser.advertise(adv_type=0, own=1)
    await central.ok(0x2027, struct.pack("<B6s16s16s", 0, identity, irk, bytes(16)))
    await central.ok(0x202D, b"\x01")
    await central.command(0x200D, central.create_connection_params((0, identity)))
    status, _h, role, peer_type, peer, _local_rpa, peer_rpa, *_ = struct.unpack(
        "<BHBB6s6s6sHHHB", await central.le_event(0x0A)
    )
    assert (status, role, peer_type, peer, peer_rpa) == (0, 0, 0x02, identity, rpa)
