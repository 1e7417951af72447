"""The local Identity Resolving Key: generated once, kept in a small JSON file (mode 0600).

The IRK (Vol 3 Part H, 2.4.2.1) is what our resolvable private addresses are made from
(``aioble_hci.gap.privacy.generate_rpa``) and what we distribute as ID key when bonding, so it must
survive restarts. On-air (LSB-first) order, as SMP carries it.
"""

from __future__ import annotations

import json
import logging
import secrets
from pathlib import Path

from aioble_hci.host.atomic_file import write_json

log = logging.getLogger(__name__)


def load_or_create_irk(path: Path) -> bytes:
    """The IRK stored at ``path``; a fresh random one is written there if missing or unreadable."""
    try:
        irk = bytes.fromhex(json.loads(path.read_text(encoding="utf-8"))["irk"])
        if len(irk) == 16:
            return irk
        log.error("local IRK in %s has %d octets, not 16: making a new one", path, len(irk))
    except FileNotFoundError:
        pass
    except (ValueError, KeyError, TypeError) as error:
        log.error("cannot read the local IRK in %s (%s): making a new one", path, error)
    irk = secrets.token_bytes(16)
    save_irk(path, irk)
    log.info("generated a new local IRK in %s", path)
    return irk


def save_irk(path: Path, irk: bytes) -> None:
    """Write atomically (temporary file, fsync, rename) with mode 0600."""
    write_json(path, {"irk": irk.hex()})
