"""AD structures of advertising data (Core Supplement Part A, 1; Vol 3 Part C, 11)."""

from __future__ import annotations

from typing import Any

from aioble_hci.capture.decode.layer import jsonable
from aioble_hci.gap.ad_structures import parse_structure
from aioble_hci.gap.ad_types import ad_type_name


def decode_ad(data: bytes) -> list[dict[str, Any]]:
    """Every length-type-value structure; a bad length ends the list with a problem entry."""
    out: list[dict[str, Any]] = []
    pos = 0
    while pos < len(data):
        length = data[pos]
        if length == 0:  # padding up to the end, allowed by Vol 3 Part C 11
            break
        if pos + 1 + length > len(data):
            out.append(
                {"problem": f"AD structure at {pos} runs past the data", "raw": data[pos:].hex()}
            )
            break
        ad_type, value = data[pos + 1], data[pos + 2 : pos + 1 + length]
        entry: dict[str, Any] = {"type": ad_type_name(ad_type), "value": value.hex()}
        try:
            parsed = jsonable(parse_structure(ad_type, value))
            if isinstance(parsed, dict):
                parsed.pop("type", None)
                entry.update(
                    {k: v for k, v in parsed.items() if k not in ("data",) or "problem" in parsed}
                )
        except Exception as exc:  # noqa: BLE001 - show the raw structure, never fail
            entry["problem"] = str(exc)
        out.append(entry)
        pos += 1 + length
    return out
