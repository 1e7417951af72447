"""pytest support for replayed sessions: the `hci_replay` fixture.

Use it from any conftest.py with `from aioble_hci.capture.testing import hci_replay  # noqa: F401`.
A test then writes `transport = hci_replay("captures/session.btsnoop")`, runs a Host on it,
and the fixture fails the test at teardown if the host diverged from the recording or
stopped before sending every recorded host packet.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence

import pytest

from aioble_hci.capture.masks import RANDOM_FIELDS, ReplayMask
from aioble_hci.capture.replay import ReplayTransport

ReplayFactory = Callable[..., ReplayTransport]


@pytest.fixture
def hci_replay() -> Iterator[ReplayFactory]:
    made: list[tuple[ReplayTransport, bool]] = []

    def factory(
        path: str | os.PathLike[str],
        *,
        masks: Sequence[ReplayMask] = RANDOM_FIELDS,
        allow_unfinished: bool = False,
    ) -> ReplayTransport:
        transport = ReplayTransport(f"replay:{os.fspath(path)}", masks=masks)
        made.append((transport, allow_unfinished))
        return transport

    yield factory
    for transport, allow_unfinished in made:
        transport.check(require_finished=not allow_unfinished)
