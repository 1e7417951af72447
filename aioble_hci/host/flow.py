"""Flow control towards the controller: commands by Num_HCI_Command_Packets, ACL by buffer credits.

Core Vol 4 Part E, 4.4: the host may send as many commands as the last Command
Complete/Status allowed (one after reset). Vol 4 Part E, 4.1.1: the host may send
as many ACL packets as the controller has buffers; Number Of Completed Packets
returns them, and a disconnection frees those of its handle.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aioble_hci.hci.acl_flow import AclFlowCore
from aioble_hci.hci.command_flow import (
    CommandDropped,
    CommandFlowCore,
    CommandFlowEvent,
    CommandTimedOut,
)
from aioble_hci.host.errors import HciTimeoutError

log = logging.getLogger(__name__)


class CommandFlow:
    """The async driver of :class:`aioble_hci.hci.command_flow.CommandFlowCore` on the host loop.

    `submit` awaits a command's Command Complete/Status; the core decides when each command may
    go (credits, Vol 4 Part E 4.4) and when it times out, this driver writes the packets the core
    releases, settles the callers' futures from the core's events and keeps one loop timer at
    the core's `get_timer()`.

    `on_timeout(error, consecutive)` hears of every command the controller left unanswered, with
    how many timed out in a row (any answer resets the count), so the host can declare a silent
    controller lost instead of queueing forever. While `exclusive` is set (re-initialising the
    controller), only urgent commands are sent; the others wait in the queue.

    A queued command waits for the commands ahead of it, each bounded by its own timeout.
    The one wait nothing else bounds is a credit stall: the controller answered with
    Num_HCI_Command_Packets = 0, holds no command of ours and returns no credit (Vol 4
    Part E, 4.4 and 7.7.14). Then the next command fails after its timeout, never sent,
    and counts as a timeout like a command left unanswered.
    """

    def __init__(self, send: Callable[[bytes], None],
                 on_timeout: Callable[[HciTimeoutError, int], None] | None = None) -> None:
        self._send = send
        self._on_timeout = on_timeout
        self.core = CommandFlowCore()
        self._pending: dict[int, _Pending] = {}
        self._tokens = itertools.count(1)
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at: float | None = None
        self._driving = False

    # -- the core's state, as the host and tests read it ------------------------------------
    @property
    def credits(self) -> int:
        return self.core.credits

    @property
    def consecutive_timeouts(self) -> int:
        return self.core.consecutive_timeouts

    @property
    def unexpected_answers(self) -> int:
        return self.core.unexpected_answers

    @property
    def exclusive(self) -> bool:
        return self.core.exclusive

    @exclusive.setter
    def exclusive(self, value: bool) -> None:
        self.core.exclusive = value

    @property
    def queued(self) -> int:
        return self.core.queued

    @property
    def in_flight(self) -> int:
        return self.core.in_flight

    def is_in_flight(self, opcode: int) -> bool:
        return self.core.is_in_flight(opcode)

    # -- commands ------------------------------------------------------------------------------
    async def submit(self, command: Any, timeout: float, urgent: bool = False) -> Any:
        """Send `command` when a credit allows; return its Command Complete/Status event."""
        loop = asyncio.get_running_loop()
        token = next(self._tokens)
        pending = _Pending(command, timeout, loop.create_future())
        self._pending[token] = pending
        self.core.submit(token, int(command.OPCODE), command.to_bytes(), timeout, loop.time(), urgent)
        self._drive()
        try:
            return await pending.future
        finally:
            if self.core.cancel(token, self._now()):  # still queued: it will never be sent
                self._pending.pop(token, None)
            self._drive()

    def on_answer(self, opcode: int, num_hci_command_packets: int, event: Any) -> bool:
        """A Command Complete or Command Status: new credit count, and maybe a command finished.

        Returns whether the answer matched a command in flight.
        """
        unexpected = self.core.unexpected_answers
        token = self.core.receive_answer(opcode, num_hci_command_packets, self._now())
        if token is not None:
            pending = self._pending.get(token)
            if pending is not None and not pending.future.done():
                pending.future.set_result(event)
        self._drive()
        return self.core.unexpected_answers == unexpected

    def fail_all(self, exc: BaseException) -> None:
        """Fail every queued and in-flight command (controller lost or host closing)."""
        self.core.drop_all(self._now())
        self._drive(exc)

    def fail_in_flight(self, exc: BaseException) -> None:
        """Fail commands already sent (their answers will not come after a reset); keep the queue."""
        self.core.drop_in_flight(self._now())
        self._drive(exc)

    def pump(self) -> None:
        """Send what the credits allow (also after `exclusive` is lifted)."""
        self.core.pump(self._now())
        self._drive()

    # -- driving the core ------------------------------------------------------------------------
    @staticmethod
    def _now() -> float:
        try:
            return asyncio.get_running_loop().time()
        except RuntimeError:  # no loop (a test poking the flow directly): no timer is armed
            return 0.0

    def _drive(self, dropped_with: BaseException | None = None) -> None:
        """Write the packets the core released, settle futures from its events, re-arm the timer.

        A send that re-enters the flow leaves the writing to the outer call (packets stay in
        order); events are always settled by the call that produced them.
        """
        if not self._driving:
            self._driving = True
            try:
                self._write_released()
            finally:
                self._driving = False
        for event in self.core.take_events():
            self._settle(event, dropped_with)
        self._arm_timer()

    def _write_released(self) -> None:
        while True:
            out = self.core.data_to_send()
            if not out:
                return
            for token, packet in out:
                pending = self._pending.get(token)
                if pending is None or pending.future.done():  # the caller gave up before it left
                    self.core.send_failed(token, self._now())
                    continue
                try:
                    self._send(packet)
                except Exception as exc:  # the transport refused: fail this command, keep going
                    pending.future.set_exception(exc)
                    self.core.send_failed(token, self._now())

    def _settle(self, event: CommandFlowEvent, dropped_with: BaseException | None) -> None:
        """Every event ends the core's interest in its token (answered, timed out or dropped)."""
        pending = self._pending.pop(event.token, None)
        if pending is None:
            return
        if isinstance(event, CommandTimedOut):
            error = HciTimeoutError(pending.command, pending.timeout,
                                    waiting_for_credit=event.waiting_for_credit)
            log.warning("%s (%d in a row)", error, event.consecutive)
            if not pending.future.done():
                pending.future.set_exception(error)
            if self._on_timeout is not None:
                try:
                    self._on_timeout(error, event.consecutive)
                except Exception:
                    log.exception("command timeout handler failed")
        elif isinstance(event, CommandDropped) and dropped_with is not None:
            if not pending.future.done():
                pending.future.set_exception(dropped_with)

    def _arm_timer(self) -> None:
        deadline = self.core.get_timer()
        if deadline == self._timer_at:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = self._timer_at = None
        if deadline is not None:
            self._timer = asyncio.get_running_loop().call_at(deadline, self._on_timer)
            self._timer_at = deadline

    def _on_timer(self) -> None:
        self._timer = self._timer_at = None
        self.core.handle_timer(self._now())
        self._drive()


