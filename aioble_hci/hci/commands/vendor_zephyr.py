"""Zephyr's vendor-specific commands (OGF 0x3F), as its hci_uart/hci_usb controllers answer them.

Formats from Zephyr's include/zephyr/bluetooth/hci_vs.h. Nordic dongles have
no public address: Read Static Addresses gives the factory random static
address (from the FICR) the host should use instead.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from aioble_hci.hci.commands.base import Command, ReturnParameters
from aioble_hci.hci.constants import OpCode
from aioble_hci.hci.fields import (
    U8,
    U16,
    U32,
    Bytes8,
    Bytes16,
    Bytes64,
    CountedList,
    HciStruct,
    PublicAddress,
    RandomAddress,
    Status,
)
from aioble_hci.records import dataclass

__all__ = [
    "ZEPHYR_FW_VARIANTS",
    "ZEPHYR_HW_PLATFORMS",
    "ZephyrReadStaticAddresses",
    "ZephyrReadSupportedCommands",
    "ZephyrReadSupportedFeatures",
    "ZephyrReadVersionInformation",
    "ZephyrStaticAddress",
    "ZephyrStaticAddresses",
    "ZephyrSupportedCommands",
    "ZephyrSupportedFeatures",
    "ZephyrVersionInformation",
    "ZephyrWriteBdAddr",
]

ZEPHYR_HW_PLATFORMS = {0x0001: "Intel", 0x0002: "Nordic", 0x0003: "NXP"}
ZEPHYR_FW_VARIANTS = {
    0x00: "Standard Bluetooth controller",
    0x01: "Vendor specific controller",
    0x02: "Firmware loader",
    0x03: "Rescue image",
}


@dataclass(frozen=True, slots=True)
class ZephyrVersionInformation(ReturnParameters):
    """Return parameters of Zephyr Read Version Information (0xFC01)."""

    status: Status
    hw_platform: U16
    hw_variant: U16
    fw_variant: U8
    fw_version: U8
    fw_revision: U16
    fw_build: U32

    @property
    def hw_platform_name(self) -> str:
        return ZEPHYR_HW_PLATFORMS.get(self.hw_platform, f"0x{self.hw_platform:04x}")


@dataclass(frozen=True, slots=True)
class ZephyrReadVersionInformation(Command):
    """Zephyr Read Version Information (0xFC01)."""

    OPCODE: ClassVar[int] = OpCode.ZEPHYR_READ_VERSION_INFORMATION
    RETURN = ZephyrVersionInformation


@dataclass(frozen=True, slots=True)
class ZephyrSupportedCommands(ReturnParameters):
    """Return parameters of Zephyr Read Supported Commands (0xFC02): a 64-octet bitmap of vendor commands."""

    status: Status
    supported_commands: Bytes64


@dataclass(frozen=True, slots=True)
class ZephyrReadSupportedCommands(Command):
    """Zephyr Read Supported Commands (0xFC02): a 64-octet bitmap of vendor commands."""

    OPCODE: ClassVar[int] = OpCode.ZEPHYR_READ_SUPPORTED_COMMANDS
    RETURN = ZephyrSupportedCommands


@dataclass(frozen=True, slots=True)
class ZephyrSupportedFeatures(ReturnParameters):
    """Return parameters of Zephyr Read Supported Features (0xFC03)."""

    status: Status
    supported_features: Bytes8


@dataclass(frozen=True, slots=True)
class ZephyrReadSupportedFeatures(Command):
    """Zephyr Read Supported Features (0xFC03)."""

    OPCODE: ClassVar[int] = OpCode.ZEPHYR_READ_SUPPORTED_FEATURES
    RETURN = ZephyrSupportedFeatures


@dataclass(frozen=True, slots=True)
class ZephyrWriteBdAddr(Command):
    """Zephyr Write BD_ADDR (0xFC06): set the controller's public address."""

    OPCODE: ClassVar[int] = OpCode.ZEPHYR_WRITE_BD_ADDR
    bd_addr: PublicAddress


@dataclass(frozen=True, slots=True)
class ZephyrStaticAddress(HciStruct):
    """One factory static address and its identity root (IR, all zero if none)."""

    address: RandomAddress
    identity_root: Bytes16


@dataclass(frozen=True, slots=True)
class ZephyrStaticAddresses(ReturnParameters):
    """Return parameters of Zephyr Read Static Addresses (0xFC09)."""

    status: Status
    addresses: Annotated[tuple[ZephyrStaticAddress, ...], CountedList(ZephyrStaticAddress)]


@dataclass(frozen=True, slots=True)
class ZephyrReadStaticAddresses(Command):
    """Zephyr Read Static Addresses (0xFC09)."""

    OPCODE: ClassVar[int] = OpCode.ZEPHYR_READ_STATIC_ADDRESSES
    RETURN = ZephyrStaticAddresses
