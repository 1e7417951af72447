"""Optional packet capture: every HCI packet the host sends or receives, with direction and time.

Enabled by `HostConfig.capture_path` or the `AIOBLE_HCI_CAPTURE` environment variable;
the writer comes from `aioble_hci.capture.open_writer` (format by file extension).
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from aioble_hci.hci.packets import Direction, PacketType

log = logging.getLogger(__name__)

ENV_VAR = "AIOBLE_HCI_CAPTURE"


class CaptureHook:
    """Writes packets to a capture file; a file that cannot be opened leaves capture off (with a warning)."""

    def __init__(self, writer: Any, path: str) -> None:
        self._writer = writer
        self.path = path
        from aioble_hci.capture.records import CaptureRecord

        self._record = CaptureRecord

    @classmethod
    def open(cls, path: str | None) -> CaptureHook | None:
        path = path or os.environ.get(ENV_VAR) or None
        if not path:
            return None
        try:
            from aioble_hci.capture import open_writer

            writer = open_writer(path)
            hook = cls(writer, path)
        except ImportError as exc:
            log.warning("capture to %s skipped: the capture package is not available (%s)", path, exc)
            return None
        except Exception as exc:
            log.warning("capture to %s skipped: %s", path, exc)
            return None
        log.info("capturing HCI traffic to %s", path)
        return hook

    def write(self, direction: Direction, packet_type: PacketType, payload: bytes) -> None:
        """Record one packet. A failure propagates: the Host then closes and drops this hook."""
        if self._writer is not None:
            self._writer.write(self._record(time.time(), direction, packet_type, bytes(payload)))

    def close(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None and hasattr(writer, "close"):
            try:
                writer.close()
            except Exception:
                log.debug("closing capture writer failed", exc_info=True)
