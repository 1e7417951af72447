"""Options shared by the subcommands that open a controller.

`add_capture_option(parser)` gives a subcommand `--capture FILE`: every HCI packet of the run is
recorded to FILE (format by extension: .btsnoop, .pcap; see aioble_hci.capture.open_writer). It
works by setting AIOBLE_HCI_CAPTURE for this process, which every Host honours whatever its
transport, so a subcommand needs no other change.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from typing import Any

CAPTURE_ENV = "AIOBLE_HCI_CAPTURE"  # read by aioble_hci.host.capture_hook


class _CaptureAction(argparse.Action):
    """Stores the path and exports it as AIOBLE_HCI_CAPTURE for the Host to pick up."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        path = str(values)
        from aioble_hci.capture.files import WRITER_EXTENSIONS

        if os.path.splitext(path)[1].lower() not in WRITER_EXTENSIONS:
            parser.error(f"--capture {path}: the format comes from the extension, one of "
                         + ", ".join(WRITER_EXTENSIONS))
        setattr(namespace, self.dest, path)
        os.environ[CAPTURE_ENV] = path


def add_capture_option(parser: argparse.ArgumentParser) -> None:
    """Add `--capture FILE` (recording every HCI packet of the run) to a subcommand's parser."""
    parser.add_argument(
        "--capture", metavar="FILE", default=None, action=_CaptureAction,
        help="record every HCI packet to FILE (.btsnoop or .pcap; Wireshark and btmon read both); "
        f"${CAPTURE_ENV} does the same for any command",
    )
