"""Small state files written so a crash leaves the old file or the new one, never a torn one.

A temporary file in the same directory (mode 0600: these files hold keys and identities), flushed
and fsynced, then renamed over the target. The bond store (host/smp/bond_file.py) adds a
directory fsync and its own clean-up of stale temporary files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_json(path: Path, data: Any) -> None:
    """Write `data` as JSON to `path` atomically, mode 0600."""
    import tempfile  # only when writing: a host that finds its files starts without it

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
