"""Feed an H4 byte stream to a transport's sink, reporting desynchronisation once per chunk.

Shared by the byte-stream transports (serial, TCP, Unix sockets). Runs on the host loop.
"""

from __future__ import annotations

import logging

from aioble_hci.hci.h4 import H4DesyncError, H4Framer
from aioble_hci.transport.base import Transport

log = logging.getLogger(__name__)


class H4Receiver:
    """Cuts bytes into packets for `transport`; skips bad indicator bytes one at a time.

    A byte that is not a packet indicator (Core Vol 4 Part A, 2) is dropped and the
    first one in each chunk is reported to the host through the transport's desync
    callback; the host then resynchronises by resetting the controller.
    """

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self.framer = H4Framer()
        self.desyncs = 0

    def feed(self, data: bytes) -> None:
        first_error: H4DesyncError | None = None
        while True:
            try:
                packets = self.framer.feed(data)
            except H4DesyncError as exc:
                packets = self.framer.take_ready()
                self.desyncs += 1
                if first_error is None:
                    first_error = exc
                    log.warning("%s: %s", self._transport.spec, exc)
                else:
                    log.debug("%s: %s", self._transport.spec, exc)
                self._deliver_all(packets)
                data = b""
                continue
            self._deliver_all(packets)
            break
        if first_error is not None:
            self._transport._desync(first_error)

    def _deliver_all(self, packets: list) -> None:
        for packet_type, payload in packets:
            self._transport._deliver(packet_type, payload)
