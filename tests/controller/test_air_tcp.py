"""The shared air across machines: a hub serving TCP with a shared token (on 127.0.0.1 only).

Rule (issue 16): `aioble-hci air --listen tcp:HOST:PORT` serves the air to `air:tcp:HOST:PORT`
clients that present the hub's token; any other client is refused and gets no controller.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from aioble_hci.cli.main import main
from aioble_hci.controller.air import Air
from aioble_hci.controller.hub import Hub, HubError
from aioble_hci.gap.ad import build_advertising_data
from aioble_hci.host.api import HostHandle, open_host
from aioble_hci.host.gap import attach_gap

TOKEN = "s3cret-shared-token"


class HubThread:
    """A hub with a fast air on its own loop and thread, listening on 127.0.0.1 (port chosen by the OS)."""

    def __init__(self, socket_path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.hub: Hub | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._run, args=(socket_path,), daemon=True)
        self._thread.start()
        assert self.ready.wait(10)

    def _run(self, socket_path: Path) -> None:
        asyncio.set_event_loop(self.loop)

        async def main() -> None:
            self.hub = Hub(socket_path, Air(loop=self.loop, fast=True), listen=("127.0.0.1", 0), token=TOKEN)
            self._task = asyncio.ensure_future(self.hub.serve())
            await self.hub.serving.wait()
            self.ready.set()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

        self.loop.run_until_complete(main())

    @property
    def port(self) -> int:
        assert self.hub is not None and self.hub.tcp_port is not None
        return self.hub.tcp_port

    def stop(self) -> None:
        assert self._task is not None
        self.loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(10)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubThread]:
    thread = HubThread(tmp_path / "air.sock")
    yield thread
    thread.stop()


async def _advertise(handle: HostHandle, name: str) -> None:
    gap = await attach_gap(handle.host)
    await gap.advertise(bytes(build_advertising_data(name=name)))


def test_a_client_with_the_token_shares_the_air_with_another(hub: HubThread, capsys) -> None:
    spec = f"air:tcp:127.0.0.1:{hub.port},token={TOKEN}"
    advertiser = open_host(spec)
    try:
        advertiser.run(_advertise(advertiser, "far-away-sensor"), timeout=10)
        assert main(["scan", "-t", spec, "--duration", "1", "--json"]) == 0
    finally:
        advertiser.close()
    names = {json.loads(line)["name"] for line in capsys.readouterr().out.splitlines()}
    assert "far-away-sensor" in names


def test_the_token_may_come_from_the_environment(hub: HubThread, monkeypatch, capsys) -> None:
    monkeypatch.setenv("AIOBLE_HCI_AIR_TOKEN", TOKEN)
    assert main(["info", "-t", f"air:tcp:127.0.0.1:{hub.port}"]) == 0
    assert "Transport:     air:tcp:127.0.0.1:" in capsys.readouterr().out


@pytest.mark.parametrize("spec_tail", [",token=not-the-token", ",token=" + TOKEN[:-1]])
def test_a_client_with_another_token_is_refused(hub: HubThread, spec_tail: str, capsys) -> None:
    assert main(["info", "-t", f"air:tcp:127.0.0.1:{hub.port}{spec_tail}"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "the air hub refused this client: the token does not match" in err
    assert hub.hub is not None and hub.hub.clients == 0  # no controller was made for it


def test_a_client_without_a_token_is_told_to_set_one(hub: HubThread, monkeypatch, capsys) -> None:
    monkeypatch.delenv("AIOBLE_HCI_AIR_TOKEN", raising=False)
    assert main(["info", "-t", f"air:tcp:127.0.0.1:{hub.port}"]) == 1
    assert "needs its shared token: set AIOBLE_HCI_AIR_TOKEN" in capsys.readouterr().err


def test_a_tcp_hub_will_not_start_without_a_token(tmp_path: Path) -> None:
    air = Air(fast=True)
    try:
        with pytest.raises(HubError, match="needs a shared token"):
            Hub(tmp_path / "air.sock", air, listen=("127.0.0.1", 0), token=None)
    finally:
        air.close()
