"""Controller set-up and information commands, and Zephyr's vendor commands.

Reset, event masks, version, features, buffer sizes and addresses (Core Vol 4
Part E, 7.3 and 7.4, 7.8.1-7.8.4); the Zephyr vendor commands nRF dongles
answer (Zephyr include/zephyr/bluetooth/hci_vs.h).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from aioble_hci.controller import commands as c
from aioble_hci.controller.commands import OK
from aioble_hci.controller.constants import (
    ACL_BUFFERS,
    ACL_DATA_LENGTH,
    HCI_VERSION_5_4,
    LE_FEATURES,
    ZEPHYR_COMPANY_ID,
    Op,
    Status,
)

if TYPE_CHECKING:
    from aioble_hci.controller.controller import VirtualController

HCI_SUBVERSION = 0x0001
LMP_SUBVERSION = 0x0001
# Read_Local_Supported_Features: "BR/EDR Not Supported" (bit 37), "LE Supported (Controller)" (bit 38).
LMP_FEATURES = (1 << 37) | (1 << 38)
# Zephyr's vendor Supported_Commands: Read Version, Read Supported Commands, Write BD_ADDR, Read Static Addresses.
ZEPHYR_VS_COMMANDS = bytes((0b0010_0011, 0b0000_0001)) + bytes(62)


def reset(ctl: VirtualController, params: bytes) -> bytes:
    ctl.reset()
    return OK


def set_event_mask(ctl: VirtualController, params: bytes) -> bytes:
    ctl.event_mask = struct.unpack("<Q", params)[0]
    return OK


def set_event_mask_page_2(ctl: VirtualController, params: bytes) -> bytes:
    ctl.event_mask_page_2 = struct.unpack("<Q", params)[0]
    return OK


def le_set_event_mask(ctl: VirtualController, params: bytes) -> bytes:
    ctl.le_event_mask = struct.unpack("<Q", params)[0]
    return OK


def accept(ctl: VirtualController, params: bytes) -> bytes:
    """Commands whose settings change nothing a host can observe here."""
    return OK


def read_le_host_support(ctl: VirtualController, params: bytes) -> bytes:
    return OK + bytes((1, 0))


def read_local_version_information(ctl: VirtualController, params: bytes) -> bytes:
    return OK + struct.pack(
        "<BHBHH", HCI_VERSION_5_4, HCI_SUBVERSION, HCI_VERSION_5_4, ZEPHYR_COMPANY_ID, LMP_SUBVERSION
    )


def read_local_supported_commands(ctl: VirtualController, params: bytes) -> bytes:
    """The controller's bitmask, derived by the dispatcher from the commands it handles (Vol 4 Part E, 7.4.2)."""
    return OK + ctl.supported_commands


def read_local_supported_features(ctl: VirtualController, params: bytes) -> bytes:
    return OK + struct.pack("<Q", LMP_FEATURES)


def le_read_local_supported_features(ctl: VirtualController, params: bytes) -> bytes:
    return OK + struct.pack("<Q", LE_FEATURES)


def read_buffer_size(ctl: VirtualController, params: bytes) -> bytes:
    return OK + struct.pack("<HBHH", ACL_DATA_LENGTH, 0, ACL_BUFFERS, 0)


def le_read_buffer_size(ctl: VirtualController, params: bytes) -> bytes:
    return OK + struct.pack("<HB", ACL_DATA_LENGTH, ACL_BUFFERS)


def le_read_buffer_size_v2(ctl: VirtualController, params: bytes) -> bytes:
    return OK + struct.pack("<HBHB", ACL_DATA_LENGTH, ACL_BUFFERS, 0, 0)


def read_bd_addr(ctl: VirtualController, params: bytes) -> bytes:
    return OK + ctl.public_address


def le_read_supported_states(ctl: VirtualController, params: bytes) -> bytes:
    return OK + struct.pack("<Q", (1 << 42) - 1)


