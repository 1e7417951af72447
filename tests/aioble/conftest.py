"""Each test gets a fresh import of aioble on top of its own FakeBLE (monkeypatched as bluetooth.BLE)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType

import pytest

import bluetooth

from .fake_ble import FakeBLE


@dataclass
class Env:
    fake: FakeBLE
    aioble: ModuleType

    def mod(self, name: str) -> ModuleType:
        return importlib.import_module("aioble." + name)


def _purge_aioble() -> None:
    for name in list(sys.modules):
        if name == "aioble" or name.startswith("aioble."):
            del sys.modules[name]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[Env]:
    fake = FakeBLE()
    monkeypatch.setattr(bluetooth, "BLE", lambda: fake, raising=False)
    monkeypatch.chdir(tmp_path)
    _purge_aioble()
    aioble = importlib.import_module("aioble")
    try:
        yield Env(fake, aioble)
    finally:
        aioble.stop()
        fake.close()
        _purge_aioble()
