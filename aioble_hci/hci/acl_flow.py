"""HCI ACL data flow control, sans-I/O: the controller's buffers as credits (Core Vol 4 Part E, 4.1.1).

The host may send as many ACL packets as the controller has buffers (LE Read Buffer Size);
Number Of Completed Packets (7.7.19) returns them, and a disconnection frees those of its
handle (4.3). L2CAP PDUs are fragmented to the controller's ACL length here.

The core follows the shared contract as far as ACL flow has anything to say: commands queue,
``data_to_send()`` gives the (handle, packet) pairs credits allow, in order. It has no events and
no deadlines: a buffer comes back only through Number Of Completed Packets or a disconnection,
never by time, so there is no ``now``, ``get_timer`` or ``take_events``.
"""

from __future__ import annotations

import logging
from collections import Counter, deque

from aioble_hci.hci.acl import fragment

log = logging.getLogger(__name__)


class AclFlowCore:
    """ACL buffer credits and the packets waiting for them, for one controller."""

    def __init__(self) -> None:
        self.max_length = 27
        self.total_buffers = 1
        self.credits = 1
        self.held = False
        self._queue: deque[tuple[int, bytes]] = deque()
        self._in_flight: Counter[int] = Counter()
        self._out: list[tuple[int, bytes]] = []

    # -- queries ---------------------------------------------------------------------------------
    @property
    def queued(self) -> int:
        return len(self._queue)

    def in_flight(self, handle: int) -> int:
        return self._in_flight[handle]

    def queued_handles(self) -> set[int]:
        """Handles with packets waiting for a credit."""
        return {handle for handle, _ in self._queue}

    def handles_in_flight(self) -> set[int]:
        """Handles holding controller buffers (sent, not yet completed)."""
        return set(self._in_flight)

    # -- the contract ----------------------------------------------------------------------------
    def data_to_send(self) -> list[tuple[int, bytes]]:
        """(handle, ACL packet) pairs to write now, in order; each holds one buffer credit."""
        out, self._out = self._out, []
        return out

    # -- commands --------------------------------------------------------------------------------
    def configure(self, max_length: int, total_buffers: int) -> None:
        """Buffer facts from LE Read Buffer Size (or Read Buffer Size); resets the credits and
        releases a `hold`. Zero sizes are clamped to one (never a zero fragment or no credit)."""
        self.max_length = max(1, max_length)
        self.total_buffers = max(1, total_buffers)
        self.credits = self.total_buffers
        self.held = False
        self._in_flight.clear()
        self.pump()

    def hold(self) -> None:
        """Stop sending until `configure` (the credit count is no longer trusted: Data Buffer Overflow)."""
        self.held = True

    def send_pdu(self, handle: int, l2cap_pdu: bytes) -> int:
        """Queue a whole L2CAP PDU (basic header included); returns the number of fragments."""
        fragments = fragment(handle, l2cap_pdu, self.max_length)
        self._queue.extend((handle, packet) for packet in fragments)
        self.pump()
        return len(fragments)

    def receive_completed(self, handle: int, count: int) -> None:
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

    def disconnected(self, handle: int) -> None:
        """Drop what is queued for the handle and take back its buffers (Vol 4 Part E, 4.3)."""
        self._queue = deque(item for item in self._queue if item[0] != handle)
        self._out = [item for item in self._out if item[0] != handle]
        returned = self._in_flight.pop(handle, 0)
        self.credits = min(self.total_buffers, self.credits + returned)
        self.pump()

    def send_failed(self, handle: int) -> None:
        """A packet just taken from `data_to_send` was not written: it is dropped, its buffer
        credit comes back and the next packet may go."""
        if self._in_flight[handle] > 0:
            self._in_flight[handle] -= 1
            if self._in_flight[handle] == 0:
                del self._in_flight[handle]
            self.credits += 1
        self.pump()

    def clear(self) -> None:
        """Forget everything queued or in flight (controller reset or lost): all buffers free."""
        self._queue.clear()
        self._out.clear()
        self._in_flight.clear()
        self.credits = self.total_buffers

    def pump(self) -> None:
        """Release the packets the credits allow."""
        while self.credits > 0 and self._queue and not self.held:
            handle, packet = self._queue.popleft()
            self.credits -= 1
            self._in_flight[handle] += 1
            self._out.append((handle, packet))


__all__ = ["AclFlowCore"]
