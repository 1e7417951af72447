"""aioble over the real ``bluetooth`` facade: one test's aioble on a fresh import, its ``bluetooth.BLE``
a real facade object on a private virtual air, and a low-level ``bluetooth.BLE`` peer on the same air.

tests/aioble runs aioble on a hand-written fake of the bluetooth module, so a facade that got an
IRQ tuple wrong (fields swapped) still passed there; here every IRQ aioble sees comes from the
real facade, driven by a real peer through the virtual controller.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

import bluetooth
from aioble_hci.controller.air import Air
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.facade.runtime import Runtime
from bluetooth.ble import BLE
from tests.bluetooth_ble.conftest import Recorder

ADV_NAME = "real-peer"


@dataclass
class World:
    """The aioble module under test and its low-level peer (with the peer's IRQ recorder)."""

    aioble: ModuleType
    ble: BLE  # what aioble uses
    peer: BLE
    peer_irqs: Recorder

    def mod(self, name: str) -> ModuleType:
        return importlib.import_module("aioble." + name)

    @property
    def peer_mac(self) -> tuple[int, bytes]:
        return self.peer.config("mac")

    def aioble_mac(self) -> tuple[int, bytes]:
        return self.ble.config("mac")


def _purge_aioble() -> None:
    for name in list(sys.modules):
        if name == "aioble" or name.startswith("aioble."):
            del sys.modules[name]


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[World]:
    air = Air(fast=True)
    runtimes = [Runtime(lambda: VirtualTransport("virtual", air=air)) for _ in range(2)]
    ble = BLE(_runtime=runtimes[0])
    peer = BLE(_runtime=runtimes[1])
    recorder = Recorder()
    peer.irq(recorder)
    peer.active(True)
    monkeypatch.setattr(bluetooth, "BLE", lambda: ble, raising=False)
    monkeypatch.chdir(tmp_path)  # aioble.security writes its secrets file in the working directory
    _purge_aioble()
    aioble = importlib.import_module("aioble")
    # An absolute path: aioble saves secrets on a thread that may outlive the chdir above.
    importlib.import_module("aioble.security").load_secrets(str(tmp_path / "ble_secrets.json"))
    try:
        yield World(aioble, ble, peer, recorder)
    finally:
        aioble.stop()
        for item, runtime in ((ble, runtimes[0]), (peer, runtimes[1])):
            item.active(False)
            runtime.close()
            BLE._instances.pop(id(runtime), None)
        _purge_aioble()
        air.close()
