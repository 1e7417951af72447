"""The LE signalling channel, CID 0x0005 (Core Vol 3 Part A, 4 and 6.2).

Generic request/response bookkeeping, independent of what the commands mean:
- identifiers for outgoing requests (1-255, never 0, never one still pending);
- pending requests matched to responses by identifier and expected code;
- unknown or malformed commands answered with L2CAP_COMMAND_REJECT_RSP, never a reject
  for a response (that could loop between two hosts);
- the signalling MTU (MTU_sig, at least 23 on LE);
- the 30 s response timeout (RTX), tracked from `now` values the caller passes in: the core
  never reads a clock.

What a command means is the manager's job: `receive` hands it `IncomingRequest`,
`IncomingResponse` or `MalformedRequest` items.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from aioble_hci.errors import UsageError

from .pdus import (
    RESPONSE_CODES,
    AnyCommand,
    CommandRejectReason,
    CommandRejectRsp,
    FixedCid,
    L2capDecodeError,
    RawCommand,
    SignalingCode,
    decode_command,
    encode_basic_frame,
    encode_command,
    split_command,
)

log = logging.getLogger(__name__)

LE_MIN_SIGNALING_MTU = 23
"""MTU_sig on LE-U is never below 23 octets (Vol 3 Part A, 4)."""

RTX_TIMEOUT = 30.0
"""Seconds to wait for a signalling response before giving up (Vol 3 Part A, 6.2.1)."""


class SignalingError(UsageError, RuntimeError):
    """A local misuse of the signalling channel (e.g. no identifier left)."""


@dataclass
class PendingRequest:
    """A request sent and not yet answered."""

    identifier: int
    command: AnyCommand
    deadline: float


@dataclass(frozen=True)
class IncomingRequest:
    """A well-formed request or indication from the peer."""

    identifier: int
    command: AnyCommand


@dataclass(frozen=True)
class IncomingResponse:
    """A well-formed response (or Command Reject) matched to one of our pending requests."""

    request: PendingRequest
    response: AnyCommand


@dataclass(frozen=True)
class MalformedRequest:
    """A request with a known code whose data failed to decode.

    Some have a spec-defined answer other than Command Reject (e.g. an ECFC connection
    request with too many CIDs gets result 0x000C), so the manager decides.
    """

    identifier: int
    code: SignalingCode
    data: bytes
    error: str


SignalingInput = IncomingRequest | IncomingResponse | MalformedRequest

_EXPECTED_RESPONSE = {
    SignalingCode.L2CAP_DISCONNECTION_REQ: SignalingCode.L2CAP_DISCONNECTION_RSP,
    SignalingCode.L2CAP_CONNECTION_PARAMETER_UPDATE_REQ: (
        SignalingCode.L2CAP_CONNECTION_PARAMETER_UPDATE_RSP
    ),
    SignalingCode.L2CAP_LE_CREDIT_BASED_CONNECTION_REQ: (
        SignalingCode.L2CAP_LE_CREDIT_BASED_CONNECTION_RSP
    ),
    SignalingCode.L2CAP_CREDIT_BASED_CONNECTION_REQ: SignalingCode.L2CAP_CREDIT_BASED_CONNECTION_RSP,
    SignalingCode.L2CAP_CREDIT_BASED_RECONFIGURE_REQ: (
        SignalingCode.L2CAP_CREDIT_BASED_RECONFIGURE_RSP
    ),
}

_KNOWN_CODES = frozenset(int(code) for code in SignalingCode)


class SignalingChannel:
    """Identifier allocation, response matching, rejects and RTX for one LE-U link.

    `send` receives whole basic frames on CID 0x0005, ready for ACL.
    """

    def __init__(
        self,
        send: Callable[[bytes], None],
        mtu: int = LE_MIN_SIGNALING_MTU,
        rtx_timeout: float = RTX_TIMEOUT,
    ) -> None:
        if mtu < LE_MIN_SIGNALING_MTU:
            raise ValueError(
                f"LE signalling MTU must be at least {LE_MIN_SIGNALING_MTU}, got {mtu}"
            )
        self._send = send
        self.mtu = mtu
        self.rtx_timeout = rtx_timeout
        self._pending: dict[int, PendingRequest] = {}
        self._next_identifier = 1

    # -- outgoing ---------------------------------------------------------------------------------

    @property
    def pending(self) -> list[PendingRequest]:
        """Requests still waiting for a response, oldest first."""
        return list(self._pending.values())

    def request(self, command: AnyCommand, now: float) -> int:
        """Send a request (or an indication, which gets no response); returns its identifier."""
        identifier = self._allocate_identifier()
        if command.CODE in _EXPECTED_RESPONSE:
            self._pending[identifier] = PendingRequest(identifier, command, now + self.rtx_timeout)
        self._emit(identifier, command)
        return identifier

    def respond(self, identifier: int, command: AnyCommand) -> None:
        """Send a response carrying the request's identifier."""
        self._emit(identifier, command)

    def reject(
        self,
        identifier: int,
        reason: CommandRejectReason,
        local_cid: int | None = None,
        remote_cid: int | None = None,
    ) -> None:
        """Send L2CAP_COMMAND_REJECT_RSP for the request with `identifier` (Vol 3 Part A, 4.1)."""
        actual_mtu = self.mtu if reason == CommandRejectReason.SIGNALING_MTU_EXCEEDED else None
        self._emit(identifier, CommandRejectRsp(reason, actual_mtu, local_cid, remote_cid))

    def _emit(self, identifier: int, command: AnyCommand) -> None:
        log.debug("signalling out id=%d %s", identifier, command)
        self._send(encode_basic_frame(FixedCid.LE_SIGNALING, encode_command(identifier, command)))

    def _allocate_identifier(self) -> int:
        for _ in range(255):
            identifier = self._next_identifier
            self._next_identifier = identifier % 255 + 1
            if identifier not in self._pending:
                return identifier
        raise SignalingError("all 255 signalling identifiers are waiting for responses")

    # -- timers -----------------------------------------------------------------------------------

    def next_deadline(self) -> float | None:
        """When the earliest pending request times out, or None when nothing is pending."""
        return min((p.deadline for p in self._pending.values()), default=None)

    def expire(self, now: float) -> list[PendingRequest]:
        """Drop and return every request whose RTX deadline is at or before `now`."""
        expired = [p for p in self._pending.values() if p.deadline <= now]
        for pending in expired:
            del self._pending[pending.identifier]
            log.warning(
                "signalling request id=%d timed out: %s", pending.identifier, pending.command
            )
        return expired

    def forget(self, identifier: int) -> None:
        """Stop waiting for the response to `identifier` (e.g. the procedure was abandoned)."""
        self._pending.pop(identifier, None)

    # -- incoming ---------------------------------------------------------------------------------

    def receive(self, payload: bytes) -> SignalingInput | None:
        """Take one C-frame payload; return what the manager must act on, or None if handled.

        Rejects and drops are handled here: the caller never sees malformed responses,
        unknown codes or oversized frames.
        """
        if len(payload) < 4:
            log.warning("dropping signalling frame of %d octets (no header)", len(payload))
            return None
        code, identifier = payload[0], payload[1]
        if identifier == 0:
            # Vol 3 Part A, 4: identifier 0x00 is illegal and never used in any command, so
            # there is nothing a reject could be matched to: drop it, whatever the code.
            log.warning("dropping signalling command 0x%02X with identifier 0", code)
            return None
        is_response = code in RESPONSE_CODES
        if len(payload) > self.mtu:
            if is_response:
                log.warning("dropping %d-octet signalling response over MTU_sig", len(payload))
            else:
                self.reject(identifier, CommandRejectReason.SIGNALING_MTU_EXCEEDED)
            return None
        try:
            raw = split_command(payload)
        except L2capDecodeError as exc:
            return self._malformed(code, identifier, payload[4:], str(exc))
        if raw.code not in _KNOWN_CODES:
            log.info("rejecting unknown signalling code 0x%02X id=%d", raw.code, raw.identifier)
            self.reject(raw.identifier, CommandRejectReason.COMMAND_NOT_UNDERSTOOD)
            return None
        try:
            command = decode_command(raw)
        except L2capDecodeError as exc:
            return self._malformed(raw.code, raw.identifier, raw.data, str(exc))
        log.debug("signalling in id=%d %s", raw.identifier, command)
        if is_response:
            return self._match_response(raw, command)
        return IncomingRequest(raw.identifier, command)

    def _malformed(
        self, code: int, identifier: int, data: bytes, error: str
    ) -> SignalingInput | None:
        if code in RESPONSE_CODES:
            log.warning("dropping malformed signalling response 0x%02X: %s", code, error)
            return None
        if code not in _KNOWN_CODES:
            self.reject(identifier, CommandRejectReason.COMMAND_NOT_UNDERSTOOD)
            return None
        log.warning("malformed signalling request 0x%02X id=%d: %s", code, identifier, error)
        return MalformedRequest(identifier, SignalingCode(code), data, error)

    def _match_response(self, raw: RawCommand, command: AnyCommand) -> IncomingResponse | None:
        pending = self._pending.get(raw.identifier)
        if pending is None:
            log.info(
                "dropping unsolicited signalling response 0x%02X id=%d", raw.code, raw.identifier
            )
            return None
        expected = _EXPECTED_RESPONSE[pending.command.CODE]
        if raw.code not in (expected, SignalingCode.L2CAP_COMMAND_REJECT_RSP):
            log.info(
                "dropping response 0x%02X id=%d: request 0x%02X expects 0x%02X",
                raw.code,
                raw.identifier,
                pending.command.CODE,
                expected,
            )
            return None
        del self._pending[raw.identifier]
        return IncomingResponse(pending, command)
