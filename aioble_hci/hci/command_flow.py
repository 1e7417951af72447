"""HCI command flow control, sans-I/O: command credits, commands in flight, their deadlines.

Core Vol 4 Part E, 4.4: the host may send as many commands as the last Command Complete or
Command Status allowed (Num_HCI_Command_Packets; one after power-on or reset). Every command
sent waits for its answer until its own timeout; a command queued while the controller grants
no credit and holds none of ours (a credit stall, Vol 4 Part E 7.7.14) fails after its timeout,
never sent.

The core follows the contract every protocol core shares: commands take ``now``;
``data_to_send()`` gives the command packets to write, in order; ``take_events()`` what became
of submitted commands (:data:`CommandFlowEvent`); ``get_timer()`` / ``handle_timer(now)`` run
the deadlines. Commands are named by a caller-chosen token; the driver (``host/flow.py``) maps
tokens to the futures its callers await.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandAnswered:
    """The controller answered the command (Command Complete or Command Status)."""

    token: int


@dataclass(frozen=True)
class CommandTimedOut:
    """No answer within the command's timeout, or (``waiting_for_credit``) never sent because no
    credit came for that long. ``consecutive`` counts timeouts in a row (an answer resets it)."""

    token: int
    consecutive: int
    waiting_for_credit: bool = False


@dataclass(frozen=True)
class CommandDropped:
    """The command was abandoned by the driver (controller lost, reset, transport refused)."""

    token: int


CommandFlowEvent = CommandAnswered | CommandTimedOut | CommandDropped
"""Everything :meth:`CommandFlowCore.take_events` returns."""


@dataclass(eq=False)
class _Command:
    token: int
    opcode: int
    packet: bytes
    timeout: float
    urgent: bool
    deadline: float | None = None
    """While in flight: when it times out."""


class CommandFlowCore:
    """Command credits and the commands queued and in flight, for one controller.

    While ``exclusive`` is set (re-initialising the controller) only urgent commands are sent;
    the others wait in the queue.
    """

    def __init__(self) -> None:
        self.credits = 1
        self.consecutive_timeouts = 0
        self.exclusive = False
        self.unexpected_answers = 0
        self._queue: deque[_Command] = deque()
        self._in_flight: dict[int, deque[_Command]] = {}
        self._out: list[tuple[int, bytes]] = []
        self._events: list[CommandFlowEvent] = []
        self._stall_deadline: float | None = None

    # -- queries ---------------------------------------------------------------------------------
    @property
    def queued(self) -> int:
        return len(self._queue)

    @property
    def in_flight(self) -> int:
        return sum(len(q) for q in self._in_flight.values())

    def is_in_flight(self, opcode: int) -> bool:
        return bool(self._in_flight.get(opcode))

    # -- the contract ----------------------------------------------------------------------------
    def data_to_send(self) -> list[tuple[int, bytes]]:
        """(token, command packet) pairs to write now, in order (no H4 indicator)."""
        out, self._out = self._out, []
        return out

    def take_events(self) -> list[CommandFlowEvent]:
        events, self._events = self._events, []
        return events

    def get_timer(self) -> float | None:
        """The earliest deadline: a command in flight timing out, or a credit stall."""
        deadlines = [c.deadline for q in self._in_flight.values() for c in q if c.deadline is not None]
        if self._stall_deadline is not None:
            deadlines.append(self._stall_deadline)
        return min(deadlines) if deadlines else None

    def handle_timer(self, now: float) -> None:
        """Time out every command in flight whose deadline passed, then a credit stall."""
        expired = sorted(
            (c for q in self._in_flight.values() for c in q if c.deadline is not None and c.deadline <= now),
            key=lambda c: c.deadline or 0.0,
        )
        for command in expired:
            self._remove_in_flight(command)
            self.consecutive_timeouts += 1
            # The controller will not answer, so its credit for this command is presumed back.
            if self.credits == 0:
                self.credits = 1
            self._events.append(CommandTimedOut(command.token, self.consecutive_timeouts))
            self._send_allowed(now)
        if self._stall_deadline is not None and self._stall_deadline <= now:
            self._stall_deadline = None
            if self._queue and self.credits <= 0 and not self._in_flight:
                command = self._queue.popleft()
                self.consecutive_timeouts += 1
                self._events.append(
                    CommandTimedOut(command.token, self.consecutive_timeouts, waiting_for_credit=True)
                )
        self._watch_credits(now)

    # -- commands --------------------------------------------------------------------------------
    def submit(
        self, token: int, opcode: int, packet: bytes, timeout: float, now: float, urgent: bool = False
    ) -> None:
        """Queue a command packet; it goes out through ``data_to_send`` when a credit allows."""
        command = _Command(token, opcode, packet, timeout, urgent)
        if urgent:
            self._queue.appendleft(command)
        else:
            self._queue.append(command)
        self.pump(now)

    def receive_answer(self, opcode: int, num_hci_command_packets: int, now: float) -> int | None:
        """A Command Complete or Command Status: the new credit count, and maybe a command done.

        The credit count is honoured even when the answer matches no command sent (Vol 4 Part E,
        4.4: Num_HCI_Command_Packets is always the controller's current allowance); such an
        answer never completes a different command. Returns the token answered, if any.
        """
        self.credits = num_hci_command_packets
        self.consecutive_timeouts = 0  # the controller is answering
        token: int | None = None
        if opcode != 0:  # opcode 0x0000 only updates the credits (Vol 4 Part E, 7.7.14)
            queue = self._in_flight.get(opcode)
            if queue:
                command = queue[0]
                self._remove_in_flight(command)
                token = command.token
                self._events.append(CommandAnswered(token))
            else:
                self.unexpected_answers += 1
                log.warning("ignoring an answer for opcode 0x%04x, a command not in flight "
                            "(never sent, or late after a timeout)", opcode)
        self.pump(now)
        return token

    def cancel(self, token: int, now: float) -> bool:
        """The caller stopped waiting: a queued command is never sent (True); one in flight
        still holds its credit until answered or timed out (False)."""
        removed = False
        for command in self._queue:
            if command.token == token:
                self._queue.remove(command)
                removed = True
                break
        self._watch_credits(now)
        return removed

    def send_failed(self, token: int, now: float) -> None:
        """The packet of a command just taken from ``data_to_send`` was not written (the
        transport refused it, or its caller gave up first): the credit comes back, the next
        command may go."""
        for queue in list(self._in_flight.values()):
            for command in queue:
                if command.token == token:
                    self._remove_in_flight(command)
                    self.credits += 1
                    self._events.append(CommandDropped(token))
                    self.pump(now)
                    return

    def drop_all(self, now: float) -> None:
        """Abandon every queued and in-flight command (controller lost or host closing)."""
        everything = list(self._queue) + [c for q in self._in_flight.values() for c in q]
        self._queue.clear()
        self._in_flight.clear()
        self._out.clear()
        self._watch_credits(now)
        self._events.extend(CommandDropped(c.token) for c in everything)

    def drop_in_flight(self, now: float) -> None:
        """Abandon commands already sent (no answer comes after a reset); one credit, as after
        power-on; keep the queue."""
        dropped = [c for q in self._in_flight.values() for c in q]
        self._in_flight.clear()
        self._events.extend(CommandDropped(c.token) for c in dropped)
        self.credits = 1
        self.pump(now)

    def pump(self, now: float) -> None:
        """Release what the credits allow (also after ``exclusive`` is lifted)."""
        self._send_allowed(now)
        self._watch_credits(now)

    # -- internals -------------------------------------------------------------------------------
    def _next(self) -> _Command | None:
        """The next command allowed out: the head, or while exclusive the first urgent one."""
        if not self.exclusive:
            return self._queue.popleft()
        for command in self._queue:
            if command.urgent:
                self._queue.remove(command)
                return command
        return None

    def _send_allowed(self, now: float) -> None:
        while self.credits > 0 and self._queue:
            command = self._next()
            if command is None:
                return
            self.credits -= 1
            command.deadline = now + command.timeout
            self._in_flight.setdefault(command.opcode, deque()).append(command)
            self._out.append((command.token, command.packet))

    def _watch_credits(self, now: float) -> None:
        """Start the stall deadline when commands wait with no credit and none in flight."""
        stalled = self.credits <= 0 and not self._in_flight and bool(self._queue)
        if stalled and self._stall_deadline is None:
            self._stall_deadline = now + self._queue[0].timeout
        elif not stalled:
            self._stall_deadline = None

    def _remove_in_flight(self, command: _Command) -> None:
        queue = self._in_flight[command.opcode]
        queue.remove(command)
        if not queue:
            del self._in_flight[command.opcode]


__all__ = [
    "CommandAnswered",
    "CommandDropped",
    "CommandFlowCore",
    "CommandFlowEvent",
    "CommandTimedOut",
]
