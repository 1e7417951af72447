"""The address type of a peer named on the command line: one rule for every command.

A connection needs the peer's address *and* its type (public or random, Core Vol 6 Part B,
1.3); guessing wrong makes the connection fail with 0x3E. The rule:

1. an explicit ``/public`` or ``/random`` suffix wins;
2. else the type seen for that address by a recent `aioble-hci scan` (kept in a small cache file);
3. else a short passive scan for the address, which reports the type it advertises with.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aioble_hci.address import Address, AddressType
from aioble_hci.cli.errors import CliError

if TYPE_CHECKING:
    from aioble_hci.cli.status import StatusLine

log = logging.getLogger(__name__)

RECENT_SECONDS = 3600.0  # how long a type seen by `scan` is trusted
SHORT_SCAN_SECONDS = 4.0  # long enough for several advertising events at the slowest common interval
CACHE_ENV = "AIOBLE_HCI_SEEN"  # where the cache lives (tests point it into a temporary directory)


def seen_path() -> Path:
    """The cache of address types seen by scans: $AIOBLE_HCI_SEEN, else the user's cache dir."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "aioble-hci" / "seen.json"


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remember(addresses: list[Address], path: Path | None = None, now: float | None = None) -> None:
    """Record the type each address was heard with (called by `scan`); best effort."""
    path = path or seen_path()
    now = time.time() if now is None else now
    data = {key: entry for key, entry in _load(path).items()
            if isinstance(entry, dict) and now - float(entry.get("time", 0)) < RECENT_SECONDS}
    for address in addresses:
        data[str(address).upper()] = {"type": "public" if address.is_public else "random", "time": now}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(path)
    except OSError as exc:  # a read-only home must not break scanning
        log.debug("cannot write %s: %s", path, exc)


def recently_seen(text: str, path: Path | None = None, now: float | None = None) -> Address | None:
    """The address with the type a scan saw it with in the last RECENT_SECONDS, or None."""
    entry = _load(path or seen_path()).get(Address.parse(text).__str__().upper())
    now = time.time() if now is None else now
    if not isinstance(entry, dict) or now - float(entry.get("time", 0)) >= RECENT_SECONDS:
        return None
    kind = AddressType.PUBLIC if entry.get("type") == "public" else AddressType.RANDOM
    return Address.parse(text, kind)


async def resolve_peer(gap: Any, text: str, status: StatusLine | None = None,
                       scan_seconds: float = SHORT_SCAN_SECONDS) -> Address:
    """Apply the rule (module docstring) on the host loop; CliError when the type stays unknown."""
    if "/" in text:
        return Address.parse(text)
    known = recently_seen(text)
    if known is not None:
        log.info("%s: type %s from a recent scan", text, known.type_name)
        return known
    wanted = Address.parse(text).value
    if status is not None:
        status.show(f"Looking for {text} to learn its address type...")
    from aioble_hci.host.gap import ScanParameters

    async with await gap.scan(ScanParameters(active=False, duration=scan_seconds)) as session:
        async for report in session:
            if report.address.value == wanted:
                found: Address = report.address
                remember([found])
                return Address(found.value, AddressType.PUBLIC if found.is_public else AddressType.RANDOM)
    raise CliError(f"{text} was not heard advertising within {scan_seconds:g} s, so its address type is "
                   "unknown: check it is advertising and in range, or give the type (ADDRESS/public or "
                   "ADDRESS/random) to connect anyway")
