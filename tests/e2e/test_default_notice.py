"""Issue 3: with no configuration a program says, on a terminal, which controller it uses."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

PROGRAM = "import aioble\naioble.config('mac')\naioble.config('mac')\nprint('done')\n"


def test_the_shared_air_is_announced_once_on_a_terminal(tmp_path: Path, unconfigured_env) -> None:
    master, slave = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-c", PROGRAM], env=unconfigured_env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=slave, timeout=60)
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the terminal closed: everything has been read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
    terminal = b"".join(chunks).decode()
    assert done.returncode == 0 and done.stdout == b"done\n"
    assert terminal.count("using a virtual controller on the shared air") == 1, terminal
    assert "AIOBLE_HCI_TRANSPORT=serial:/dev/ttyACM0" in terminal


def test_nothing_is_announced_when_stderr_is_not_a_terminal(tmp_path: Path, unconfigured_env) -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM], env=unconfigured_env, cwd=tmp_path,
                          capture_output=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout == b"done\n" and done.stderr == b""
