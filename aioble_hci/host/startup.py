"""The init sequence a host runs on a fresh controller, and what it learns (ControllerInfo).

Reset, then read what the controller is and supports (Vol 4 Part E, 7.4), its
ACL buffers (LE Read Buffer Size v2, else v1, else the shared Read Buffer Size,
Vol 4 Part E 7.8.2 and 7.4.5), and enable the events the host handles. Zephyr and
Nordic controllers without a public address give their factory static random
address through Zephyr's Read Static Addresses vendor command.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aioble_hci.address import Address, AddressType
from aioble_hci.hci import commands as cmd
from aioble_hci.hci.constants import (
    SupportedCommand,
    ZephyrSupportedCommand,
    le_feature_names,
    manufacturer_name,
    supports_command,
    version_name,
)
from aioble_hci.host.errors import HciCommandError, HciTimeoutError

log = logging.getLogger(__name__)

ZEPHYR_COMPANY_IDS = (0x05F1, 0x0059)  # The Linux Foundation (Zephyr), Nordic Semiconductor

# Set_Event_Mask bits (Vol 4 Part E, 7.3.1): bit n enables event code n+1.
DEFAULT_EVENT_MASK = (
    1 << 4  # Disconnection Complete
    | 1 << 7  # Encryption Change [v1]
    | 1 << 11  # Read Remote Version Information Complete
    | 1 << 15  # Hardware Error
    | 1 << 25  # Data Buffer Overflow
    | 1 << 47  # Encryption Key Refresh Complete
    | 1 << 61  # LE Meta
)
DEFAULT_LE_EVENT_MASK = (1 << 20) - 1  # LE sub-events 0x01-0x14 (Vol 4 Part E, 7.8.1)

# LE commands whose support `aioble-hci info` reports, with the names it prints.
LE_COMMANDS_OF_INTEREST: dict[str, SupportedCommand] = {
    "LE Set Random Address": SupportedCommand.LE_SET_RANDOM_ADDRESS,
    "LE Set Advertising Parameters": SupportedCommand.LE_SET_ADVERTISING_PARAMETERS,
    "LE Set Scan Parameters": SupportedCommand.LE_SET_SCAN_PARAMETERS,
    "LE Create Connection": SupportedCommand.LE_CREATE_CONNECTION,
    "LE Connection Update": SupportedCommand.LE_CONNECTION_UPDATE,
    "LE Encrypt": SupportedCommand.LE_ENCRYPT,
    "LE Rand": SupportedCommand.LE_RAND,
    "LE Enable Encryption": SupportedCommand.LE_ENABLE_ENCRYPTION,
    "LE Remote Connection Parameter Request Reply": SupportedCommand.LE_REMOTE_CONNECTION_PARAMETER_REQUEST_REPLY,
    "LE Set Data Length": SupportedCommand.LE_SET_DATA_LENGTH,
    "LE Add Device To Resolving List": SupportedCommand.LE_ADD_DEVICE_TO_RESOLVING_LIST,
    "LE Set Address Resolution Enable": SupportedCommand.LE_SET_ADDRESS_RESOLUTION_ENABLE,
    "LE Set PHY": SupportedCommand.LE_SET_PHY,
    "LE Set Extended Advertising Parameters": SupportedCommand.LE_SET_EXTENDED_ADVERTISING_PARAMETERS,
    "LE Set Extended Scan Parameters": SupportedCommand.LE_SET_EXTENDED_SCAN_PARAMETERS,
    "LE Extended Create Connection": SupportedCommand.LE_EXTENDED_CREATE_CONNECTION,
    "LE Read Buffer Size [v2]": SupportedCommand.LE_READ_BUFFER_SIZE_V2,
}


@dataclass
class ControllerInfo:
    """Facts learnt from the controller during the init sequence."""

    hci_version: int = 0
    hci_subversion: int = 0
    lmp_version: int = 0
    lmp_subversion: int = 0
    manufacturer: int = 0xFFFF
    supported_commands: bytes = bytes(64)
    lmp_features: int = 0
    le_features: int = 0
    bd_addr: Address | None = None
    static_addresses: list[Address] = field(default_factory=list)
    zephyr_supported_commands: bytes = b""
    acl_data_packet_length: int = 0
    total_num_acl_data_packets: int = 0
    iso_data_packet_length: int = 0
    total_num_iso_data_packets: int = 0
    buffer_source: str = ""  # which command gave the ACL buffer sizes

    @property
    def manufacturer_name(self) -> str:
        return manufacturer_name(self.manufacturer)

    @property
    def hci_version_name(self) -> str:
        return version_name(self.hci_version)

    @property
    def lmp_version_name(self) -> str:
        return version_name(self.lmp_version)

    @property
    def le_feature_names(self) -> list[str]:
        return le_feature_names(self.le_features)

    @property
    def has_public_address(self) -> bool:
        return self.bd_addr is not None and self.bd_addr.value != bytes(6)

    @property
    def static_address(self) -> Address | None:
        return self.static_addresses[0] if self.static_addresses else None

    @property
    def address(self) -> Address | None:
        """The identity address to use: the public BD_ADDR, else the factory static random address."""
        if self.has_public_address:
            return self.bd_addr
        return self.static_address

    def supports(self, command: SupportedCommand | int, bit: int | None = None) -> bool:
        """Whether Supported_Commands (Vol 4 Part E, 6.27) marks a command supported.

        `command` is a SupportedCommand; the older form `supports(octet, bit)` is also accepted.
        """
        if bit is None:
            return SupportedCommand(command).is_set(self.supported_commands)
        return supports_command(self.supported_commands, command, bit)

    @property
    def supported_command_count(self) -> int:
        return sum(bin(b).count("1") for b in self.supported_commands)

    def le_commands_of_interest(self) -> dict[str, bool]:
        return {name: self.supports(command) for name, command in LE_COMMANDS_OF_INTEREST.items()}


SendCommand = Callable[[Any], Awaitable[Any]]


async def initialise(send: SendCommand, event_mask: int = DEFAULT_EVENT_MASK,
                     le_event_mask: int = DEFAULT_LE_EVENT_MASK) -> ControllerInfo:
    """Run the init sequence through `send` (Host.send_command) and return what was learnt."""
    info = ControllerInfo()
    await send(cmd.Reset())
    version = await send(cmd.ReadLocalVersionInformation())
    info.hci_version = version.hci_version
    info.hci_subversion = version.hci_subversion
    info.lmp_version = version.lmp_version
    info.lmp_subversion = version.lmp_subversion
    info.manufacturer = version.company_identifier
    info.supported_commands = bytes((await send(cmd.ReadLocalSupportedCommands())).supported_commands)
    info.lmp_features = (await send(cmd.ReadLocalSupportedFeatures())).lmp_features
    info.le_features = (await send(cmd.LeReadLocalSupportedFeatures())).le_features
    info.bd_addr = (await send(cmd.ReadBdAddr())).bd_addr
    await read_buffer_sizes(send, info)
    await send(cmd.SetEventMask(event_mask=event_mask))
    await send(cmd.LeSetEventMask(le_event_mask=le_event_mask))
    if info.manufacturer in ZEPHYR_COMPANY_IDS and not info.has_public_address:
        await _read_zephyr_static_addresses(send, info)
    log.info(
        "controller: HCI %s, %s, address %s, LE ACL %d x %d bytes",
        info.hci_version_name, info.manufacturer_name, info.address,
        info.total_num_acl_data_packets, info.acl_data_packet_length,
    )
    return info


async def read_buffer_sizes(send: SendCommand, info: ControllerInfo) -> None:
    """Fill the ACL (and ISO) buffer facts of `info`: LE Read Buffer Size v2 or v1, else the shared one."""
    if info.supports(SupportedCommand.LE_READ_BUFFER_SIZE_V2):
        ret = await send(cmd.LeReadBufferSizeV2())
        info.iso_data_packet_length = ret.iso_data_packet_length
        info.total_num_iso_data_packets = ret.total_num_iso_data_packets
        info.buffer_source = "LE Read Buffer Size [v2]"
    else:
        ret = await send(cmd.LeReadBufferSize())
        info.buffer_source = "LE Read Buffer Size [v1]"
    info.acl_data_packet_length = ret.le_acl_data_packet_length
    info.total_num_acl_data_packets = ret.total_num_le_acl_data_packets
    if info.acl_data_packet_length == 0 or info.total_num_acl_data_packets == 0:
        # LE shares the BR/EDR ACL buffers (Vol 4 Part E, 7.8.2)
        shared = await send(cmd.ReadBufferSize())
        info.acl_data_packet_length = shared.acl_data_packet_length
        info.total_num_acl_data_packets = shared.total_num_acl_data_packets
        info.buffer_source = "Read Buffer Size"


async def _read_zephyr_static_addresses(send: SendCommand, info: ControllerInfo) -> None:
    """Zephyr vendor commands: check Read Supported Commands (bit 8: octet 1 bit 0), then read the addresses."""
    try:
        vendor = await send(cmd.ZephyrReadSupportedCommands())
        info.zephyr_supported_commands = bytes(vendor.supported_commands)
        if not ZephyrSupportedCommand.READ_STATIC_ADDRESSES.is_set(info.zephyr_supported_commands):
            log.info("controller does not offer Zephyr Read Static Addresses")
            return
        ret = await send(cmd.ZephyrReadStaticAddresses())
    except (HciCommandError, HciTimeoutError) as exc:
        log.info("controller has no Zephyr static address: %s", exc)
        return
    info.static_addresses = [Address(a.address.value, AddressType.RANDOM) for a in ret.addresses]


__all__ = ["ControllerInfo", "initialise", "read_buffer_sizes"]
