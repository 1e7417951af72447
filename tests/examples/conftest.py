"""The examples run as separate processes on a private shared air, as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aioble_hci.controller.hub import hub_answers

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HUB_START_SECONDS = 30.0


@pytest.fixture
def shared_air_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a user who configured nothing, with the default air already running.

    No AIOBLE_HCI_* variable is set, so the examples meet on the default shared air; its
    socket lives under a private XDG_RUNTIME_DIR. The test starts that hub itself with
    --fast (advertising and connection events at once) so transfers take a second, not ten.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIOBLE_HCI_")}
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env["XDG_RUNTIME_DIR"] = str(runtime)
    env["PYTHONUNBUFFERED"] = "1"
    sock = runtime / "aioble-hci" / "air.sock"
    hub = subprocess.Popen(
        [sys.executable, "-m", "aioble_hci", "air", "--socket", str(sock), "--fast"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + HUB_START_SECONDS
        while not hub_answers(sock):
            if hub.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the air hub did not start on {sock}")
            time.sleep(0.05)
        yield env
    finally:
        stop(hub)


def start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """Start `python ARGS...` with its output (stdout and stderr) on a pipe."""
    return subprocess.Popen(
        [sys.executable, *args], env=env, cwd=cwd,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def stop(process: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    """End a process started by a test (SIGTERM, then SIGKILL if it lingers)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
