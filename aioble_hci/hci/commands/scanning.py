"""Legacy and extended scanning commands (Vol 4 Part E, 7.8.10, 7.8.11, 7.8.64, 7.8.65)."""

from __future__ import annotations

import struct
from dataclasses import field
from typing import ClassVar

from aioble_hci.hci.commands.base import Command
from aioble_hci.hci.constants import OpCode
from aioble_hci.hci.errors import HciDecodeError
from aioble_hci.hci.fields import U8, U16, HciStruct
from aioble_hci.records import dataclass

__all__ = [
    "LeSetExtendedScanEnable",
    "LeSetExtendedScanParameters",
    "LeSetScanEnable",
    "LeSetScanParameters",
    "ScanningPhyParameters",
]


@dataclass(frozen=True, slots=True)
class LeSetScanParameters(Command):
    """HCI_LE_Set_Scan_Parameters (Vol 4 Part E, 7.8.10): type 0 passive, 1 active; times in 0.625 ms."""

    OPCODE: ClassVar[int] = OpCode.LE_SET_SCAN_PARAMETERS
    le_scan_type: U8 = 1
    le_scan_interval: U16 = 0x0010
    le_scan_window: U16 = 0x0010
    own_address_type: U8 = 0
    scanning_filter_policy: U8 = 0


@dataclass(frozen=True, slots=True)
class LeSetScanEnable(Command):
    """HCI_LE_Set_Scan_Enable (Vol 4 Part E, 7.8.11)."""

    OPCODE: ClassVar[int] = OpCode.LE_SET_SCAN_ENABLE
    le_scan_enable: U8
    filter_duplicates: U8 = 0


@dataclass(frozen=True, slots=True)
class ScanningPhyParameters(HciStruct):
    """One scanning PHY's block in LE Set Extended Scan Parameters."""

    scan_type: U8 = 1
    scan_interval: U16 = 0x0010
    scan_window: U16 = 0x0010


_BLOCK = struct.Struct("<BHH")


@dataclass(frozen=True, slots=True)
class LeSetExtendedScanParameters(Command):
    """HCI_LE_Set_Extended_Scan_Parameters (Vol 4 Part E, 7.8.64).

    One `ScanningPhyParameters` per bit set in `scanning_phys` (bit 0 LE 1M,
    bit 2 LE Coded), lowest bit first.
    """

    OPCODE: ClassVar[int] = OpCode.LE_SET_EXTENDED_SCAN_PARAMETERS
    own_address_type: U8 = 0
    scanning_filter_policy: U8 = 0
    scanning_phys: U8 = 0x01
    phy_parameters: tuple[ScanningPhyParameters, ...] = field(default=(ScanningPhyParameters(),))

    def parameters(self) -> bytes:
        if len(self.phy_parameters) != bin(self.scanning_phys).count("1"):
            raise ValueError("one ScanningPhyParameters per bit set in scanning_phys")
        head = bytes((self.own_address_type, self.scanning_filter_policy, self.scanning_phys))
        return head + b"".join(_BLOCK.pack(p.scan_type, p.scan_interval, p.scan_window) for p in self.phy_parameters)

    @classmethod
    def from_parameters(cls, params: bytes) -> LeSetExtendedScanParameters:
        name = "HCI command LE Set Extended Scan Parameters"
        if len(params) < 3:
            raise HciDecodeError(f"{name}: {len(params)} bytes is shorter than its 3-byte fixed part")
        count = bin(params[2]).count("1")
        if len(params) != 3 + 5 * count:
            raise HciDecodeError(f"{name}: {count} PHY block(s) need {3 + 5 * count} bytes, got {len(params)}")
        blocks = tuple(ScanningPhyParameters(*_BLOCK.unpack_from(params, 3 + 5 * i)) for i in range(count))
        return cls(params[0], params[1], params[2], blocks)


@dataclass(frozen=True, slots=True)
class LeSetExtendedScanEnable(Command):
    """HCI_LE_Set_Extended_Scan_Enable (Vol 4 Part E, 7.8.65): duration in 10 ms, period in 1.28 s."""

    OPCODE: ClassVar[int] = OpCode.LE_SET_EXTENDED_SCAN_ENABLE
    enable: U8
    filter_duplicates: U8 = 0
    duration: U16 = 0
    period: U16 = 0
