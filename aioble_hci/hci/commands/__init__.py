"""HCI command codecs (Vol 4 Part E, 7): one dataclass per command, re-exported here.

Each command has `OPCODE`, `parameters()`, `to_bytes()`, `from_parameters()`
and `parse_return()`; `command_name(opcode)` names any opcode.

The command modules load on first use of one of their names, so a host that sends a
few dozen commands does not build all of them at start-up. `COMMANDS` (the registry by
opcode) and `command_class(opcode)` load every module first, as a decoder needs them all.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from aioble_hci.hci.commands.base import (
    Command,
    ReturnParameters,
    StatusHandleReturn,
    StatusReturn,
    UnknownCommand,
    command_class,
    command_name,
    parse_command,
)

if TYPE_CHECKING:
    from aioble_hci.hci.commands.address_lists import *  # noqa: F403
    from aioble_hci.hci.commands.advertising import *  # noqa: F403
    from aioble_hci.hci.commands.base import COMMANDS
    from aioble_hci.hci.commands.connection import *  # noqa: F403
    from aioble_hci.hci.commands.controller import *  # noqa: F403
    from aioble_hci.hci.commands.scanning import *  # noqa: F403
    from aioble_hci.hci.commands.security import *  # noqa: F403
    from aioble_hci.hci.commands.vendor_zephyr import *  # noqa: F403

# Each command module's `__all__` (tests/hci checks that these agree).
_MODULES: dict[str, tuple[str, ...]] = {
    "address_lists": (
        "FilterAcceptListSize", "LeAddDeviceToFilterAcceptList", "LeAddDeviceToResolvingList",
        "LeClearFilterAcceptList", "LeClearResolvingList", "LeReadFilterAcceptListSize",
        "LeReadLocalResolvableAddress", "LeReadPeerResolvableAddress", "LeReadResolvingListSize",
        "LeRemoveDeviceFromFilterAcceptList", "LeRemoveDeviceFromResolvingList",
        "LeSetAddressResolutionEnable", "LeSetPrivacyMode", "LeSetRandomAddress",
        "LeSetResolvablePrivateAddressTimeout", "ResolvableAddressReturn", "ResolvingListSize",
    ),
    "advertising": (
        "AdvertisingSet", "LeClearAdvertisingSets", "LeReadAdvertisingPhysicalChannelTxPower",
        "LeReadMaximumAdvertisingDataLength", "LeReadNumberOfSupportedAdvertisingSets",
        "LeRemoveAdvertisingSet", "LeSetAdvertisingData", "LeSetAdvertisingEnable",
        "LeSetAdvertisingParameters", "LeSetAdvertisingSetRandomAddress",
        "LeSetExtendedAdvertisingData", "LeSetExtendedAdvertisingEnable",
        "LeSetExtendedAdvertisingParameters", "LeSetExtendedScanResponseData",
        "LeSetScanResponseData", "MAX_EXTENDED_DATA_FRAGMENT", "MaximumAdvertisingDataLength",
        "NumberOfSupportedAdvertisingSets", "OPERATION_COMPLETE", "OPERATION_FIRST",
        "OPERATION_INTERMEDIATE", "OPERATION_LAST", "OPERATION_UNCHANGED", "SelectedTxPower",
        "TxPowerLevel",
    ),
    "connection": (
        "Disconnect", "InitiatingPhyParameters", "LeConnectionUpdate", "LeCreateConnection",
        "LeCreateConnectionCancel", "LeExtendedCreateConnection", "LeReadMaximumDataLength",
        "LeReadPhy", "LeReadRemoteFeatures", "LeReadSuggestedDefaultDataLength",
        "LeRemoteConnectionParameterRequestNegativeReply",
        "LeRemoteConnectionParameterRequestReply", "LeSetDataLength", "LeSetDefaultPhy",
        "LeSetPhy", "LeWriteSuggestedDefaultDataLength", "MaximumDataLength", "PhyReturn",
        "ReadRemoteVersionInformation", "ReadRssi", "RssiReturn", "SuggestedDefaultDataLength",
    ),
    "controller": (
        "BdAddr", "BufferSize", "DEFAULT_EVENT_MASK", "DEFAULT_LE_EVENT_MASK", "HostBufferSize",
        "HostCompletedPackets", "HostNumberOfCompletedPackets", "LeBufferSize", "LeBufferSizeV2",
        "LeHostSupportReturn", "LeLocalSupportedFeatures", "LeReadBufferSize",
        "LeReadBufferSizeV2", "LeReadLocalSupportedFeatures", "LeReadSupportedStates",
        "LeSetEventMask", "LeSupportedStates", "LocalSupportedCommands", "LocalSupportedFeatures",
        "LocalVersionInformation", "ReadBdAddr", "ReadBufferSize", "ReadLeHostSupport",
        "ReadLocalSupportedCommands", "ReadLocalSupportedFeatures", "ReadLocalVersionInformation",
        "Reset", "SetControllerToHostFlowControl", "SetEventMask", "SetEventMaskPage2",
        "WriteLeHostSupport",
    ),
    "scanning": (
        "LeSetExtendedScanEnable", "LeSetExtendedScanParameters", "LeSetScanEnable",
        "LeSetScanParameters", "ScanningPhyParameters",
    ),
    "security": (
        "EncryptReturn", "LeEnableEncryption", "LeEncrypt", "LeLongTermKeyRequestNegativeReply",
        "LeLongTermKeyRequestReply", "LeRand", "RandReturn",
    ),
    "vendor_zephyr": (
        "ZEPHYR_FW_VARIANTS", "ZEPHYR_HW_PLATFORMS", "ZephyrReadStaticAddresses",
        "ZephyrReadSupportedCommands", "ZephyrReadSupportedFeatures",
        "ZephyrReadVersionInformation", "ZephyrStaticAddress", "ZephyrStaticAddresses",
        "ZephyrSupportedCommands", "ZephyrSupportedFeatures", "ZephyrVersionInformation",
        "ZephyrWriteBdAddr",
    ),
}

_HOMES = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "COMMANDS",
    "Command",
    "ReturnParameters",
    "StatusHandleReturn",
    "StatusReturn",
    "UnknownCommand",
    "command_class",
    "command_name",
    "load_all",
    "parse_command",
    *_HOMES,
]


def load_all() -> None:
    """Import every command module, so the opcode registry is complete."""
    for module in _MODULES:
        importlib.import_module(f"{__name__}.{module}")


def __getattr__(name: str) -> Any:
    if name == "COMMANDS":
        load_all()
        from aioble_hci.hci.commands.base import COMMANDS

        value: Any = COMMANDS
    elif name in _HOMES:
        value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
