"""The Host's bearers are reached through its typed slots, never by name (issue 18, "one vocabulary").

`host.gap`, `host.l2cap`, `host.gatt` and `host.smp` are typed `X | None` on the Host, so mypy
checks every use; a `getattr(host, "gap", None)` hides the type and a misspelt name.
"""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import aioble_hci

BEARER_SLOTS = {"gap", "l2cap", "gatt", "smp", "on_reinitialised"}
PACKAGE_DIRS = [Path(aioble_hci.__file__).parent, Path(aioble_hci.__file__).parent.parent / "aioble",
                Path(aioble_hci.__file__).parent.parent / "bluetooth"]


def _getattr_by_name(path: Path) -> list[str]:
    hits = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr")
                and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
                and node.args[1].value in BEARER_SLOTS and "host" in ast.unparse(node.args[0]).lower()):
            hits.append(f"{path}:{node.lineno} {ast.unparse(node)}")
    return hits


def test_no_module_reaches_a_bearer_slot_by_getattr() -> None:
    hits = [hit for root in PACKAGE_DIRS for path in sorted(root.rglob("*.py")) for hit in _getattr_by_name(path)]
    assert hits == []


async def test_attach_stores_each_bearer_in_its_slot_and_returns_it_again() -> None:
    """attach_* on an attached host hands back the bearer in the slot (docs/architecture.md, host/)."""
    from aioble_hci.controller.air import Air
    from aioble_hci.controller.transport import VirtualTransport
    from aioble_hci.host.gap import Gap, attach_gap
    from aioble_hci.host.gatt import Gatt, attach_gatt
    from aioble_hci.host.host import Host
    from aioble_hci.host.l2cap import L2capBearer, attach_l2cap
    from aioble_hci.host.smp import Smp, attach_smp

    host = Host(VirtualTransport("virtual", air=Air(loop=asyncio.get_running_loop(), fast=True)))
    await host.start()
    try:
        assert (host.gap, host.l2cap, host.gatt, host.smp) == (None, None, None, None)
        gap, smp, gatt = await attach_gap(host), await attach_smp(host), attach_gatt(host)
        assert isinstance(host.gap, Gap) and host.gap is gap and await attach_gap(host) is gap
        assert isinstance(host.smp, Smp) and host.smp is smp and await attach_smp(host) is smp
        assert isinstance(host.gatt, Gatt) and host.gatt is gatt and attach_gatt(host) is gatt
        assert isinstance(host.l2cap, L2capBearer) and attach_l2cap(host) is host.l2cap
    finally:
        if host.gap is not None:
            host.gap.close()
        await host.close()