def le_set_random_address(ctl: VirtualController, params: bytes) -> bytes:
    """Vol 4 Part E, 7.8.4: disallowed while legacy advertising or scanning is on."""
    c.check(not ctl.advertising.legacy_enabled and not ctl.scanner.enabled, Status.COMMAND_DISALLOWED)
    ctl.random_address = bytes(params)
    return OK


def zephyr_read_version_info(ctl: VirtualController, params: bytes) -> bytes:
    # hw_platform 2 (Nordic), hw_variant 2 (nRF52x), fw_variant 1 (standard controller), version 4.0.0, build 0.
    return OK + struct.pack("<HHBBHI", 0x0002, 0x0002, 0x01, 4, 0, 0)


def zephyr_read_supported_commands(ctl: VirtualController, params: bytes) -> bytes:
    return OK + ZEPHYR_VS_COMMANDS


def zephyr_read_static_addresses(ctl: VirtualController, params: bytes) -> bytes:
    """One static address with an all-zero identity root (IR unknown)."""
    return OK + bytes((1,)) + ctl.static_address + bytes(16)


def zephyr_write_bd_addr(ctl: VirtualController, params: bytes) -> bytes:
    ctl.public_address = bytes(params)
    return OK


COMMANDS = [
    c.complete(Op.RESET, reset, 0, bit=(5, 7)),
    c.complete(Op.SET_EVENT_MASK, set_event_mask, 8, bit=(5, 6)),
    c.complete(Op.SET_EVENT_MASK_PAGE_2, set_event_mask_page_2, 8, bit=(22, 2)),
    c.complete(Op.LE_SET_EVENT_MASK, le_set_event_mask, 8, bit=(25, 0)),
    c.complete(Op.SET_CONTROLLER_TO_HOST_FLOW_CONTROL, accept, 1, bit=(10, 5)),
    c.complete(Op.HOST_BUFFER_SIZE, accept, 7, bit=(10, 6)),
    c.complete(Op.READ_LE_HOST_SUPPORT, read_le_host_support, 0, 3, bit=(24, 5)),
    c.complete(Op.WRITE_LE_HOST_SUPPORT, accept, 2, bit=(24, 6)),
    c.complete(Op.READ_LOCAL_VERSION_INFORMATION, read_local_version_information, 0, 9, bit=(14, 3)),
    c.complete(Op.READ_LOCAL_SUPPORTED_COMMANDS, read_local_supported_commands, 0, 65),
    c.complete(Op.READ_LOCAL_SUPPORTED_FEATURES, read_local_supported_features, 0, 9, bit=(14, 5)),
    c.complete(Op.READ_BUFFER_SIZE, read_buffer_size, 0, 8, bit=(14, 7)),
    c.complete(Op.READ_BD_ADDR, read_bd_addr, 0, 7, bit=(15, 1)),
    c.complete(Op.LE_READ_BUFFER_SIZE, le_read_buffer_size, 0, 4, bit=(25, 1)),
    c.complete(Op.LE_READ_BUFFER_SIZE_V2, le_read_buffer_size_v2, 0, 7, bit=(41, 5)),
    c.complete(Op.LE_READ_LOCAL_SUPPORTED_FEATURES, le_read_local_supported_features, 0, 9, bit=(25, 2)),
    c.complete(Op.LE_READ_SUPPORTED_STATES, le_read_supported_states, 0, 9, bit=(28, 3)),
    c.complete(Op.LE_SET_RANDOM_ADDRESS, le_set_random_address, 6, bit=(25, 4)),
    c.complete(Op.ZEPHYR_READ_VERSION_INFO, zephyr_read_version_info, 0, 13),
    c.complete(Op.ZEPHYR_READ_SUPPORTED_COMMANDS, zephyr_read_supported_commands, 0, 65),
    c.complete(Op.ZEPHYR_READ_STATIC_ADDRESSES, zephyr_read_static_addresses, 0, 2),
    c.complete(Op.ZEPHYR_WRITE_BD_ADDR, zephyr_write_bd_addr, 6),
]
