"""The central's side of the recorded virtual sessions replays with no controller at all.

captures/virtual_session.btsnoop pairs with LE Secure Connections, virtual_session_legacy.btsnoop
with LE legacy pairing; both are recorded by captures/record_virtual_session.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aioble_hci.att.errors import BearerClosedError
from aioble_hci.att.pdus import ErrorCode
from aioble_hci.capture.replay import ReplayMismatchError, ReplayTransport
from aioble_hci.capture.testing import ReplayFactory
from aioble_hci.host.host import Host
from aioble_hci.host.smp.errors import PairingFailedError
from aioble_hci.smp.pdus import PairingFailedReason
from tests.conftest import REPO, require_tshark
from tests.replay.virtual_session import (
    CENTRAL_PRIVATE_KEY,
    INDICATED,
    NOTIFIED,
    PERIPHERAL_ADDRESS,
    SERVICE,
    WRITTEN,
    SessionResult,
    central_session,
)

CAPTURE = REPO / "captures" / "virtual_session.btsnoop"
LEGACY_CAPTURE = REPO / "captures" / "virtual_session_legacy.btsnoop"


async def _replay(transport: ReplayTransport, data_dir: Path, **kwargs: object) -> SessionResult:
    host = Host(transport)
    try:
        await host.start()
        return await central_session(host, PERIPHERAL_ADDRESS, data_dir, **kwargs)  # type: ignore[arg-type]
    finally:
        await host.close()


def _assert_recorded_session(result: SessionResult) -> None:
    assert result.mtu == 256
    assert str(SERVICE) in result.services
    assert result.first_read == b"hello" and result.read_after_write == WRITTEN
    assert result.values == [(NOTIFIED, False), (INDICATED, True)]
    assert result.encrypted_error == ErrorCode.INSUFFICIENT_AUTHENTICATION
    assert result.pairing_method == "just-works" and result.security_level == 2
    assert result.encrypted_read == b"secret"
    assert result.disconnect_reason == 0x16  # Connection Terminated By Local Host


async def test_central_session_with_secure_connections_replays_with_the_recorded_values(
    tmp_path: Path, hci_replay: ReplayFactory
) -> None:
    transport = hci_replay(CAPTURE)
    result = await _replay(transport, tmp_path)
    _assert_recorded_session(result)
    assert result.secure_connections
    assert transport.finished


async def test_central_session_with_legacy_pairing_replays_with_the_recorded_values(
    tmp_path: Path, hci_replay: ReplayFactory
) -> None:
    transport = hci_replay(LEGACY_CAPTURE)
    result = await _replay(transport, tmp_path, secure_connections=False)
    _assert_recorded_session(result)
    assert not result.secure_connections
    assert transport.finished


async def test_secure_connections_replay_fails_with_another_local_key_pair(tmp_path: Path) -> None:
    """The masks blank our public key on the wire, but the peer's recorded confirm value commits to
    the recorded one: the SC checks really run during the replay (Vol 3 Part H, 2.3.5.6.2)."""
    transport = ReplayTransport(f"replay:{CAPTURE}")
    with pytest.raises(PairingFailedError) as failed:
        await _replay(transport, tmp_path, private_key=CENTRAL_PRIVATE_KEY + 1)
    assert failed.value.reason == PairingFailedReason.CONFIRM_VALUE_FAILED and not failed.value.remote
    error = transport.error  # our Pairing Failed is where the recorded DHKey Check was
    assert isinstance(error, ReplayMismatchError)
    assert "SMP Pairing DHKey Check" in str(error) and "SMP Pairing Failed" in str(error)


@pytest.mark.parametrize("secure_connections", [True, False], ids=["sc", "legacy"])
async def test_replay_gives_what_the_live_session_gave(
    tmp_path: Path, hci_replay: ReplayFactory, secure_connections: bool
) -> None:
    from tests.replay.virtual_session import record

    live = await record(tmp_path / "live.btsnoop", tmp_path / "live", secure_connections)
    replayed = await _replay(hci_replay(tmp_path / "live.btsnoop"), tmp_path / "replay",
                             secure_connections=secure_connections)
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


@pytest.mark.parametrize("capture", [CAPTURE, LEGACY_CAPTURE], ids=["sc", "legacy"])
def test_wireshark_reads_the_recorded_session_without_malformed_packets(capture: Path) -> None:
    import subprocess

    tshark = require_tshark()
    out = subprocess.run([tshark, "-r", str(capture), "-T", "fields", "-e", "frame.number",
                          "-e", "_ws.col.Protocol", "-e", "_ws.expert.message"],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    rows = [line.split("\t") for line in out.splitlines()]
    assert len(rows) > 50
    assert not [r for r in rows if "malformed" in "\t".join(r).lower()]
    malformed = subprocess.run([tshark, "-r", str(capture), "-Y", "_ws.malformed"],
                               capture_output=True, text=True, check=True, timeout=60).stdout
    assert malformed.strip() == ""
    protocols = {r[1] for r in rows}
    assert {"HCI_CMD", "HCI_EVT", "ATT", "SMP"} <= protocols
