"""Re-record the two-host virtual sessions, the central captured (btsnoop, datalink 1002).

Run from the repository root: `.venv/bin/python captures/record_virtual_session.py`. It writes
captures/virtual_session.btsnoop (LE Secure Connections pairing) and
captures/virtual_session_legacy.btsnoop (LE legacy pairing). The application code is
tests/replay/virtual_session.py; tests/replay replays both captures.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.replay.virtual_session import record  # noqa: E402

SESSIONS = {
    "virtual_session.btsnoop": True,  # secure_connections
    "virtual_session_legacy.btsnoop": False,
}


def main() -> int:
    for name, secure_connections in SESSIONS.items():
        out = REPO / "captures" / name
        out.unlink(missing_ok=True)
        with tempfile.TemporaryDirectory() as data_dir:
            result = asyncio.run(record(out, Path(data_dir), secure_connections))
        print(f"recorded {out}")
        print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
