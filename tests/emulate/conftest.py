"""Fixtures of the emulation tests: the shipped `recorded_device` plugin fixture, used as users use it."""

from __future__ import annotations

from aioble_hci.emulate.pytest_plugin import recorded_device  # noqa: F401
