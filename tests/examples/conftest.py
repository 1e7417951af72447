"""The examples run as separate processes on a private shared air, as a user runs them."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aioble_hci.controller.hub import hub_answers
from tests.conftest import air_socket

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HUB_START_SECONDS = 30.0


@pytest.fixture
def shared_air_env(user_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """The environment of a user who configured nothing (`user_env`), with the default air
    already running: the examples meet on it. The test starts that hub itself with --fast
    (advertising and connection events at once) so transfers take a second, not ten.
    """
    env = user_env
    sock = air_socket(env)
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
