"""Names of status codes, LE features, manufacturers and versions."""

from aioble_hci.hci.constants import (
    LeFeature,
    OpCode,
    StatusCode,
    SupportedCommand,
    ZephyrSupportedCommand,
    le_feature_names,
    le_features,
    manufacturer_name,
    version_name,
)


def test_status_codes_carry_the_spec_names():
    assert StatusCode(0x13) is StatusCode.REMOTE_USER_TERMINATED_CONNECTION
    assert StatusCode(0x3D) is StatusCode.CONNECTION_TERMINATED_DUE_TO_MIC_FAILURE
    assert StatusCode(0x45) is StatusCode.PACKET_TOO_LONG
    assert StatusCode.CONNECTION_TIMEOUT.description == "Connection Timeout"


def test_every_error_code_up_to_0x45_is_named():
    assert all(not StatusCode(v).name.startswith("UNKNOWN_0x") for v in range(0x46))


def test_unknown_status_is_a_stable_member_like_object():
    assert StatusCode(0xEE) is StatusCode(0xEE)
    assert StatusCode(0xEE).name == "UNKNOWN_0xEE"


def test_le_features_of_a_bitmask():
    mask = LeFeature.LE_ENCRYPTION.mask | LeFeature.LE_2M_PHY.mask | 1 << 62
    assert le_features(mask) == [LeFeature.LE_ENCRYPTION, LeFeature.LE_2M_PHY, 62]
    assert le_feature_names(mask) == ["LE_ENCRYPTION", "LE_2M_PHY", "bit 62"]


def test_manufacturer_names_of_controller_vendors():
    assert manufacturer_name(0x0059) == "Nordic Semiconductor ASA"
    assert "Zephyr" in manufacturer_name(0x05F1)
    assert manufacturer_name(0x000F) == "Broadcom Corporation"
    assert manufacturer_name(0xBEEF) == "Unknown (0xbeef)"


def test_version_names():
    assert version_name(0x09) == "Bluetooth Core 5.0"
    assert version_name(0x0E) == "Bluetooth Core 6.0"
    assert version_name(0x40).startswith("Unknown")


def test_opcode_splits_into_ogf_and_ocf():
    assert (OpCode.LE_SET_SCAN_ENABLE.ogf, OpCode.LE_SET_SCAN_ENABLE.ocf) == (0x08, 0x0C)
    assert OpCode.ZEPHYR_READ_STATIC_ADDRESSES.ogf == 0x3F


# The facts below are checked against Bumble's tables (bumble/hci.py, pinned 0.0.236),
# another stack's reading of Core Vol 4 Part E 6.27 and Vol 6 Part B 4.6.


def test_every_supported_commands_bit_matches_bumbles_table_of_vol4_part_e_6_27():
    from bumble.hci import HCI_SUPPORTED_COMMANDS_MASKS

    for command in SupportedCommand:
        opcode = OpCode[command.name]
        assert HCI_SUPPORTED_COMMANDS_MASKS[opcode] == 1 << command.value, command.name


def test_every_opcode_with_a_supported_commands_bit_has_a_named_entry():
    from bumble.hci import HCI_SUPPORTED_COMMANDS_MASKS

    missing = [op.name for op in OpCode if op in HCI_SUPPORTED_COMMANDS_MASKS and op.name not in SupportedCommand.__members__]
    assert missing == []


def test_le_read_buffer_size_v2_is_octet_41_bit_5_as_zephyr_tests_it():
    # Zephyr subsys/bluetooth/host/hci_core.c: BT_CMD_TEST(bt_dev.supported_commands, 41, 5)
    command = SupportedCommand.LE_READ_BUFFER_SIZE_V2
    assert (command.octet, command.bit) == (41, 5)
    bitmap = bytearray(64)
    bitmap[41] = 1 << 5
    assert command.is_set(bytes(bitmap))
    assert not SupportedCommand.LE_READ_BUFFER_SIZE.is_set(bytes(bitmap))


def test_zephyr_read_static_addresses_is_vendor_bit_8_octet_1_bit_0():
    # Zephyr include/zephyr/bluetooth/hci_vs.h: BT_VS_CMD_BIT_READ_STATIC_ADDRS 8, tested with
    # BT_LE_FEAT_TEST(cmd, n) = cmd[n >> 3] & BIT(n & 7).
    assert ZephyrSupportedCommand.READ_STATIC_ADDRESSES == 8
    assert ZephyrSupportedCommand.READ_STATIC_ADDRESSES.is_set(bytes((0, 0b1)))
    assert not ZephyrSupportedCommand.READ_STATIC_ADDRESSES.is_set(bytes((0xFF, 0b10)))
    assert not ZephyrSupportedCommand.READ_STATIC_ADDRESSES.is_set(bytes((0xFF,)))


def test_le_feature_bits_match_bumbles_table_of_vol6_part_b_4_6():
    from bumble.hci import LeFeature as BumbleLeFeature

    known = {f.value for f in BumbleLeFeature}
    assert all(f.value in known for f in LeFeature)
    assert LeFeature.LE_EXTENDED_ADVERTISING == BumbleLeFeature.LE_EXTENDED_ADVERTISING == 12
    assert LeFeature.LE_CODED_PHY == BumbleLeFeature.LE_CODED_PHY == 11
    assert LeFeature.CHANNEL_SOUNDING_HOST_SUPPORT == BumbleLeFeature.CHANNEL_SOUNDING_HOST_SUPPORT == 47


def test_commands_and_events_share_the_spec_spelling_of_names():
    from aioble_hci.hci.commands import command_name
    from aioble_hci.hci.constants import EventCode, LeSubevent, OpCode
    from aioble_hci.hci.events import event_name

    assert command_name(OpCode.LE_GENERATE_DHKEY) == "LE Generate DHKey"
    assert event_name(EventCode.LE_META, LeSubevent.LE_GENERATE_DHKEY_COMPLETE) == "LE Generate DHKey Complete"
    assert event_name(EventCode.LE_META, LeSubevent.LE_PHY_UPDATE_COMPLETE) == "LE PHY Update Complete"
    assert command_name(OpCode.READ_BD_ADDR) == "Read BD_ADDR"
    assert event_name(EventCode.IO_CAPABILITY_REQUEST) == "IO Capability Request"
