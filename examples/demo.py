"""`make demo`: the temperature sensor and its client as two processes on the shared virtual air.

Both programs are plain aioble programs (they run unchanged on MicroPython); with no
AIOBLE_HCI_TRANSPORT set they meet on the shared virtual air, whose hub the first
of them starts in the background.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    print("Starting the temperature sensor (examples/temp_sensor.py) ...", flush=True)
    sensor = subprocess.Popen([sys.executable, str(HERE / "temp_sensor.py")], env=env)
    try:
        print("Starting the client (examples/temp_client.py) ...", flush=True)
        client = subprocess.run([sys.executable, str(HERE / "temp_client.py")], env=env, timeout=120)
        return client.returncode
    finally:
        sensor.terminate()
        try:
            sensor.wait(timeout=5)
        except subprocess.TimeoutExpired:
            sensor.kill()


if __name__ == "__main__":
    raise SystemExit(main())
