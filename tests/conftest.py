"""Fixtures shared by every test area."""

from __future__ import annotations

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