@dataclass(eq=False)
class _Pending:
    """A caller waiting for its command's answer."""

    command: Any
    timeout: float
    future: asyncio.Future[Any]


class AclFlow:
    """The driver of :class:`aioble_hci.hci.acl_flow.AclFlowCore`: writes the ACL packets the
    core releases, at once, and counts packets the transport refused (each is dropped; its
    credit comes back). A failing transport never breaks the caller or the loop."""

    def __init__(self, send: Callable[[bytes], None]) -> None:
        self.send = send
        self.core = AclFlowCore()
        self.send_failures = 0
        self._driving = False

    @property
    def max_length(self) -> int:
        return self.core.max_length

    @property
    def total_buffers(self) -> int:
        return self.core.total_buffers

    @property
    def credits(self) -> int:
        return self.core.credits

    @property
    def held(self) -> bool:
        return self.core.held

    @property
    def queued(self) -> int:
        return self.core.queued

    def in_flight(self, handle: int) -> int:
        return self.core.in_flight(handle)

    def configure(self, max_length: int, total_buffers: int) -> None:
        """Buffer facts from LE Read Buffer Size; resets the credits and releases a `hold`."""
        self.core.configure(max_length, total_buffers)
        self._drive()

    def hold(self) -> None:
        """Stop sending until `configure` (Data Buffer Overflow)."""
        self.core.hold()

    def send_pdu(self, handle: int, l2cap_pdu: bytes) -> int:
        """Queue a whole L2CAP PDU (basic header included); returns the number of fragments."""
        count = self.core.send_pdu(handle, l2cap_pdu)
        self._drive()
        return count

    def on_completed(self, handle: int, count: int) -> None:
        """Number Of Completed Packets for one handle (Vol 4 Part E, 7.7.19)."""
        self.core.receive_completed(handle, count)
        self._drive()

    def on_disconnected(self, handle: int) -> None:
        """Drop what is queued for the handle and take back its buffers (Vol 4 Part E, 4.3)."""
        self.core.disconnected(handle)
        self._drive()

    def clear(self) -> None:
        self.core.clear()

    def pump(self) -> None:
        self.core.pump()
        self._drive()

    def _drive(self) -> None:
        if self._driving:  # a send that re-entered the flow: the outer loop sends in order
            return
        self._driving = True
        try:
            self._write_released()
        finally:
            self._driving = False

    def _write_released(self) -> None:
        while True:
            out = self.core.data_to_send()
            if not out:
                return
            for handle, packet in out:
                try:
                    self.send(packet)
                except Exception as exc:
                    self.send_failures += 1
                    log.error("could not send an ACL packet on handle 0x%03x: %s; dropped", handle, exc)
                    self.core.send_failed(handle)
