"""AD structures of advertising data (Core Supplement Part A, 1; Vol 3 Part C, 11), via aioble_hci.gap.ad."""

from __future__ import annotations

from typing import Any

from aioble_hci.capture.decode.layer import jsonable
from aioble_hci.gap.ad import AdvertisingData
from aioble_hci.gap.ad_structures import parse_structure
from aioble_hci.gap.ad_types import ad_type_name


def decode_ad(data: bytes) -> list[dict[str, Any]]:
    """Every length-type-value structure; where the data goes bad, a final problem entry."""
    ad = AdvertisingData.decode(data)
    out: list[dict[str, Any]] = []
    for ad_type, value in ad.fields:
        entry: dict[str, Any] = {"type": ad_type_name(ad_type), "value": value.hex()}
        try:
            parsed = jsonable(parse_structure(ad_type, value))
            if isinstance(parsed, dict):
                parsed.pop("type", None)  # RawStructure's type octet: the entry names it already
                if "problem" in parsed:  # a RawStructure: its data is the entry's value already
                    parsed.pop("data", None)
                    if parsed["problem"] is None:
                        del parsed["problem"]
                entry.update(parsed)
        except Exception as exc:  # noqa: BLE001 - show the raw structure, never fail
            entry["problem"] = str(exc)
        out.append(entry)
    if ad.error is not None:
        out.append({"problem": ad.error})
    return out
