"""The commands a host's init sequence sends, answered as a Zephyr 5.4 controller would."""

from __future__ import annotations

import struct

from aioble_hci.controller.dispatch import TABLE
from aioble_hci.hci.packets import PacketType
from tests.controller.rawhost import COMMAND_COMPLETE, COMMAND_STATUS, command_packet


async def test_reset_answers_command_complete_success(make_host):
    host = await make_host(init=False)
    assert await host.command(0x0C03) == b"\x00"


async def test_read_local_version_reports_hci_5_4_and_zephyr_manufacturer(make_host):
    host = await make_host()
    hci_version, _hci_rev, lmp_version, company, _lmp_sub = struct.unpack("<BHBHH", await host.ok(0x1001))
    assert (hci_version, lmp_version, company) == (0x0D, 0x0D, 0x05F1)


async def test_le_features_include_extended_advertising_dle_2m_privacy_encryption_and_param_request(make_host):
    host = await make_host()
    (features,) = struct.unpack("<Q", await host.ok(0x2003))
    for bit in (0, 1, 5, 6, 8, 12):
        assert features >> bit & 1, f"LE feature bit {bit} missing"


async def test_lmp_features_say_le_only(make_host):
    host = await make_host()
    (features,) = struct.unpack("<Q", await host.ok(0x1003))
    assert features >> 37 & 1 and features >> 38 & 1


async def test_buffer_sizes_agree_across_v1_v2_and_classic_read(make_host):
    host = await make_host()
    le_len, le_num = struct.unpack("<HB", await host.ok(0x2002))
    v2_len, v2_num, iso_len, iso_num = struct.unpack("<HBHB", await host.ok(0x2060))
    acl_len, _sco_len, acl_num, _sco_num = struct.unpack("<HBHH", await host.ok(0x1005))
    assert le_len == v2_len == acl_len == 251
    assert le_num == v2_num == acl_num >= 4
    assert (iso_len, iso_num) == (0, 0)


async def test_supported_commands_bitmask_lists_what_is_implemented(make_host):
    host = await make_host()
    mask = await host.ok(0x1002)
    assert len(mask) == 64
    assert mask[5] >> 7 & 1  # Reset
    assert mask[0] >> 5 & 1  # Disconnect
    assert mask[37] >> 7 & 1  # LE Extended Create Connection
    assert mask[41] >> 5 & 1  # LE Read Buffer Size v2
    assert not mask[42]  # no CIS commands


async def test_every_command_flagged_as_supported_is_answered_without_unknown_command(make_host):
    host = await make_host()
    for opcode, spec in TABLE.items():
        if spec.bit is None:
            continue
        answer = await host.command_answer(opcode, b"")
        status = answer.params[3] if answer.code == COMMAND_COMPLETE else answer.params[0]
        assert status != 0x01, f"0x{opcode:04x} flagged supported but unknown"


async def test_public_address_is_read_with_read_bd_addr(make_host):
    host = await make_host("11:22:33:44:55:66/public")
    assert await host.ok(0x1009) == bytes.fromhex("665544332211")


async def test_controller_without_public_address_offers_zephyr_static_address(make_host):
    host = await make_host()
    assert await host.ok(0x1009) == bytes(6)
    static = await host.ok(0xFC09)
    assert static[0] == 1 and len(static) == 1 + 6 + 16
    assert static[6] >> 6 == 0b11  # random static: two top bits set


async def test_given_static_address_is_reported_by_zephyr_read_static_addresses(make_host):
    host = await make_host("c1:02:03:04:05:06/random")
    assert (await host.ok(0xFC09))[1:7] == bytes.fromhex("0605040302c1")


async def test_zephyr_write_bd_addr_sets_the_public_address(make_host):
    host = await make_host()
    await host.ok(0xFC06, bytes.fromhex("aabbccddeeff"))
    assert await host.ok(0x1009) == bytes.fromhex("aabbccddeeff")


async def test_zephyr_read_version_info_has_the_vendor_layout(make_host):
    host = await make_host()
    platform, variant, fw_variant, fw_version, fw_revision, fw_build = struct.unpack("<HHBBHI", await host.ok(0xFC01))
    assert fw_variant == 1


async def test_zephyr_supported_commands_flags_static_addresses_and_write_bd_addr(make_host):
    host = await make_host()
    mask = await host.ok(0xFC02)
    assert len(mask) == 64 and mask[0] & 0x01 and mask[0] & 0x20 and mask[1] & 0x01


async def test_le_rand_gives_eight_fresh_bytes(make_host):
    host = await make_host()
    first, second = await host.ok(0x2018), await host.ok(0x2018)
    assert len(first) == 8 and first != second


async def test_le_encrypt_matches_fips_197_vector_in_hci_byte_order(make_host):
    host = await make_host()
    key = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
    plaintext = bytes.fromhex("00112233445566778899aabbccddeeff")
    result = await host.ok(0x2017, key[::-1] + plaintext[::-1])
    assert result[::-1] == bytes.fromhex("69c4e0d86a7b0430d8cdb78070b4c55a")


async def test_unknown_opcode_gets_command_status_unknown_hci_command(make_host):
    host = await make_host()
    answer = await host.command_answer(0x20FF, b"\x01\x02")
    assert answer.code == COMMAND_STATUS and answer.params[0] == 0x01


async def test_wrong_parameter_length_gets_invalid_hci_command_parameters(make_host):
    host = await make_host()
    assert (await host.command(0x0C01, b"\x00" * 7))[0] == 0x12


async def test_length_field_disagreeing_with_the_packet_gets_invalid_parameters(make_host):
    host = await make_host()
    host.send_raw(PacketType.COMMAND, struct.pack("<HB", 0x0C01, 9) + bytes(8))
    answer = await host.wait_for(lambda e: e.code == COMMAND_COMPLETE)
    assert answer.params[3] == 0x12


async def test_garbage_from_the_host_never_stops_the_controller(make_host):
    host = await make_host()
    host.send_raw(PacketType.COMMAND, b"\x01")
    host.send_raw(PacketType.ACL, b"\x00")
    host.send_raw(PacketType.ACL, b"\x00\x00\xff\xff")
    host.send_raw(PacketType.SCO, b"\x00\x00\x00")
    host.send_raw(PacketType.COMMAND, command_packet(0x2006, b"\xff" * 15))
    assert await host.command(0x0C03) == b"\x00"


async def test_masked_le_meta_events_are_not_sent(make_host):
    host = await make_host()
    await host.ok(0x2001, struct.pack("<Q", 0))
    await host.ok(0x200B, struct.pack("<BHHBB", 0, 0x10, 0x10, 0, 0))
    peer = await make_host()
    await peer.advertise(adv_type=3, data=b"\x02\x01\x06")
    await host.ok(0x200C, b"\x01\x00")
    await host.ok(0x200C, b"\x00\x00")
    assert host.pending(0x3E) == []


def test_supported_commands_bits_of_every_handled_command_match_the_spec_table():
    # The controller keeps its own numbers; each must sit where Vol 4 Part E 6.27 puts it
    # (hci.constants.SupportedCommand, itself checked against Bumble's table).
    from aioble_hci.hci.constants import OpCode, SupportedCommand

    for opcode, spec in TABLE.items():
        name = OpCode(opcode).name
        if name in SupportedCommand.__members__:
            command = SupportedCommand[name]
            assert spec.bit == (command.octet, command.bit), name
        else:
            assert spec.bit is None, name
