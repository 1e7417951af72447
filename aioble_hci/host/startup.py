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
from aioble_hci.hci.constants import OpCode, le_feature_names, manufacturer_name, version_name

log = logging.getLogger(__name__)

ZEPHYR_COMPANY_IDS = (0x05F1, 0x0059)  # The Linux Foundation (Zephyr), Nordic Semiconductor

# Supported_Commands octet/bit (Vol 4 Part E, 6.27)
LE_READ_BUFFER_SIZE_V1_BIT = (25, 1)
LE_READ_BUFFER_SIZE_V2_BIT = (41, 5)
ZEPHYR_READ_STATIC_ADDRESSES_BIT = (1, 0)  # in Zephyr Read Supported Commands' bitmap

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

# LE commands whose support `aioble-hci info` reports: name -> Supported_Commands octet/bit.
LE_COMMANDS_OF_INTEREST: dict[str, tuple[int, int]] = {
    "LE Set Random Address": (25, 4),
    "LE Set Advertising Parameters": (25, 5),
    "LE Set Scan Parameters": (26, 2),
    "LE Create Connection": (26, 4),
    "LE Connection Update": (27, 2),
    "LE Encrypt": (27, 6),
    "LE Rand": (27, 7),
    "LE Enable Encryption": (28, 0),
    "LE Remote Connection Parameter Request Reply": (33, 4),
    "LE Set Data Length": (33, 6),
    "LE Add Device To Resolving List": (34, 3),
    "LE Set Address Resolution Enable": (35, 1),
    "LE Set PHY": (35, 6),
    "LE Set Extended Advertising Parameters": (36, 2),
    "LE Set Extended Scan Parameters": (37, 5),
    "LE Extended Create Connection": (37, 7),
    "LE Read Buffer Size [v2]": LE_READ_BUFFER_SIZE_V2_BIT,
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

    def supports(self, octet: int, bit: int) -> bool:
        """Whether octet/bit of Supported_Commands (Vol 4 Part E, 6.27) is set."""
        return octet < len(self.supported_commands) and bool(self.supported_commands[octet] >> bit & 1)

    @property
    def supported_command_count(self) -> int:
        return sum(bin(b).count("1") for b in self.supported_commands)

    def le_commands_of_interest(self) -> dict[str, bool]:
        return {name: self.supports(*bit) for name, bit in LE_COMMANDS_OF_INTEREST.items()}


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
    if info.supports(*LE_READ_BUFFER_SIZE_V2_BIT):
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
    """Zephyr vendor commands: check Read Supported Commands (octet 1 bit 0), then read the addresses."""
    from aioble_hci.host.errors import HciCommandError, HciTimeoutError

    try:
        vendor = await send(cmd.ZephyrReadSupportedCommands())
        info.zephyr_supported_commands = bytes(vendor.supported_commands)
        if not info.zephyr_supported_commands[ZEPHYR_READ_STATIC_ADDRESSES_BIT[0]] >> ZEPHYR_READ_STATIC_ADDRESSES_BIT[1] & 1:
            log.info("controller does not offer Zephyr Read Static Addresses")
            return
        ret = await send(cmd.ZephyrReadStaticAddresses())
    except (HciCommandError, HciTimeoutError) as exc:
        log.info("controller has no Zephyr static address: %s", exc)
        return
    info.static_addresses = [Address(a.address.value, AddressType.RANDOM) for a in ret.addresses]


__all__ = ["ControllerInfo", "OpCode", "initialise", "read_buffer_sizes"]
