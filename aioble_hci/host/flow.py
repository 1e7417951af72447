"""Flow control towards the controller: commands by Num_HCI_Command_Packets, ACL by buffer credits.

Core Vol 4 Part E, 4.4: the host may send as many commands as the last Command
Complete/Status allowed (one after reset). Vol 4 Part E, 4.1.1: the host may send
as many ACL packets as the controller has buffers; Number Of Completed Packets
returns them, and a disconnection frees those of its handle.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aioble_hci.hci.acl import fragment
from aioble_hci.host.errors import HciTimeoutError

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _PendingCommand:
    command: Any
    opcode: int
    timeout: float
    future: asyncio.Future[Any]
    urgent: bool = False
    timer: asyncio.TimerHandle | None = None


class CommandFlow:
    """Queues commands and sends them as the controller's command credits allow.

    `on_timeout(error, consecutive)` hears of every command the controller left
    unanswered, with how many timed out in a row (any answer resets the count), so
    the host can declare a silent controller lost instead of queueing forever.
    While `exclusive` is set (re-initialising the controller), only urgent commands
    are sent; the others wait in the queue.

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
        self.credits = 1
        self.consecutive_timeouts = 0
        self.exclusive = False
        self.unexpected_answers = 0
        self._queue: deque[_PendingCommand] = deque()
        self._in_flight: dict[int, deque[_PendingCommand]] = {}
        self._stall: asyncio.TimerHandle | None = None

    @property
    def queued(self) -> int:
        return len(self._queue)

    @property
    def in_flight(self) -> int:
        return sum(len(q) for q in self._in_flight.values())

    async def submit(self, command: Any, timeout: float, urgent: bool = False) -> Any:
        """Send `command` when a credit allows; return its Command Complete/Status event."""
        loop = asyncio.get_running_loop()
        pending = _PendingCommand(command, int(command.OPCODE), timeout, loop.create_future(), urgent)
        if urgent:
            self._queue.appendleft(pending)
        else:
            self._queue.append(pending)
        self.pump()
        try:
            return await pending.future
        finally:
            self._forget(pending)

    def is_in_flight(self, opcode: int) -> bool:
        return bool(self._in_flight.get(opcode))

    def on_answer(self, opcode: int, num_hci_command_packets: int, event: Any) -> bool:
        """A Command Complete or Command Status: new credit count, and maybe a command finished.

        The credit count is honoured even when the answer matches no command sent
        (Vol 4 Part E, 4.4: Num_HCI_Command_Packets is always the controller's current
        allowance); such an answer never completes a different pending command.
        Returns whether the answer matched a command in flight.
        """
        self.credits = num_hci_command_packets
        self.consecutive_timeouts = 0  # the controller is answering
        matched = True
        if opcode != 0:  # opcode 0x0000 only updates the credits (Vol 4 Part E, 7.7.14)
            pending = self._pop_in_flight(opcode)
            if pending is None:
                matched = False
                self.unexpected_answers += 1
                log.warning("ignoring an answer for opcode 0x%04x, a command not in flight "
                            "(never sent, or late after a timeout)", opcode)
            elif not pending.future.done():
                pending.future.set_result(event)
        self.pump()
        return matched

    def fail_all(self, exc: BaseException) -> None:
        """Fail every queued and in-flight command (controller lost or host closing)."""
        everything = list(self._queue) + [p for q in self._in_flight.values() for p in q]
        self._queue.clear()
        self._in_flight.clear()
        self._watch_credits()
        for pending in everything:
            self._settle_error(pending, exc)

    def fail_in_flight(self, exc: BaseException) -> None:
        """Fail commands already sent (their answers will not come after a reset); keep the queue."""
        for q in self._in_flight.values():
            for pending in q:
                self._settle_error(pending, exc)
        self._in_flight.clear()
        self.credits = 1
        self.pump()

    def _next(self) -> _PendingCommand | None:
        """The next command allowed out: the head, or while exclusive the first urgent one."""
        if not self.exclusive:
            return self._queue.popleft()
        for pending in self._queue:
            if pending.urgent:
                self._queue.remove(pending)
                return pending
        return None

    def pump(self) -> None:
        """Send what the credits allow (also after `exclusive` is lifted)."""
        try:
            self._send_allowed()
        finally:
            self._watch_credits()

    def _send_allowed(self) -> None:
        while self.credits > 0 and self._queue:
            pending = self._next()
            if pending is None:
                return
            if pending.future.done():
                continue
            self.credits -= 1
            self._in_flight.setdefault(pending.opcode, deque()).append(pending)
            loop = asyncio.get_running_loop()
            pending.timer = loop.call_later(pending.timeout, self._expire, pending)
            try:
                self._send(pending.command.to_bytes())
            except Exception as exc:  # the transport refused: fail this command, keep going
                self._pop(pending)
                self.credits += 1
                self._settle_error(pending, exc)

    def _expire(self, pending: _PendingCommand) -> None:
        if not self._pop(pending):
            return
        error = HciTimeoutError(pending.command, pending.timeout)
        self.consecutive_timeouts += 1
        log.warning("%s (%d in a row)", error, self.consecutive_timeouts)
        # The controller will not answer, so its credit for this command is presumed back.
        if self.credits == 0:
            self.credits = 1
        if not pending.future.done():
            pending.future.set_exception(error)
        if self._on_timeout is not None:
            try:
                self._on_timeout(error, self.consecutive_timeouts)
            except Exception:
                log.exception("command timeout handler failed")
        self.pump()

    def _watch_credits(self) -> None:
        """Arm the stall timer when commands wait with no credit and none in flight; else disarm it."""
        stalled = self.credits <= 0 and not self._in_flight and bool(self._queue)
        if stalled and self._stall is None:
            loop = asyncio.get_running_loop()
            self._stall = loop.call_later(self._queue[0].timeout, self._credit_stall)
        elif not stalled and self._stall is not None:
            self._stall.cancel()
            self._stall = None

    def _credit_stall(self) -> None:
        """No credit came for a whole timeout: the next command fails, never sent."""
        self._stall = None
        if not self._queue or self.credits > 0 or self._in_flight:
            return
        pending = self._queue.popleft()
        error = HciTimeoutError(pending.command, pending.timeout, waiting_for_credit=True)
        self.consecutive_timeouts += 1
        log.warning("%s (%d in a row)", error, self.consecutive_timeouts)
        if not pending.future.done():
            pending.future.set_exception(error)
        if self._on_timeout is not None:
            try:
                self._on_timeout(error, self.consecutive_timeouts)
            except Exception:
                log.exception("command timeout handler failed")
        self._watch_credits()  # the next command waits its own timeout

    def _pop_in_flight(self, opcode: int) -> _PendingCommand | None:
        """The oldest command in flight with `opcode`, no longer tracked (None if there is none)."""
        q = self._in_flight.get(opcode)
        if not q:
            return None
        pending = q[0]
        self._pop(pending)
        return pending

    def _pop(self, pending: _PendingCommand) -> bool:
        """Stop tracking a command in flight and cancel its timer; False if it was not in flight."""
        q = self._in_flight.get(pending.opcode)
        if q is None or pending not in q:
            return False
        q.remove(pending)
        if not q:
            del self._in_flight[pending.opcode]
        if pending.timer is not None:
            pending.timer.cancel()
        return True

    def _forget(self, pending: _PendingCommand) -> None:
        """The caller stopped waiting (cancelled): a queued command is never sent."""
        if pending in self._queue:
            self._queue.remove(pending)
            self._watch_credits()

    @staticmethod
    def _settle_error(pending: _PendingCommand, exc: BaseException) -> None:
        if pending.timer is not None:
            pending.timer.cancel()
        if not pending.future.done():
            pending.future.set_exception(exc)


