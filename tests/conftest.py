"""Fixtures shared by every test area."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from aioble_hci.capture.testing import hci_replay  # noqa: F401

REPO = Path(__file__).resolve().parent.parent


def shared_captures_dir() -> Path:
    """../shared/captures beside the repository (as CI lays it), else the workplace copy."""
    for candidate in (REPO.parent / "shared" / "captures", Path("/work/shared/captures")):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("shared/captures not found beside the repository")


@pytest.fixture
def shared_captures() -> Path:
    return shared_captures_dir()


def _capture_stamps() -> dict[str, tuple[int, int]]:
    folder = shared_captures_dir()
    return {p.name: (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.iterdir() if p.is_file()}


@pytest.fixture(autouse=True)
def shared_captures_stay_untouched() -> Iterator[None]:
    """The recorded captures are inputs, never outputs: a test that writes one fails, by name.

    (Their files are read-only, but tests run as root in CI, where that stops nothing.)
    """
    before = _capture_stamps()
    yield
    changed = sorted(name for name, stamp in _capture_stamps().items() if before.get(name) != stamp)
    if changed:
        pytest.fail(f"this test wrote to shared/captures: {', '.join(changed)}")


def require_tshark() -> str:
    """The path of tshark, for the tests that compare with Wireshark's dissectors.

    A developer's machine may lack tshark: the comparison is skipped there, with the reason in
    pytest's summary (`-rs`). In CI (CI=true; `.ci/run` installs tshark) a missing tshark fails.
    """
    path = shutil.which("tshark")
    if path is not None:
        return path
    reason = "tshark not installed: `sudo apt install tshark` (Debian/Ubuntu) to run the Wireshark comparisons"
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"{reason}; CI=true requires it (.ci/run installs it)")
    pytest.skip(reason)


@pytest.fixture
def tshark() -> str:
    """tshark's path (see require_tshark): skips outside CI when it is missing, fails in CI."""
    return require_tshark()


@pytest.fixture(autouse=True)
def private_seen_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the address types `aioble-hci scan` remembers (cli/peer.py) out of the user's home."""
    monkeypatch.setenv("AIOBLE_HCI_SEEN", str(tmp_path / "seen.json"))


@pytest.fixture
def user_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a user who configured nothing, for programs a test runs as processes.

    No AIOBLE_HCI_* variable, unbuffered output, and a private XDG_RUNTIME_DIR: it only moves the
    default shared air's socket (`air_socket`) into the test's temporary directory, so the test
    never meets a hub a developer left running.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIOBLE_HCI_")}
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env["XDG_RUNTIME_DIR"] = str(runtime)
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # the address types `scan` remembers (cli/peer.py)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def air_socket(env: dict[str, str]) -> Path:
    """Where the default shared air listens for programs run with `env` (hub.default_socket_path)."""
    return Path(env["XDG_RUNTIME_DIR"]) / "aioble-hci" / "air.sock"
