"""One running test instance: a child process whose output lines arrive on a queue."""

from __future__ import annotations

import os
import queue
import shlex
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from aioble_hci.multitest.specs import InstanceSpec, Kind

ENV_TRANSPORT = "AIOBLE_HCI_TRANSPORT"
# The directory holding the aioble_hci, aioble and bluetooth packages, for children in other cwds.
PROJECT_ROOT = str(Path(__file__).resolve().parents[2])

EOF = None  # queued when the instance's output ends


def instance_argv(spec: InstanceSpec, script: str) -> list[str]:
    """The command line: our MicroPython-flavoured python, or the exec: program, with -c SCRIPT."""
    if spec.kind is Kind.EXEC:
        return [*shlex.split(spec.value), "-c", script]
    return [sys.executable, "-m", "aioble_hci.mpy", "-c", script]


def instance_env(spec: InstanceSpec, transport: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    if spec.kind is not Kind.EXEC:
        path = env.get("PYTHONPATH")
        env["PYTHONPATH"] = PROJECT_ROOT + (os.pathsep + path if path else "")
    if transport is not None:
        env[ENV_TRANSPORT] = transport
    return env


class InstanceProcess:
    """Starts the child in `cwd` with stderr merged into stdout, and reads its lines on a thread."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], cwd: str,
                 activity: threading.Event) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.finished = False
        self._activity = activity
        self._popen = subprocess.Popen(list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, cwd=cwd, env=env)
        self._reader = threading.Thread(target=self._read, name="multitest-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        stdout = self._popen.stdout
        assert stdout is not None
        for raw in iter(stdout.readline, b""):
            self.lines.put(raw.decode("utf-8", errors="replace").rstrip())
            self._activity.set()
        self.lines.put(EOF)
        self._activity.set()

    def write_line(self, line: str) -> None:
        """Send one line to the instance's stdin (a finished instance is ignored)."""
        stdin = self._popen.stdin
        if stdin is None or self.finished:
            return
        try:
            stdin.write(line.encode() + b"\r\n")
            stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass

    def stop(self) -> None:
        """Terminate the instance if it still runs, and reap it."""
        if self._popen.poll() is None:
            self._popen.terminate()
            try:
                self._popen.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self._popen.kill()
                self._popen.wait()
        if self._popen.stdin is not None:
            try:
                self._popen.stdin.close()
            except OSError:
                pass
        self._reader.join(timeout=3)
        if self._popen.stdout is not None:
            self._popen.stdout.close()
