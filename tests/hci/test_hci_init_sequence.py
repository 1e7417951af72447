"""The commands and events of the host's init sequence, against bytes as controllers send them."""

from aioble_hci.address import Address, AddressType
from aioble_hci.hci import commands as c
from aioble_hci.hci.constants import OpCode, StatusCode
from aioble_hci.hci.events import (
    CommandComplete,
    CommandStatus,
    NumberOfCompletedPackets,
    parse_event,
)


def test_reset_encodes_as_opcode_and_zero_length():
    assert c.Reset().to_bytes() == bytes.fromhex("030c00")


def test_command_complete_for_reset_parses_to_success_status():
    event = parse_event(bytes.fromhex("0e0401030c00"))
    assert isinstance(event, CommandComplete)
    assert event.command_opcode == OpCode.RESET
    assert event.num_hci_command_packets == 1
    assert event.parsed == c.StatusReturn(StatusCode.SUCCESS)


def test_read_local_version_return_names_manufacturer_and_version():
    # a Zephyr hci_uart controller: HCI 5.4, company 0x05F1
    event = parse_event(bytes.fromhex("0e0c010110000d00000df1050000"))
    info = event.parsed
    assert isinstance(info, c.LocalVersionInformation)
    assert info.hci_version == 0x0D
    assert info.hci_version_name == "Bluetooth Core 5.4"
    assert info.company_identifier == 0x05F1
    assert "Zephyr" in info.manufacturer_name


def test_read_bd_addr_return_is_a_public_address():
    event = parse_event(bytes.fromhex("0e0a01091000" + "665544332211"))
    assert event.parsed.bd_addr == Address.parse("11:22:33:44:55:66/public")


def test_le_read_buffer_size_v2_return_has_acl_and_iso_buffers():
    event = parse_event(bytes.fromhex("0e0a01602000" + "fb00" + "03" + "0000" + "00"))
    ret = event.parsed
    assert (ret.le_acl_data_packet_length, ret.total_num_le_acl_data_packets) == (251, 3)


def test_failed_command_with_only_a_status_still_gives_the_status():
    # Zephyr answers an unsupported command with Command Complete and a lone status
    event = parse_event(bytes.fromhex("0e0401602001"))
    assert event.parsed == c.StatusReturn(StatusCode.UNKNOWN_HCI_COMMAND)


def test_zephyr_read_static_addresses_gives_random_static_address():
    ret = c.ZephyrReadStaticAddresses.parse_return(bytes.fromhex("0001" + "0100000000c0" + "00" * 16))
    assert ret.status == StatusCode.SUCCESS
    (entry,) = ret.addresses
    assert entry.address == Address.parse("c0:00:00:00:00:01/random")
    assert entry.address.is_static


def test_zephyr_read_version_information_return_fields():
    ret = c.ZephyrReadVersionInformation.parse_return(bytes.fromhex("00" + "0200" + "0300" + "00" + "03" + "0700" + "01000000"))
    assert ret.hw_platform_name == "Nordic"
    assert (ret.hw_variant, ret.fw_variant, ret.fw_version, ret.fw_revision, ret.fw_build) == (3, 0, 3, 7, 1)


def test_zephyr_write_bd_addr_carries_the_address_little_endian():
    cmd = c.ZephyrWriteBdAddr(Address.parse("11:22:33:44:55:66/public"))
    assert cmd.to_bytes() == bytes.fromhex("06fc06665544332211")


def test_event_masks_encode_64_bit_little_endian():
    assert c.SetEventMask(0x3DBFF807FFFBFFFF).to_bytes() == bytes.fromhex("010c08fffffbff07f8bf3d")
    assert c.LeSetEventMask(0x1F).parameters() == bytes.fromhex("1f00000000000000")


def test_command_status_for_create_connection():
    event = parse_event(bytes.fromhex("0f0400010d20"))
    assert event == CommandStatus(StatusCode.SUCCESS, 1, OpCode.LE_CREATE_CONNECTION)


def test_number_of_completed_packets_with_two_handles():
    event = parse_event(bytes.fromhex("130902" + "40000300" + "41000100"))
    assert isinstance(event, NumberOfCompletedPackets)
    assert list(event.pairs()) == [(0x40, 3), (0x41, 1)]


def test_unknown_status_code_is_kept_with_a_name():
    status = StatusCode(0xEE)
    assert status == 0xEE
    assert status.name == "UNKNOWN_0xEE"


def test_command_name_of_vendor_and_unknown_opcodes():
    assert c.command_name(0xFC3F) == "Vendor 0xfc3f"
    assert c.command_name(0x0C7F) == "Unknown 0x0c7f"
    assert c.command_name(OpCode.LE_SET_SCAN_ENABLE) == "LE Set Scan Enable"
    assert c.command_name(OpCode.READ_BD_ADDR) == "Read BD_ADDR"


def test_address_types_survive_le_create_connection_round_trip():
    cmd = c.LeCreateConnection(peer_address=Address(bytes(range(6)), AddressType.PUBLIC_IDENTITY))
    assert c.parse_command(cmd.to_bytes()) == cmd
