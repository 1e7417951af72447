"""The init sequence against a scripted Zephyr-like controller on a pty."""

from __future__ import annotations

from aioble_hci.address import AddressType
from aioble_hci.hci.constants import LeFeature, OpCode
from tests.scripted.controller import STATIC_ADDRESS, ControllerConfig


async def test_init_sequence_runs_in_order_and_reads_the_zephyr_static_address(scripted_host) -> None:
    host, controller = await scripted_host()
    assert controller.opcodes() == [
        OpCode.RESET,
        OpCode.READ_LOCAL_VERSION_INFORMATION,
        OpCode.READ_LOCAL_SUPPORTED_COMMANDS,
        OpCode.READ_LOCAL_SUPPORTED_FEATURES,
        OpCode.LE_READ_LOCAL_SUPPORTED_FEATURES,
        OpCode.READ_BD_ADDR,
        OpCode.LE_READ_BUFFER_SIZE,
        OpCode.SET_EVENT_MASK,
        OpCode.LE_SET_EVENT_MASK,
        OpCode.ZEPHYR_READ_SUPPORTED_COMMANDS,
        OpCode.ZEPHYR_READ_STATIC_ADDRESSES,
    ]
    info = host.controller_info
    assert info.manufacturer == 0x05F1
    assert info.hci_version == 0x0D
    assert info.address is not None and info.address.value == STATIC_ADDRESS
    assert info.address.type == AddressType.RANDOM
    assert str(info.address) == "c0:ff:ee:12:34:56"
    assert not info.has_public_address


async def test_init_learns_buffers_and_le_features(scripted_host) -> None:
    host, _ = await scripted_host(ControllerConfig(acl_buffers=3, acl_size=251))
    info = host.controller_info
    assert (info.total_num_acl_data_packets, info.acl_data_packet_length) == (3, 251)
    assert host.acl.credits == 3 and host.acl.max_length == 251
    assert "LE_ENCRYPTION" in info.le_feature_names
    assert info.le_features & LeFeature.LE_2M_PHY.mask


async def test_init_prefers_le_read_buffer_size_v2_when_supported(scripted_host) -> None:
    host, controller = await scripted_host(ControllerConfig(buffer_size_v2=True, acl_buffers=4))
    assert OpCode.LE_READ_BUFFER_SIZE_V2 in controller.opcodes()
    assert OpCode.LE_READ_BUFFER_SIZE not in controller.opcodes()
    assert host.controller_info.total_num_acl_data_packets == 4


async def test_controller_with_public_address_is_not_asked_for_static_addresses(scripted_host) -> None:
    public = bytes.fromhex("665544332211")
    host, controller = await scripted_host(ControllerConfig(manufacturer=0x0002, bd_addr=public))
    assert OpCode.ZEPHYR_READ_STATIC_ADDRESSES not in controller.opcodes()
    assert host.controller_info.address is not None
    assert str(host.controller_info.address) == "11:22:33:44:55:66"
    assert host.controller_info.has_public_address


async def test_zephyr_controller_without_static_address_command_has_no_address(scripted_host) -> None:
    host, controller = await scripted_host(ControllerConfig(static_address=b""))
    assert OpCode.ZEPHYR_READ_SUPPORTED_COMMANDS in controller.opcodes()
    assert OpCode.ZEPHYR_READ_STATIC_ADDRESSES not in controller.opcodes()
    assert host.controller_info.address is None


async def test_nordic_controller_that_rejects_zephyr_commands_still_starts(scripted_host) -> None:
    host, controller = await scripted_host(ControllerConfig(manufacturer=0x0059, zephyr_vendor_commands=False))
    assert host.controller_info.manufacturer_name.startswith("Nordic")
    assert controller.opcodes()[-1] == OpCode.ZEPHYR_READ_SUPPORTED_COMMANDS
    assert host.controller_info.static_addresses == []


def test_default_event_mask_enables_the_events_the_host_handles_at_bit_code_minus_one() -> None:
    # Vol 4 Part E 7.3.1: bit n of Event_Mask enables event code n + 1 (Bumble's
    # HCI_Set_Event_Mask_Command.mask computes the same from event codes).
    from bumble.hci import HCI_Set_Event_Mask_Command

    from aioble_hci.hci.constants import EventCode
    from aioble_hci.host.startup import DEFAULT_EVENT_MASK

    handled = [
        EventCode.DISCONNECTION_COMPLETE,
        EventCode.ENCRYPTION_CHANGE_V1,
        EventCode.READ_REMOTE_VERSION_INFORMATION_COMPLETE,
        EventCode.HARDWARE_ERROR,
        EventCode.DATA_BUFFER_OVERFLOW,
        EventCode.ENCRYPTION_KEY_REFRESH_COMPLETE,
        EventCode.LE_META,
    ]
    assert DEFAULT_EVENT_MASK.to_bytes(8, "little") == HCI_Set_Event_Mask_Command.mask(handled)


def test_default_le_event_mask_enables_le_sub_events_0x01_to_0x14() -> None:
    # Vol 4 Part E 7.8.1: bit n of LE_Event_Mask enables LE sub-event n + 1.
    from bumble.hci import HCI_LE_Set_Event_Mask_Command

    from aioble_hci.hci.constants import LeSubevent
    from aioble_hci.host.startup import DEFAULT_LE_EVENT_MASK

    up_to_0x14 = [s for s in LeSubevent if s <= LeSubevent.LE_CHANNEL_SELECTION_ALGORITHM]
    assert DEFAULT_LE_EVENT_MASK.to_bytes(8, "little") == HCI_LE_Set_Event_Mask_Command.mask(up_to_0x14)
