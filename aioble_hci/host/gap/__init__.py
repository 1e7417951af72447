"""The GAP bearer: glue between the sans-I/O gap cores and the Host (see gap.py)."""

from aioble_hci.host.gap.addresses import AddressManager, load_or_create_static_address
from aioble_hci.host.gap.advertising import AdvertisingParameters, AdvertisingSet
from aioble_hci.host.gap.capabilities import PHY_1M, PHY_2M, PHY_CODED, Capabilities
from aioble_hci.host.gap.config import (
    AddressMode,
    ConnectionParameters,
    GapConfig,
    ParameterLimits,
    PeripheralPreferredParameters,
)
from aioble_hci.host.gap.connections import ConnectionCancelled, LinkState, link_state
from aioble_hci.host.gap.gap import Gap, attach_gap
from aioble_hci.host.gap.scanning import ScanParameters, ScanSession

__all__ = [
    "PHY_1M",
    "PHY_2M",
    "PHY_CODED",
    "AddressManager",
    "AddressMode",
    "AdvertisingParameters",
    "AdvertisingSet",
    "Capabilities",
    "ConnectionCancelled",
    "ConnectionParameters",
    "Gap",
    "GapConfig",
    "LinkState",
    "ParameterLimits",
    "PeripheralPreferredParameters",
    "ScanParameters",
    "ScanSession",
    "attach_gap",
    "link_state",
    "load_or_create_static_address",
]
