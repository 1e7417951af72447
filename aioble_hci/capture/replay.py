"""The `replay:FILE` transport: run the host against a recorded session, no controller needed.

The recorded controller-to-host packets are fed in order as the host sends the recorded
host-to-controller packets: those recorded before the first host packet on open(), then,
after each packet the host sends that matches the recording, those recorded before the
next host packet. The first packet the host sends differently stops the replay with a
ReplayMismatchError (reported as loss of the controller) whose message shows both packets,
decoded, and the first differing byte. `replay:FILE,strict` compares every byte; plain
`replay:FILE` masks the fields the host draws at random (see masks.RANDOM_FIELDS).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from aioble_hci.capture.decoder import CaptureDecoder
from aioble_hci.capture.files import read_all
from aioble_hci.capture.masks import RANDOM_FIELDS, ReplayMask, normalise
from aioble_hci.capture.records import CaptureRecord, RecordKind
from aioble_hci.errors import UsageError
from aioble_hci.hci.packets import Direction, PacketType
from aioble_hci.transport.base import Transport, TransportError
from aioble_hci.transport.spec import register_scheme

log = logging.getLogger(__name__)


class ReplayMismatchError(UsageError, AssertionError):
    """The host did not do what the recorded session did; the message is a readable diff."""


@dataclass(frozen=True)
class _Step:
    frame: int  # 1-based record number in the capture
    record: CaptureRecord


def _describe(packet_type: PacketType, payload: bytes) -> str:
    """One-line decoded summary of a packet (a fresh decoder: no connection state needed for a label)."""
    decoder = CaptureDecoder()
    packet = decoder.decode(CaptureRecord(None, Direction.HOST_TO_CONTROLLER, packet_type, payload))
    return " / ".join(layer.summary for layer in packet.layers)


def _diff(expected: _Step, packet_type: PacketType, payload: bytes, source: str) -> str:
    want = expected.record
    assert want.packet_type is not None
    first = next(
        (i for i, (a, b) in enumerate(zip(want.payload, payload, strict=False)) if a != b),
        min(len(want.payload), len(payload)),
    )
    return (
        f"replay of {source}: the host sent a different packet than frame {expected.frame}\n"
        f"  expected {want.packet_type.name} {want.payload.hex()}\n"
        f"           {_describe(want.packet_type, want.payload)}\n"
        f"  got      {packet_type.name} {payload.hex()}\n"
        f"           {_describe(packet_type, payload)}\n"
        f"  first difference at payload byte {first}"
    )


class ReplayTransport(Transport):
    """Plays the controller side of a recorded session to the host."""

    def __init__(
        self,
        spec: str,
        records: Sequence[CaptureRecord] | None = None,
        masks: Sequence[ReplayMask] = RANDOM_FIELDS,
        source: str | None = None,
    ) -> None:
        super().__init__(spec)
        path, _, options = spec.partition(":")[2].partition(",")
        self.source = source or path or spec
        if records is None:
            if not path:
                raise TransportError(
                    f"bad transport spec {spec!r}: replay needs a file, e.g. replay:session.btsnoop"
                )
            try:
                records, error = read_all(path)
            except OSError as exc:
                raise TransportError(f"replay: cannot read {path}: {exc}") from exc
            if error is not None:
                raise TransportError(f"replay: {error}")
        if "strict" in options.split(","):
            masks = ()
        self.masks = tuple(masks)
        self._steps = [
            _Step(i + 1, r)
            for i, r in enumerate(records)
            if r.kind is RecordKind.HCI and r.packet_type is not None and r.direction is not None
        ]
        self._next = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self.error: ReplayMismatchError | None = None
        self.closed = False

    @property
    def remaining(self) -> list[CaptureRecord]:
        """Recorded packets not yet replayed or matched."""
        return [step.record for step in self._steps[self._next :]]

    @property
    def finished(self) -> bool:
        return self._next >= len(self._steps)

    async def open(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._feed_controller_packets()

    def send(self, packet_type: PacketType, payload: bytes) -> None:
        if self.error is not None or self.closed:
            return
        payload = bytes(payload)
        if self.finished:
            self._fail(
                f"replay of {self.source}: the host sent {packet_type.name} {payload.hex()} "
                f"({_describe(packet_type, payload)}) after the recorded session ended"
            )
            return
        expected = self._steps[self._next]
        want = expected.record
        assert want.packet_type is not None
        if want.packet_type != packet_type or normalise(
            packet_type, payload, self.masks
        ) != normalise(want.packet_type, want.payload, self.masks):
            self._fail(_diff(expected, packet_type, payload, self.source))
            return
        self._next += 1
        self._feed_controller_packets()

    def _feed_controller_packets(self) -> None:
        """Queue, in order, every recorded controller packet up to the next host packet."""
        while (
            not self.finished
            and self._steps[self._next].record.direction == Direction.CONTROLLER_TO_HOST
        ):
            record = self._steps[self._next].record
            assert record.packet_type is not None and self._loop is not None
            self._loop.call_soon(self._deliver_unless_closed, record.packet_type, record.payload)
            self._next += 1

    def _deliver_unless_closed(self, packet_type: PacketType, payload: bytes) -> None:
        if not self.closed:
            self._deliver(packet_type, payload)

    def _fail(self, message: str) -> None:
        self.error = ReplayMismatchError(message)
        log.error("%s", message)
        if self._loop is not None:
            self._loop.call_soon(self._lost, self.error)

    def check(self, require_finished: bool = True) -> None:
        """Raise ReplayMismatchError if the host diverged or (unless told not to) left recorded host packets unsent."""
        if self.error is not None:
            raise self.error
        if not require_finished:
            return
        pending = [
            s
            for s in self._steps[self._next :]
            if s.record.direction == Direction.HOST_TO_CONTROLLER
        ]
        if pending:
            first = pending[0]
            assert first.record.packet_type is not None
            raise ReplayMismatchError(
                f"replay of {self.source}: the host stopped before frame {first.frame}, "
                f"{len(pending)} recorded host packets never sent; next expected "
                f"{_describe(first.record.packet_type, first.record.payload)}"
            )

    async def close(self) -> None:
        self.closed = True


def make_replay_transport(spec: str) -> ReplayTransport:
    """Factory for `replay:FILE[,strict]` specs."""
    return ReplayTransport(spec)


register_scheme("replay", make_replay_transport)
