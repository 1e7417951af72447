"""What the controller offers GAP, from its LE features (Vol 6 Part B, 4.6) and Supported_Commands (Vol 4 Part E, 6.27)."""

from __future__ import annotations

from dataclasses import dataclass

from aioble_hci.hci.constants import LeFeature, SupportedCommand
from aioble_hci.host.startup import ControllerInfo

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
        def feature(bit: LeFeature) -> bool:
            return bool(info.le_features & bit.mask)

        extended = feature(LeFeature.LE_EXTENDED_ADVERTISING) and not force_legacy
        return cls(
            extended_advertising=extended and info.supports(SupportedCommand.LE_SET_EXTENDED_ADVERTISING_PARAMETERS),
            extended_scanning=extended and info.supports(SupportedCommand.LE_SET_EXTENDED_SCAN_PARAMETERS),
            extended_connect=extended and info.supports(SupportedCommand.LE_EXTENDED_CREATE_CONNECTION),
            le_2m=feature(LeFeature.LE_2M_PHY),
            le_coded=feature(LeFeature.LE_CODED_PHY),
            parameters_request=feature(LeFeature.CONNECTION_PARAMETERS_REQUEST_PROCEDURE),
            data_length_extension=feature(LeFeature.LE_DATA_PACKET_LENGTH_EXTENSION),
        )

    def check_phy(self, phy: int, what: str) -> None:
        """Raise ValueError naming the PHY the controller lacks."""
        if phy == PHY_2M and not self.le_2m:
            raise ValueError(f"{what}: the controller does not support LE 2M PHY")
        if phy == PHY_CODED and not self.le_coded:
            raise ValueError(f"{what}: the controller does not support LE Coded PHY")
        if phy not in (PHY_1M, PHY_2M, PHY_CODED):
            raise ValueError(f"{what}: unknown PHY {phy} (1 = LE 1M, 2 = LE 2M, 3 = LE Coded)")
