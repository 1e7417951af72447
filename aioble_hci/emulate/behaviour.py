"""How the emulated device answers one connection, decided from the DeviceModel (sans-I/O).

Reads return the recorded values of a handle in order, then keep returning the last (a long
value read with Read Blob, Vol 3 Part G 4.8.3, counts as one read). A write is matched to the
recorded writes of the same handle: the first not yet replayed with the same value, else the
last one with the same value, else the next recorded write of that handle whatever its value
(approximate: logged). The match gives the ATT error the device answered (or success) and the
notifications it sent afterwards, with their delays. A `Responder` is one connection's state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from aioble_hci.emulate.model import Action, DeviceModel, Notification

log = logging.getLogger(__name__)


@dataclass
class WriteAnswer:
    """What the device answers to a write: `error` (None: accepted) and what it sends after it."""

    error: int | None
    notifications: list[Notification] = field(default_factory=list)
    matched: str = "exact"
    """exact (same handle and value), repeat (same value, replayed again), position (same handle,
    another value), none (the capture never shows a write to this handle)."""


class Responder:
    """One connection's replay state over a shared DeviceModel."""

    def __init__(self, model: DeviceModel) -> None:
        self.model = model
        self._read_cursor: dict[int, int] = {}
        self._blob_served: dict[int, int] = {}
        self._writes: dict[int, list[Action]] = {}
        for action in model.actions():
            if action.kind == "write":
                self._writes.setdefault(action.handle, []).append(action)
        self._replayed: set[int] = set()  # id() of recorded writes already replayed
        self._position: dict[int, int] = {}

    # -- connection -------------------------------------------------------------------------------

    def on_connect(self) -> list[Notification]:
        """What the device sent on its first recorded connection before the client did anything."""
        for session in self.model.sessions:
            if session.actions and session.actions[0].kind == "connect":
                return list(session.actions[0].notifications)
        return []

    # -- reads --------------------------------------------------------------------------------------

    def read(self, handle: int, mtu: int) -> tuple[bytes | None, int | None]:
        """(value, None) or (None, ATT error code) for a read of `handle` on a link with `mtu`.

        Each call is one ATT read PDU; a value longer than one PDU (mtu - 1 octets) stays
        current until the client has fetched all of it, then the next recorded value comes.
        """
        reads = self.model.reads.get(handle)
        if not reads:
            return self.unread_value(handle), None
        index = min(self._read_cursor.get(handle, 0), len(reads) - 1)
        outcome = reads[index]
        if outcome.error is not None:
            self._read_cursor[handle] = index + 1
            return None, outcome.error
        served = self._blob_served.get(handle, 0) + max(mtu - 1, 1)
        if served >= len(outcome.value):
            self._blob_served[handle] = 0
            self._read_cursor[handle] = index + 1
        else:
            self._blob_served[handle] = served
        return outcome.value, None

    def unread_value(self, handle: int) -> bytes:
        """The value of a handle the capture never shows read: the last value notified on it, else empty."""
        for action in reversed(self.model.actions()):
            for n in reversed(action.notifications):
                if n.handle == handle:
                    return n.value
        return b""

    # -- writes -------------------------------------------------------------------------------------

    def write(self, handle: int, value: bytes) -> WriteAnswer:
        """The recorded answer to a write of `value` to `handle`, and what followed it."""
        recorded = self._writes.get(handle)
        if not recorded:
            return WriteAnswer(None, [], "none")
        same = [a for a in recorded if a.value == value]
        fresh = [a for a in same if id(a) not in self._replayed]
        if fresh:
            chosen, how = fresh[0], "exact"
        elif same:
            chosen, how = same[-1], "repeat"
        else:
            position = self._position.get(handle, 0)
            chosen, how = recorded[min(position, len(recorded) - 1)], "position"
            log.info("write of %s to 0x%04x is not in the capture: answering as to the recorded %s",
                     value.hex(), handle, chosen.value.hex())
        self._replayed.add(id(chosen))
        self._position[handle] = recorded.index(chosen) + 1
        return WriteAnswer(chosen.error, list(chosen.notifications), how)
