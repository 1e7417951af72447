"""End-to-end tests: separate Python processes meeting on a shared virtual air."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def unconfigured_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a user who configured nothing: no transport, a private runtime dir.

    XDG_RUNTIME_DIR only moves the per-user default air socket into the test's temporary
    directory, so the test never meets a hub a developer left running.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIOBLE_HCI_")}
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env["XDG_RUNTIME_DIR"] = str(runtime)
    env["PYTHONUNBUFFERED"] = "1"
    yield env
    sock = runtime / "aioble-hci" / "air.sock"
    if sock.exists():  # stop the hub the programs started, rather than wait for its idle exit
        subprocess.run(["pkill", "-f", f"--socket {sock}"], check=False)


def python(script: Path | str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(script)], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
