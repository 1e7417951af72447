"""Connection Parameter Update over LE signalling (Core Vol 3 Part A, 4.20-4.21).

A peripheral asks (`request_connection_parameter_update`, L2CAP/LE/CPU/BV-01-C); a central
screens the values (conn_params.py, L2CAP/LE/CPU/BI-01-C), reports the request as an event
and answers once the host decides (`answer_connection_parameter_update`). A peripheral
rejects the request as not understood (L2CAP/LE/CPU/BI-02-C).
"""

from __future__ import annotations

import logging

from .channel_table import ChannelTable, L2capUsageError, Role
from .conn_params import connection_parameters_problem
from .events import ConnectionParameterUpdateAnswered, ConnectionParameterUpdateRequested
from .pdus import (
    CommandRejectReason,
    ConnectionParameterUpdateReq,
    ConnectionParameterUpdateResult,
    ConnectionParameterUpdateRsp,
)

log = logging.getLogger(__name__)


class ParameterUpdates(ChannelTable):
    """Both roles of the Connection Parameter Update procedure."""

    def _on_cpu_req(self, identifier: int, req: ConnectionParameterUpdateReq) -> None:
        """Only a central answers (L2CAP/LE/CPU/BI-02-C); invalid values are refused (BI-01-C)."""
        if self.role is not Role.CENTRAL:
            self._signaling.reject(identifier, CommandRejectReason.COMMAND_NOT_UNDERSTOOD)
            return
        problem = connection_parameters_problem(
            req.interval_min, req.interval_max, req.latency, req.timeout
        )
        if problem is not None:
            log.info("refusing connection parameter update: %s", problem)
            self._signaling.respond(
                identifier,
                ConnectionParameterUpdateRsp(
                    ConnectionParameterUpdateResult.CONNECTION_PARAMETERS_REJECTED
                ),
            )
            return
        self._cpu_requests.add(identifier)
        self._events.append(
            ConnectionParameterUpdateRequested(
                identifier, req.interval_min, req.interval_max, req.latency, req.timeout
            )
        )

    def _on_cpu_rsp(self, response: ConnectionParameterUpdateRsp) -> None:
        """The central answered our request."""
        accepted = response.result == ConnectionParameterUpdateResult.CONNECTION_PARAMETERS_ACCEPTED
        self._events.append(ConnectionParameterUpdateAnswered(accepted, response.result))

    def request_connection_parameter_update(
        self,
        interval_min: int,
        interval_max: int,
        latency: int,
        timeout: int,
        now: float,
    ) -> int:
        """(Peripheral) send L2CAP_CONNECTION_PARAMETER_UPDATE_REQ (L2CAP/LE/CPU/BV-01-C)."""
        if self.role is not Role.PERIPHERAL:
            raise L2capUsageError("only a peripheral sends a connection parameter update request")
        request = ConnectionParameterUpdateReq(interval_min, interval_max, latency, timeout)
        return self._signaling.request(request, self._tick(now))

    def answer_connection_parameter_update(self, identifier: int, accept: bool) -> None:
        """(Central) answer a ConnectionParameterUpdateRequested event."""
        if identifier not in self._cpu_requests:
            raise L2capUsageError(f"no connection parameter update request with id {identifier}")
        self._cpu_requests.discard(identifier)
        result = (
            ConnectionParameterUpdateResult.CONNECTION_PARAMETERS_ACCEPTED
            if accept
            else ConnectionParameterUpdateResult.CONNECTION_PARAMETERS_REJECTED
        )
        self._signaling.respond(identifier, ConnectionParameterUpdateRsp(result))
