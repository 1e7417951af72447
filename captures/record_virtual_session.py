"""Re-record captures/virtual_session.btsnoop: two hosts on the virtual air, the central captured.

Run from the repository root: `.venv/bin/python captures/record_virtual_session.py [OUT]`.
The application code is tests/replay/virtual_session.py; tests/replay replays the capture.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.replay.virtual_session import record  # noqa: E402


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "captures" / "virtual_session.btsnoop"
    out.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as data_dir:
        result = asyncio.run(record(out, Path(data_dir)))
    print(f"recorded {out}")
    print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
