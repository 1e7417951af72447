"""examples/l2cap_file_server.py and l2cap_file_client.py as two processes on the shared air."""

from __future__ import annotations

import random
import subprocess
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.examples.conftest import EXAMPLES, start, stop

FILE_SIZE = 100_000
BLOB_SIZE = 32768
CLIENT_SECONDS = 60


def blob(size: int) -> bytes:
    """The server's generated blob, as its header comment defines it."""
    return bytes(((i * 31) ^ (i >> 8)) & 0xFF for i in range(size))


@pytest.fixture
def served(tmp_path: Path) -> Path:
    """A directory with a 100 kB file of random bytes and a subdirectory (not served)."""
    directory = tmp_path / "served"
    directory.mkdir()
    (directory / "data.bin").write_bytes(random.Random(7).randbytes(FILE_SIZE))
    (directory / "subdir").mkdir()
    return directory


@pytest.fixture
def server(served: Path, tmp_path: Path, shared_air_env: dict[str, str]) -> Iterator[None]:
    process = start([str(EXAMPLES / "l2cap_file_server.py"), str(served)], shared_air_env, tmp_path)
    try:
        yield
    finally:
        stop(process)


def run_client(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    client = start([str(EXAMPLES / "l2cap_file_client.py"), *args], env, cwd)
    out, _ = client.communicate(timeout=CLIENT_SECONDS)
    return subprocess.CompletedProcess(client.args, client.returncode, out)


def test_client_fetches_a_100kb_file_intact(served: Path, server: None, tmp_path: Path,
                                            shared_air_env: dict[str, str]) -> None:
    result = run_client(["data.bin", str(tmp_path / "copy.bin")], shared_air_env, tmp_path)
    original = (served / "data.bin").read_bytes()
    assert result.returncode == 0, result.stdout
    assert f"Received data.bin: {FILE_SIZE} bytes, crc32 0x{zlib.crc32(original):08x}" in result.stdout
    assert "Checksum verified" in result.stdout
    assert (tmp_path / "copy.bin").read_bytes() == original


def test_client_without_a_name_fetches_and_checks_the_generated_blob(
        server: None, tmp_path: Path, shared_air_env: dict[str, str]) -> None:
    result = run_client([], shared_air_env, tmp_path)
    assert result.returncode == 0, result.stdout
    assert f"Received :blob: {BLOB_SIZE} bytes, crc32 0x{zlib.crc32(blob(BLOB_SIZE)):08x}" in result.stdout
    assert "Checksum verified" in result.stdout


def test_client_lists_the_regular_files_of_the_served_directory(
        server: None, tmp_path: Path, shared_air_env: dict[str, str]) -> None:
    result = run_client([], shared_air_env, tmp_path)
    listing = result.stdout.split("Files:\n", 1)[1].split("Received", 1)[0].split()
    assert listing == [":blob", str(BLOB_SIZE), "data.bin", str(FILE_SIZE)], result.stdout


def test_client_reports_a_file_the_server_does_not_have(server: None, tmp_path: Path,
                                                        shared_air_env: dict[str, str]) -> None:
    result = run_client(["missing.bin"], shared_air_env, tmp_path)
    assert result.returncode == 1, result.stdout
    assert "Server answered status 1 for 'missing.bin'" in result.stdout


def test_server_refuses_names_outside_its_directory(served: Path, server: None, tmp_path: Path,
                                                    shared_air_env: dict[str, str]) -> None:
    (served.parent / "secret.bin").write_bytes(b"not served")
    result = run_client(["../secret.bin"], shared_air_env, tmp_path)
    assert result.returncode == 1, result.stdout
    assert "Server answered status 1 for '../secret.bin'" in result.stdout
