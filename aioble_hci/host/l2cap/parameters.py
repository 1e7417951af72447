"""Connection Parameter Update glue (Core Vol 3 Part A, 4.20-4.21) between L2CAP and the LL.

As central, the bearer answers a peripheral's request through `parameter_update_policy`
(by default `ParameterLimits`) and, once it accepted, runs exactly one LL connection update
through `update_connection`, with the values the policy chose (a policy may narrow the request;
the peripheral's raw values never override it); `use_gap` hands both decisions to the GAP bearer. As peripheral,
`request_connection_parameter_update` asks the central and waits for its answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from aioble_hci.hci.commands import LeConnectionUpdate
from aioble_hci.host.connection import Connection
from aioble_hci.l2cap import events as l2ev
from aioble_hci.l2cap.manager import L2capUsageError

if TYPE_CHECKING:
    from aioble_hci.host.host import Host

    from .bearer import L2capBearer, _Link

log = logging.getLogger(__name__)

ParameterPolicy = Callable[
    [Connection, l2ev.ConnectionParameterUpdateRequested], "bool | l2ev.ConnectionParameterUpdateRequested"
]
"""True accepts the request as asked, a ConnectionParameterUpdateRequested accepts it with those
values instead (e.g. narrowed to local limits), False refuses."""
ConnectionUpdater = Callable[[Connection, l2ev.ConnectionParameterUpdateRequested], Awaitable[None]]


@dataclass(frozen=True)
class ParameterLimits:
    """What a central accepts in a Connection Parameter Update request (spec units)."""

    interval_min: int = 0x0006
    interval_max: int = 0x0C80
    max_latency: int = 0x01F3
    timeout_min: int = 0x000A
    timeout_max: int = 0x0C80

    def allows(self, req: l2ev.ConnectionParameterUpdateRequested) -> bool:
        return (
            req.interval_min >= self.interval_min
            and req.interval_max <= self.interval_max
            and req.latency <= self.max_latency
            and self.timeout_min <= req.timeout <= self.timeout_max
        )


class ParameterUpdateGlue:
    """The Connection Parameter Update part of `L2capBearer`."""

    if TYPE_CHECKING:
        host: Host
        parameter_update_policy: ParameterPolicy
        update_connection: ConnectionUpdater

        def _link(self, connection: Connection) -> _Link: ...
        def _now(self) -> float: ...
        def _after(self, link: _Link, events: list[l2ev.L2capEvent]) -> None: ...
        def _spawn(self, coro: Awaitable[Any]) -> None: ...

    async def request_connection_parameter_update(
        self, connection: Connection, interval_min: int, interval_max: int, latency: int, timeout: int
    ) -> bool:
        """(Peripheral) ask the central for new parameters; True when it accepted."""
        link = self._link(connection)
        if link.parameter_update is not None and not link.parameter_update.done():
            raise L2capUsageError("a connection parameter update request is already pending")
        link.manager.request_connection_parameter_update(
            interval_min, interval_max, latency, timeout, now=self._now()
        )
        link.parameter_update = asyncio.get_running_loop().create_future()
        self._after(link, link.manager.take_events())
        return await link.parameter_update

    async def _le_connection_update(
        self, connection: Connection, req: l2ev.ConnectionParameterUpdateRequested
    ) -> None:
        await self.host.send_command(
            LeConnectionUpdate(
                connection.handle, req.interval_min, req.interval_max, req.latency, req.timeout
            )
        )

    def _on_parameter_request(self, link: _Link, req: l2ev.ConnectionParameterUpdateRequested) -> None:
        """Vol 3 Part A, 4.20-4.21: answer, then (when accepted) start the one LL update, with the
        policy's values."""
        try:
            decision = self.parameter_update_policy(link.connection, req)
        except Exception:
            log.exception("connection parameter policy failed; refusing")
            decision = False
        chosen = decision if isinstance(decision, l2ev.ConnectionParameterUpdateRequested) else None
        accept = chosen is not None or bool(decision)
        link.manager.answer_connection_parameter_update(req.identifier, accept)
        if accept:
            self._spawn(self._run_update(link.connection, chosen or req))

    async def _run_update(self, connection: Connection, req: l2ev.ConnectionParameterUpdateRequested) -> None:
        try:
            await self.update_connection(connection, req)
        except Exception as exc:
            log.warning("LE connection update on %r failed: %s", connection, exc)


def use_gap(bearer: L2capBearer, gap: Any) -> None:
    """Let the GAP bearer decide and run Connection Parameter Updates (its limits and procedure)."""
    from aioble_hci.host.gap.config import ConnectionParameters

    def policy(conn: Connection, req: l2ev.ConnectionParameterUpdateRequested) -> bool | l2ev.ConnectionParameterUpdateRequested:
        params = gap.accept_l2cap_parameter_request(conn, req.interval_min, req.interval_max, req.latency, req.timeout)
        if params is None:
            return False
        return replace(req, interval_min=params.interval_min, interval_max=params.interval_max,
                       latency=params.latency, timeout=params.supervision_timeout)

    async def update(conn: Connection, req: l2ev.ConnectionParameterUpdateRequested) -> None:
        params = ConnectionParameters(
            interval_min=req.interval_min,
            interval_max=req.interval_max,
            latency=req.latency,
            supervision_timeout=req.timeout,
        )
        await gap.update_connection(conn, params)

    bearer.parameter_update_policy = policy
    bearer.update_connection = update
