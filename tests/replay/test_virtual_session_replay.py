"""The central's side of captures/virtual_session.btsnoop replays with no controller at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from aioble_hci.att.errors import BearerClosedError
from aioble_hci.att.pdus import ErrorCode
from aioble_hci.capture.replay import ReplayMismatchError, ReplayTransport
from aioble_hci.capture.testing import ReplayFactory
from aioble_hci.host.host import Host
from tests.conftest import REPO
from tests.replay.virtual_session import (
    INDICATED,
    NOTIFIED,
    PERIPHERAL_ADDRESS,
    SERVICE,
    WRITTEN,
    SessionResult,
    central_session,
)

CAPTURE = REPO / "captures" / "virtual_session.btsnoop"


async def _replay(transport: ReplayTransport, data_dir: Path, **kwargs: bytes) -> SessionResult:
    host = Host(transport)
    try:
        await host.start()
        return await central_session(host, PERIPHERAL_ADDRESS, data_dir, **kwargs)
    finally:
        await host.close()


async def test_central_session_replays_with_the_recorded_values(
    tmp_path: Path, hci_replay: ReplayFactory
) -> None:
    transport = hci_replay(CAPTURE)
    result = await _replay(transport, tmp_path)
    assert result.mtu == 256
    assert str(SERVICE) in result.services
    assert result.first_read == b"hello" and result.read_after_write == WRITTEN
    assert result.values == [(NOTIFIED, False), (INDICATED, True)]
    assert result.encrypted_error == ErrorCode.INSUFFICIENT_AUTHENTICATION
    assert result.pairing_method == "just-works" and result.security_level == 2
    assert result.encrypted_read == b"secret"
    assert result.disconnect_reason == 0x16  # Connection Terminated By Local Host
    assert transport.finished


async def test_replay_gives_what_the_live_session_gave(tmp_path: Path, hci_replay: ReplayFactory) -> None:
    from tests.replay.virtual_session import record

    live = await record(tmp_path / "live.btsnoop", tmp_path / "live")
    replayed = await _replay(hci_replay(tmp_path / "live.btsnoop"), tmp_path / "replay")
    assert replayed == live


async def test_a_different_write_fails_at_the_first_differing_packet(tmp_path: Path) -> None:
    transport = ReplayTransport(f"replay:{CAPTURE}")
    with pytest.raises(BearerClosedError):  # the host sees the mismatch as a lost controller
        await _replay(transport, tmp_path, written=b"written by someone else")
    error = transport.error
    assert isinstance(error, ReplayMismatchError)
    message = str(error)
    assert message.count("ATT WRITE_REQ") == 2 and "first difference at payload byte 2" in message
    assert WRITTEN.hex() in message and b"written by someone else".hex() in message
    with pytest.raises(ReplayMismatchError):
        transport.check()


def test_wireshark_reads_the_recorded_session_without_malformed_packets() -> None:
    import shutil
    import subprocess

    tshark = shutil.which("tshark")
    assert tshark is not None, "tshark is installed by .ci/run"
    out = subprocess.run([tshark, "-r", str(CAPTURE), "-T", "fields", "-e", "frame.number",
                          "-e", "_ws.col.Protocol", "-e", "_ws.expert.message"],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    rows = [line.split("\t") for line in out.splitlines()]
    assert len(rows) > 50
    assert not [r for r in rows if "malformed" in "\t".join(r).lower()]
    malformed = subprocess.run([tshark, "-r", str(CAPTURE), "-Y", "_ws.malformed"],
                               capture_output=True, text=True, check=True, timeout=60).stdout
    assert malformed.strip() == ""
    protocols = {r[1] for r in rows}
    assert {"HCI_CMD", "HCI_EVT", "ATT", "SMP"} <= protocols
