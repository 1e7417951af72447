"""Issue 19 (4): the pytest plugin runs catalog cases and a user's own cases as pytest items, in
another process whose tester reaches our peripheral through an air hub (as a dongle would)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from aioble_hci.controller.air import Air
from aioble_hci.controller.hub import Hub
from aioble_hci.controller.transport import AirTransport
from tests.conform.our_iut import OurIut

USER_CASES = '''
import pytest
from aioble_hci.att.pdus import ReadByTypeReq
from aioble_hci.conform import Catalog, check
from aioble_hci.uuid import UUID

mine = Catalog()

@mine.case("MY/GAP/BV-01", "The device name is iut", "Vol 3 Part C 12.1")
async def device_name(ctx):
    answer = await ctx.link.att_request(ReadByTypeReq(1, 0xFFFF, UUID(0x2A00)))
    check(answer.attribute_data[0][1] == b"iut", f"device name {answer!r}")

@mine.case("MY/GAP/BV-02", "The device name is not bob", "Vol 3 Part C 12.1")
async def not_bob(ctx):
    answer = await ctx.link.att_request(ReadByTypeReq(1, 0xFFFF, UUID(0x2A00)))
    check(answer.attribute_data[0][1] == b"bob", "the name is not bob")

@pytest.mark.parametrize("case", list(mine.cases.values()), ids=lambda c: c.id)
def test_my_cases(conform, case):
    conform.verdict(case)
'''


async def test_catalog_and_user_cases_run_as_pytest_items_with_junit(tmp_path: Path) -> None:
    directory = Path(tempfile.mkdtemp(prefix="aioble-conform-"))  # a short path for the Unix socket
    socket = directory / "air.sock"
    hub = Hub(socket, Air(loop=asyncio.get_running_loop(), fast=True))
    serving = asyncio.ensure_future(hub.serve())
    while not socket.exists():
        await asyncio.sleep(0.01)
    iut = await OurIut.start(hub.air, tmp_path, inner=AirTransport(f"air:{socket}", socket, start_hub=False))
    address = iut.gap.address  # the hub gave the IUT's controller its address
    assert address is not None
    project = tmp_path / "campaign"
    project.mkdir()
    (project / "test_mine.py").write_text(USER_CASES)
    (project / "iut.toml").write_text("[timing]\ntimeout = 2.0\nsilence = 0.2\n")
    junit = tmp_path / "junit.xml"
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "aioble_hci.conform.pytest_plugin", "-q", "--rootdir", str(project),
            "--conform-transport", f"air:{socket}", "--conform-iut", f"{address}/{'public' if address.is_public else 'random'}",
            "--conform-ixit", str(project / "iut.toml"), "--conform-catalog",
            "--conform-case", "GATT/SR/GAR/BI-0*", "--conform-case", "GAP/GAT/BV-04-C",
            "--conform-captures", str(tmp_path / "captures"), f"--junitxml={junit}", str(project),
            cwd=project, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await asyncio.wait_for(process.communicate(), 120)
    finally:
        await iut.close()
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving
        shutil.rmtree(directory, ignore_errors=True)
    text = out.decode()
    assert process.returncode == 1, text  # MY/GAP/BV-02 fails, as it must
    cases = {c.get("name"): c for c in ET.parse(junit).getroot().iter("testcase")}
    outcome = {name: "failure" if c.find("failure") is not None else "skipped" if c.find("skipped") is not None
               else "passed" for name, c in cases.items()}
    assert outcome == {
        "GATT/SR/GAR/BI-01-C": "passed", "GATT/SR/GAR/BI-02-C": "passed", "GATT/SR/GAR/BI-04-C": "passed",
        "GATT/SR/GAR/BI-06-C": "passed", "GATT/SR/GAR/BI-07-C": "passed", "GATT/SR/GAR/BI-08-C": "passed",
        "GAP/GAT/BV-04-C": "skipped", "test_my_cases[MY/GAP/BV-01]": "passed", "test_my_cases[MY/GAP/BV-02]": "failure",
    }, text
    assert "the name is not bob [Vol 3 Part C 12.1]" in text
    assert (tmp_path / "captures" / "GATT_SR_GAR_BI-02-C.btsnoop").exists()
