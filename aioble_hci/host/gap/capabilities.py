"""What the controller offers GAP, from its LE features (Vol 6 Part B, 4.6) and Supported_Commands (Vol 4 Part E, 6.27)."""

from __future__ import annotations

from dataclasses import dataclass

from aioble_hci.host.startup import ControllerInfo

# LE feature bits (Vol 6 Part B, 4.6, table 4.4)
FEATURE_CONNECTION_PARAMETERS_REQUEST = 1
FEATURE_DATA_PACKET_LENGTH_EXTENSION = 5
FEATURE_LE_2M_PHY = 8
FEATURE_LE_CODED_PHY = 11
FEATURE_EXTENDED_ADVERTISING = 12

# Supported_Commands octet/bit
CMD_SET_EXTENDED_ADVERTISING_PARAMETERS = (36, 2)
CMD_SET_EXTENDED_SCAN_PARAMETERS = (37, 5)
CMD_EXTENDED_CREATE_CONNECTION = (37, 7)

PHY_1M = 1
PHY_2M = 2
PHY_CODED = 3


@dataclass(frozen=True)
class Capabilities:
    """Which command family GAP uses, and which PHYs it may ask for."""

    extended_advertising: bool
    extended_scanning: bool
    extended_connect: bool
    le_2m: bool
    le_coded: bool
    parameters_request: bool
    data_length_extension: bool

    @classmethod
    def of(cls, info: ControllerInfo, force_legacy: bool = False) -> Capabilities:
        def feature(bit: int) -> bool:
            return bool(info.le_features >> bit & 1)

        extended = feature(FEATURE_EXTENDED_ADVERTISING) and not force_legacy
        return cls(
            extended_advertising=extended and info.supports(*CMD_SET_EXTENDED_ADVERTISING_PARAMETERS),
            extended_scanning=extended and info.supports(*CMD_SET_EXTENDED_SCAN_PARAMETERS),
            extended_connect=extended and info.supports(*CMD_EXTENDED_CREATE_CONNECTION),
            le_2m=feature(FEATURE_LE_2M_PHY),
            le_coded=feature(FEATURE_LE_CODED_PHY),
            parameters_request=feature(FEATURE_CONNECTION_PARAMETERS_REQUEST),
            data_length_extension=feature(FEATURE_DATA_PACKET_LENGTH_EXTENSION),
        )

    def check_phy(self, phy: int, what: str) -> None:
        """Raise ValueError naming the PHY the controller lacks."""
        if phy == PHY_2M and not self.le_2m:
            raise ValueError(f"{what}: the controller does not support LE 2M PHY")
        if phy == PHY_CODED and not self.le_coded:
            raise ValueError(f"{what}: the controller does not support LE Coded PHY")
        if phy not in (PHY_1M, PHY_2M, PHY_CODED):
            raise ValueError(f"{what}: unknown PHY {phy} (1 = LE 1M, 2 = LE 2M, 3 = LE Coded)")
