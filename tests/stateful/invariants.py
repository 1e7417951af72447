"""What must hold after every step of the stateful fuzzer, and after the hosts close.

- No exception escapes: the loop's exception handler and the host's last-resort guards
  (`log.exception` around packet handling and callbacks) record into a `Recorder`.
- No state for a connection that is gone: the Host's ACL queue, the ATT bearers, the L2CAP
  links, the SMP links hold only live connections; what belonged to a closed connection is
  closed (bearer flagged, no pending futures or timers, CoC channels disconnected).
- After the hosts close: no live task and no armed timer is left on the loop.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from tests.stateful.world import Stack


class Recorder(logging.Handler):
    """Collects loop exception-handler calls and logged exceptions from aioble_hci."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.problems: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.problems.append(f"logged exception: {self.format(record)}")

    def loop_exception(self, _loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        self.problems.append(f"loop exception handler: {context.get('message')}: {exc!r} ({context})")

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        self.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        logging.getLogger("aioble_hci").addHandler(self)
        loop.set_exception_handler(self.loop_exception)

    def remove(self) -> None:
        logging.getLogger("aioble_hci").removeHandler(self)


def connection_state_problems(stack: Stack) -> list[str]:
    """Where `stack` still keeps state of a connection that is no longer in host.connections."""
    host = stack.host
    live = {handle: conn for handle, conn in host.connections.items()}
    problems: list[str] = []
    name = stack.name
    for conn in live.values():
        if not conn.connected:
            problems.append(f"{name}: {conn!r} is in host.connections but closed")
    acl = host.acl
    for handle in acl.core.queued_handles():
        if handle not in live:
            problems.append(f"{name}: ACL fragments queued for gone handle 0x{handle:03x}")
    for handle in acl.core.handles_in_flight():
        if handle not in live:
            problems.append(f"{name}: ACL credits held by gone handle 0x{handle:03x}")
    for handle, bearer in stack.gatt._bearers.items():
        if live.get(handle) is not bearer.connection:
            problems.append(f"{name}: ATT bearer kept for {bearer.connection!r} (closed={bearer.closed})")
    for handle, client in stack.gatt._clients.items():
        if live.get(handle) is not client.connection:
            problems.append(f"{name}: GATT client kept for {client.connection!r}")
    for handle, link in stack.l2cap._links.items():
        if live.get(handle) is not link.connection:
            problems.append(f"{name}: L2CAP link kept for {link.connection!r}")
    for handle, smp_link in stack.smp._links.items():
        if live.get(handle) is not smp_link.conn:
            problems.append(f"{name}: SMP link kept for {smp_link.conn!r}")
    for conn in stack.seen:
        if conn.connected:
            continue
        for channel in stack.channels:
            if channel.connection is conn and channel.connected:
                problems.append(f"{name}: {channel!r} still open after its ACL link closed")
    return problems


class Tracked:
    """Every per-connection object the bearers made during a run (to check them once closed)."""

    def __init__(self) -> None:
        self.bearers: dict[int, Any] = {}
        self.l2cap_links: dict[int, Any] = {}
        self.smp_links: dict[int, Any] = {}

    def collect(self, stack: Stack) -> None:
        for store, objects in ((self.bearers, stack.gatt._bearers.values()),
                               (self.l2cap_links, stack.l2cap._links.values()),
                               (self.smp_links, stack.smp._links.values())):
            for obj in objects:
                store.setdefault(id(obj), obj)

    def problems(self) -> list[str]:
        return (closed_bearer_problems(list(self.bearers.values()))
                + closed_link_problems(list(self.l2cap_links.values()), list(self.smp_links.values())))


def closed_link_problems(l2cap_links: list[Any], smp_links: list[Any]) -> list[str]:
    """L2CAP and SMP links of closed connections: nothing pending, no timers, no tasks."""
    problems = []
    for link in l2cap_links:
        if link.connection.connected:
            continue
        what = f"L2CAP link of closed {link.connection!r}"
        pending = [cid for cid, future in link.opening.items() if not future.done()]
        if pending:
            problems.append(f"{what}: channel openings never settled (CIDs {pending})")
        if link.parameter_update is not None and not link.parameter_update.done():
            problems.append(f"{what}: parameter update request never settled")
        if link.timer is not None and not link.timer.cancelled():
            problems.append(f"{what}: RTX timer still armed")
        open_ = [c for c in link.channels.values() if c.connected]
        if open_:
            problems.append(f"{what}: {len(open_)} channels still open")
    for link in smp_links:
        if link.conn.connected:
            continue
        what = f"SMP link of closed {link.conn!r}"
        if link.waiting():
            problems.append(f"{what}: pairing/encryption futures never settled")
        if link.timer is not None and not link.timer.cancelled():
            problems.append(f"{what}: SMP timer still armed")
        live_tasks = [t for t in link.tasks if not t.done()]
        if live_tasks:
            problems.append(f"{what}: tasks still running: {live_tasks}")
    return problems


def closed_bearer_problems(bearers: list[Any]) -> list[str]:
    """ATT bearers of closed connections: flagged closed, no futures, no timers."""
    problems = []
    for bearer in bearers:
        if bearer.connection.connected:
            continue
        if not bearer.closed:
            problems.append(f"ATT bearer of closed {bearer.connection!r} not closed")
        if bearer._on_done:
            problems.append(f"ATT bearer of closed {bearer.connection!r} keeps "
                            f"{len(bearer._on_done)} pending procedures")
        if bearer._timer is not None:
            problems.append(f"ATT bearer of closed {bearer.connection!r} keeps timers")
    return problems


def leftovers(loop: asyncio.AbstractEventLoop) -> list[str]:
    """Live tasks (other than the caller) and armed timers on `loop`."""
    current = asyncio.current_task(loop)
    problems = [f"task left running: {task!r}" for task in asyncio.all_tasks(loop)
                if task is not current and not task.done()]
    scheduled = getattr(loop, "_scheduled", [])
    problems += [f"timer left armed: {handle!r}" for handle in scheduled if not handle.cancelled()]
    return problems
