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
    timer: asyncio.TimerHandle | None = None


class CommandFlow:
    """Queues commands and sends them as the controller's command credits allow."""

    def __init__(self, send: Callable[[bytes], None]) -> None:
        self._send = send
        self.credits = 1
        self._queue: deque[_PendingCommand] = deque()
        self._in_flight: dict[int, deque[_PendingCommand]] = {}

    @property
    def queued(self) -> int:
        return len(self._queue)

    @property
    def in_flight(self) -> int:
        return sum(len(q) for q in self._in_flight.values())

    async def submit(self, command: Any, timeout: float, urgent: bool = False) -> Any:
        """Send `command` when a credit allows; return its Command Complete/Status event."""
        loop = asyncio.get_running_loop()
        pending = _PendingCommand(command, int(command.OPCODE), timeout, loop.create_future())
        if urgent:
            self._queue.appendleft(pending)
        else:
            self._queue.append(pending)
        self._pump()
        try:
            return await pending.future
        finally:
            self._forget(pending)

    def on_answer(self, opcode: int, num_hci_command_packets: int, event: Any) -> None:
        """A Command Complete or Command Status: new credit count, and maybe a command finished."""
        self.credits = num_hci_command_packets
        if opcode != 0:  # opcode 0x0000 only updates the credits (Vol 4 Part E, 7.7.14)
            pending = self._pop_in_flight(opcode)
            if pending is None:
                log.debug("answer for opcode 0x%04x that is not pending (late after a timeout?)", opcode)
            elif not pending.future.done():
                pending.future.set_result(event)
        self._pump()

    def fail_all(self, exc: BaseException) -> None:
        """Fail every queued and in-flight command (controller lost or host closing)."""
        everything = list(self._queue) + [p for q in self._in_flight.values() for p in q]
        self._queue.clear()
        self._in_flight.clear()
        for pending in everything:
            self._settle_error(pending, exc)

    def fail_in_flight(self, exc: BaseException) -> None:
        """Fail commands already sent (their answers will not come after a reset); keep the queue."""
        for q in self._in_flight.values():
            for pending in q:
                self._settle_error(pending, exc)
        self._in_flight.clear()
        self.credits = 1
        self._pump()

    def _pump(self) -> None:
        while self.credits > 0 and self._queue:
            pending = self._queue.popleft()
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
        log.warning("%s", HciTimeoutError(pending.command, pending.timeout))
        # The controller will not answer, so its credit for this command is presumed back.
        if self.credits == 0:
            self.credits = 1
        if not pending.future.done():
            pending.future.set_exception(HciTimeoutError(pending.command, pending.timeout))
        self._pump()

    def _pop_in_flight(self, opcode: int) -> _PendingCommand | None:
        q = self._in_flight.get(opcode)
        if not q:
            return None
        pending = q.popleft()
        if not q:
            del self._in_flight[opcode]
        if pending.timer is not None:
            pending.timer.cancel()
        return pending

    def _pop(self, pending: _PendingCommand) -> bool:
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
    _queue: deque[tuple[int, bytes]] = field(default_factory=deque)
    _in_flight: Counter[int] = field(default_factory=Counter)

    def configure(self, max_length: int, total_buffers: int) -> None:
        """Buffer facts from LE Read Buffer Size (or Read Buffer Size); resets the credits."""
        self.max_length = max(1, max_length)
        self.total_buffers = max(1, total_buffers)
        self.credits = self.total_buffers
        self._in_flight.clear()

    @property
    def queued(self) -> int:
        return len(self._queue)

    def in_flight(self, handle: int) -> int:
        return self._in_flight[handle]

    def send_pdu(self, handle: int, l2cap_pdu: bytes) -> int:
        """Queue a whole L2CAP PDU (basic header included); returns the number of fragments."""
        fragments = list(fragment(handle, l2cap_pdu, self.max_length))
        for packet in fragments:
            self._queue.append((handle, bytes(packet)))
        self.pump()
        return len(fragments)

    def on_completed(self, handle: int, count: int) -> None:
        """Number Of Completed Packets for one handle (Vol 4 Part E, 7.7.19)."""
        done = min(count, self._in_flight[handle])
        if done < count:
            log.warning("controller completed %d packets on handle 0x%03x, only %d outstanding", count, handle, done)
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
        while self.credits > 0 and self._queue:
            handle, packet = self._queue.popleft()
            self.credits -= 1
            self._in_flight[handle] += 1
            self.send(packet)
