"""LE Meta sub-events about connections (Vol 4 Part E, 7.7.65)."""

from __future__ import annotations

from typing import ClassVar

from aioble_hci.hci.constants import LeSubevent
from aioble_hci.hci.events.base import LeMetaEvent
from aioble_hci.hci.fields import U8, U16, U64, Bytes8, RandomAddress, Status, TypedAddress
from aioble_hci.records import dataclass


@dataclass(frozen=True, slots=True)
class LeConnectionComplete(LeMetaEvent):
    """HCI_LE_Connection_Complete (Vol 4 Part E, 7.7.65.1). Role 0 = central, 1 = peripheral."""

    SUBEVENT: ClassVar[int] = LeSubevent.LE_CONNECTION_COMPLETE
    status: Status
    connection_handle: U16
    role: U8
    peer_address: TypedAddress
    connection_interval: U16
    peripheral_latency: U16
    supervision_timeout: U16
    central_clock_accuracy: U8


@dataclass(frozen=True, slots=True)
class LeEnhancedConnectionComplete(LeMetaEvent):
    """HCI_LE_Enhanced_Connection_Complete [v1] (Vol 4 Part E, 7.7.65.10).

    Resolvable private addresses are all zero when not used.
    """

    SUBEVENT: ClassVar[int] = LeSubevent.LE_ENHANCED_CONNECTION_COMPLETE_V1
    status: Status
    connection_handle: U16
    role: U8
    peer_address: TypedAddress
    local_resolvable_private_address: RandomAddress
    peer_resolvable_private_address: RandomAddress
    connection_interval: U16
    peripheral_latency: U16
    supervision_timeout: U16
    central_clock_accuracy: U8


@dataclass(frozen=True, slots=True)
class LeEnhancedConnectionCompleteV2(LeEnhancedConnectionComplete):
    """HCI_LE_Enhanced_Connection_Complete [v2] (Vol 4 Part E, 7.7.65.10): adds the advertising set."""

    SUBEVENT: ClassVar[int] = LeSubevent.LE_ENHANCED_CONNECTION_COMPLETE_V2
    advertising_handle: U8
    sync_handle: U16


@dataclass(frozen=True, slots=True)
class LeConnectionUpdateComplete(LeMetaEvent):
    """HCI_LE_Connection_Update_Complete (Vol 4 Part E, 7.7.65.3)."""

    SUBEVENT: ClassVar[int] = LeSubevent.LE_CONNECTION_UPDATE_COMPLETE
    status: Status
    connection_handle: U16
    connection_interval: U16
    peripheral_latency: U16
    supervision_timeout: U16


@dataclass(frozen=True, slots=True)
class LeReadRemoteFeaturesComplete(LeMetaEvent):
    """HCI_LE_Read_Remote_Features_Complete (Vol 4 Part E, 7.7.65.4)."""

    SUBEVENT: ClassVar[int] = LeSubevent.LE_READ_REMOTE_FEATURES_COMPLETE
    status: Status
    connection_handle: U16
    le_features: U64


@dataclass(frozen=True, slots=True)
class LeLongTermKeyRequest(LeMetaEvent):
    """HCI_LE_Long_Term_Key_Request (Vol 4 Part E, 7.7.65.5): Rand and EDIV are zero for LE Secure Connections."""

    SUBEVENT: ClassVar[int] = LeSubevent.LE_LONG_TERM_KEY_REQUEST
    connection_handle: U16
    random_number: Bytes8
    encrypted_diversifier: U16


@dataclass(frozen=True, slots=True)
class LeRemoteConnectionParameterRequest(LeMetaEvent):
    """HCI_LE_Remote_Connection_Parameter_Request (Vol 4 Part E, 7.7.65.6)."""

    SUBEVENT: ClassVar[int] = LeSubevent.LE_REMOTE_CONNECTION_PARAMETER_REQUEST
    connection_handle: U16
    interval_min: U16
    interval_max: U16
    max_latency: U16
    timeout: U16


@dataclass(frozen=True, slots=True)
class LeDataLengthChange(LeMetaEvent):
    """HCI_LE_Data_Length_Change (Vol 4 Part E, 7.7.65.7)."""

    SUBEVENT: ClassVar[int] = LeSubevent.LE_DATA_LENGTH_CHANGE
    connection_handle: U16
    max_tx_octets: U16
    max_tx_time: U16
    max_rx_octets: U16
    max_rx_time: U16


@dataclass(frozen=True, slots=True)
class LePhyUpdateComplete(LeMetaEvent):
    """HCI_LE_PHY_Update_Complete (Vol 4 Part E, 7.7.65.12): PHY 1 = 1M, 2 = 2M, 3 = Coded."""

    SUBEVENT: ClassVar[int] = LeSubevent.LE_PHY_UPDATE_COMPLETE
    status: Status
    connection_handle: U16
    tx_phy: U8
    rx_phy: U8


@dataclass(frozen=True, slots=True)
class LeChannelSelectionAlgorithm(LeMetaEvent):
    """HCI_LE_Channel_Selection_Algorithm (Vol 4 Part E, 7.7.65.20): 0 = #1, 1 = #2."""

    SUBEVENT: ClassVar[int] = LeSubevent.LE_CHANNEL_SELECTION_ALGORITHM
    connection_handle: U16
    channel_selection_algorithm: U8