@dataclass
class AclFlow:
    """Fragments L2CAP PDUs to the controller's ACL size and sends them as buffer credits allow."""

    send: Callable[[bytes], None]
    max_length: int = 27
    total_buffers: int = 1
    credits: int = 1
    held: bool = False
    send_failures: int = 0
    _queue: deque[tuple[int, bytes]] = field(default_factory=deque)
    _in_flight: Counter[int] = field(default_factory=Counter)

    def configure(self, max_length: int, total_buffers: int) -> None:
        """Buffer facts from LE Read Buffer Size (or Read Buffer Size); resets the credits and
        releases a `hold`."""
        self.max_length = max(1, max_length)
        self.total_buffers = max(1, total_buffers)
        self.credits = self.total_buffers
        self.held = False
        self._in_flight.clear()
        self.pump()

    def hold(self) -> None:
        """Stop sending until `configure` (the credit count is no longer trusted: Data Buffer Overflow)."""
        self.held = True

    @property
    def queued(self) -> int:
        return len(self._queue)

    def in_flight(self, handle: int) -> int:
        return self._in_flight[handle]

    def send_pdu(self, handle: int, l2cap_pdu: bytes) -> int:
        """Queue a whole L2CAP PDU (basic header included); returns the number of fragments."""
        fragments = fragment(handle, l2cap_pdu, self.max_length)
        self._queue.extend((handle, packet) for packet in fragments)
        self.pump()
        return len(fragments)

    def on_completed(self, handle: int, count: int) -> None:
        """Number Of Completed Packets for one handle (Vol 4 Part E, 7.7.19).

        Completions beyond what is outstanding on that handle (an unknown handle, or a
        count too high) are ignored, so credits never exceed the controller's buffers."""
        done = min(count, self._in_flight.get(handle, 0))
        if done < count:
            log.warning("controller completed %d packets on handle 0x%03x, only %d outstanding: ignored the rest",
                        count, handle, done)
        if done:
            self._in_flight[handle] -= done
            if self._in_flight[handle] == 0:
                del self._in_flight[handle]
        self.credits = min(self.total_buffers, self.credits + done)
        self.pump()

    def on_disconnected(self, handle: int) -> None:
        """Drop what is queued for the handle and take back its buffers (Vol 4 Part E, 4.3)."""
        self._queue = deque(item for item in self._queue if item[0] != handle)
        returned = self._in_flight.pop(handle, 0)
        self.credits = min(self.total_buffers, self.credits + returned)
        self.pump()

    def clear(self) -> None:
        self._queue.clear()
        self._in_flight.clear()
        self.credits = self.total_buffers

    def pump(self) -> None:
        while self.credits > 0 and self._queue and not self.held:
            handle, packet = self._queue.popleft()
            try:
                self.send(packet)
            except Exception as exc:  # a failing transport never breaks the caller or the loop
                self.send_failures += 1
                log.error("could not send an ACL packet on handle 0x%03x: %s; dropped", handle, exc)
                continue
            self.credits -= 1
            self._in_flight[handle] += 1
