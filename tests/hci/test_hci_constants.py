"""Names of status codes, LE features, manufacturers and versions."""

from aioble_hci.hci.constants import (
    LeFeature,
    OpCode,
    StatusCode,
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
