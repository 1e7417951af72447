"""End-to-end tests: separate Python processes meeting on a shared virtual air."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import air_socket

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def unconfigured_env(user_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """A user's environment with nothing configured (`user_env`); the hub the programs start is
    stopped afterwards rather than left to its idle exit."""
    yield user_env
    sock = air_socket(user_env)
    if sock.exists():
        subprocess.run(["pkill", "-f", f"--socket {sock}"], check=False)


def python(script: Path | str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(script)], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
