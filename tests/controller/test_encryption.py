"""LE encryption between two virtual controllers: LTK request, match, mismatch, rejection, refresh."""

from __future__ import annotations

import struct

from tests.controller.test_connections import connected

LTK = bytes(range(16))
RAND = bytes.fromhex("0102030405060708")
EDIV = 0x1234


def enable_encryption(handle: int, ltk: bytes = LTK) -> bytes:
    return struct.pack("<H8sH16s", handle, RAND, EDIV, ltk)


async def test_peripheral_host_gets_ltk_request_with_rand_and_ediv(make_host):
    central, peripheral, ch, ph = await connected(make_host)
    assert await central.command(0x2019, enable_encryption(ch)) == b"\x00"
    assert struct.unpack("<H8sH", await peripheral.le_event(0x05)) == (ph, RAND, EDIV)


async def test_matching_keys_give_encryption_change_on_both_sides(make_host):
    central, peripheral, ch, ph = await connected(make_host)
    await central.command(0x2019, enable_encryption(ch))
    await peripheral.le_event(0x05)
    assert await peripheral.ok(0x201A, struct.pack("<H16s", ph, LTK)) == struct.pack("<H", ph)
    assert await central.event(0x08) == struct.pack("<BHB", 0, ch, 1)
    assert await peripheral.event(0x08) == struct.pack("<BHB", 0, ph, 1)


async def test_mismatched_keys_disconnect_both_sides_with_mic_failure(make_host):
    central, peripheral, ch, ph = await connected(make_host)
    await central.command(0x2019, enable_encryption(ch))
    await peripheral.le_event(0x05)
    await peripheral.ok(0x201A, struct.pack("<H16s", ph, bytes(16)))
    assert await central.event(0x05) == struct.pack("<BHB", 0, ch, 0x3D)
    assert await peripheral.event(0x05) == struct.pack("<BHB", 0, ph, 0x3D)
    assert central.pending(0x08) == [] and peripheral.pending(0x08) == []


async def test_negative_reply_gives_central_pin_or_key_missing(make_host):
    central, peripheral, ch, ph = await connected(make_host)
    await central.command(0x2019, enable_encryption(ch))
    await peripheral.le_event(0x05)
    assert await peripheral.ok(0x201B, struct.pack("<H", ph)) == struct.pack("<H", ph)
    assert await central.event(0x08) == struct.pack("<BHB", 0x06, ch, 0)


async def test_encrypting_again_is_a_key_refresh_on_both_sides(make_host):
    central, peripheral, ch, ph = await connected(make_host)
    for expected_event in (0x08, 0x30):
        await central.command(0x2019, enable_encryption(ch))
        await peripheral.le_event(0x05)
        await peripheral.ok(0x201A, struct.pack("<H16s", ph, LTK))
        assert (await central.event(expected_event))[0] == 0
        assert (await peripheral.event(expected_event))[0] == 0


async def test_encryption_change_v2_carries_key_size_when_unmasked(make_host):
    central, peripheral, ch, ph = await connected(make_host)
    await central.ok(0x0C63, struct.pack("<Q", 1 << 25))
    await central.command(0x2019, enable_encryption(ch))
    await peripheral.le_event(0x05)
    await peripheral.ok(0x201A, struct.pack("<H16s", ph, LTK))
    assert await central.event(0x59) == struct.pack("<BHBB", 0, ch, 1, 16)


async def test_peripheral_cannot_start_encryption(make_host):
    _, peripheral, _, ph = await connected(make_host)
    assert await peripheral.command(0x2019, enable_encryption(ph)) == b"\x0c"


async def test_ltk_reply_without_request_is_command_disallowed(make_host):
    _, peripheral, _, ph = await connected(make_host)
    result = await peripheral.command(0x201A, struct.pack("<H16s", ph, LTK))
    assert result == b"\x0c" + struct.pack("<H", ph)


async def test_acl_keeps_flowing_after_encryption(make_host):
    central, peripheral, ch, ph = await connected(make_host)
    await central.command(0x2019, enable_encryption(ch))
    await peripheral.le_event(0x05)
    await peripheral.ok(0x201A, struct.pack("<H16s", ph, LTK))
    await central.event(0x08)
    central.send_acl(ch, b"\x01\x00\x06\x00\x01")
    assert (await peripheral.receive_acl())[2] == b"\x01\x00\x06\x00\x01"
