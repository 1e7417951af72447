"""One-line packet summaries for logs and the capture decoder."""

from aioble_hci.address import Address
from aioble_hci.hci import commands as c
from aioble_hci.hci.describe import describe
from aioble_hci.hci.packets import PacketType


def test_command_summary_names_opcode_and_fields():
    text = describe(PacketType.COMMAND, c.LeSetScanEnable(1, 0).to_bytes())
    assert text == "HCI Command LE Set Scan Enable (0x200c) le_scan_enable=1 filter_duplicates=0"


def test_command_summary_shows_addresses_readably():
    cmd = c.LeCreateConnection(peer_address=Address.parse("c0:11:22:33:44:55/random"))
    assert "peer_address=c0:11:22:33:44:55/random" in describe(PacketType.COMMAND, cmd.to_bytes())


def test_vendor_command_summary_keeps_raw_parameters():
    assert describe(PacketType.COMMAND, bytes.fromhex("57fd020102")) == "HCI Command Vendor 0xfd57 (0xfd57) 0102"


def test_command_complete_summary_decodes_return_parameters():
    text = describe(PacketType.EVENT, bytes.fromhex("0e0701022000fb0008"))
    assert text.startswith("HCI Event Command Complete LE Read Buffer Size (0x2002) ncmd=1")
    assert "le_acl_data_packet_length=251" in text


def test_disconnection_summary_names_the_reason():
    text = describe(PacketType.EVENT, bytes.fromhex("050400030016"))
    assert text == "HCI Event Disconnection Complete status=SUCCESS(0x00) connection_handle=3 reason=CONNECTION_TERMINATED_BY_LOCAL_HOST(0x16)"


def test_malformed_event_summary_says_so_instead_of_raising():
    assert describe(PacketType.EVENT, bytes.fromhex("0e05")).startswith("HCI Event malformed")


def test_malformed_command_summary_names_the_command():
    assert describe(PacketType.COMMAND, bytes.fromhex("0c2005")).startswith("HCI Command LE Set Scan Enable malformed")


def test_acl_summary_shows_handle_flags_and_l2cap_channel():
    text = describe(PacketType.ACL, bytes.fromhex("40200700030004000a0100"))
    assert text == "ACL handle=0x040 pb=first-flushable bc=0 len=7 l2cap_len=3 cid=0x0004"


def test_truncated_acl_summary_says_malformed():
    assert "malformed" in describe(PacketType.ACL, bytes.fromhex("4020"))
