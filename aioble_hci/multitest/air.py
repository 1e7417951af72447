"""A private virtual air for one test: an `aioble-hci air` hub on a socket in a temporary directory."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

START_TIMEOUT_S = 10.0


def default_hub_command(socket_path: str) -> list[str]:
    return [sys.executable, "-m", "aioble_hci", "air", "--socket", socket_path]


class PrivateAir:
    """Starts a hub process on a fresh socket path; instances use the spec `air:PATH`."""

    def __init__(self, command: Sequence[str] | None = None, env: dict[str, str] | None = None) -> None:
        self._command = list(command) if command is not None else None
        self._env = env
        self._dir = tempfile.mkdtemp(prefix="aioble-hci-air-")
        self.socket_path = os.path.join(self._dir, "air.sock")
        self._log_path = os.path.join(self._dir, "hub.log")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def spec(self) -> str:
        return f"air:{self.socket_path}"

    def start(self) -> None:
        """Start the hub and wait for its socket; a hub that fails says why."""
        argv = (self._command or default_hub_command("{socket}"))
        argv = [arg.replace("{socket}", self.socket_path) for arg in argv]
        log.debug("starting private air: %s", argv)
        with open(self._log_path, "wb") as hub_log:
            self._process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=hub_log,
                                             stderr=subprocess.STDOUT, env=self._env)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not os.path.exists(self.socket_path):
            if self._process.poll() is not None:
                raise RuntimeError(f"the virtual air hub ({' '.join(argv)}) exited with status "
                                   f"{self._process.returncode}: {self.hub_output().strip()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the virtual air hub made no socket at {self.socket_path} "
                                   f"within {START_TIMEOUT_S:.0f} s")
            time.sleep(0.02)

    def hub_output(self) -> str:
        try:
            return Path(self._log_path).read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the hub and remove its directory."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for name in ("air.sock", "hub.log"):
            try:
                os.unlink(os.path.join(self._dir, name))
            except OSError:
                pass
        try:
            os.rmdir(self._dir)
        except OSError:
            pass

    def __enter__(self) -> PrivateAir:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
