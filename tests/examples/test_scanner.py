"""examples/scanner.py lists an advertiser running in another process."""

from __future__ import annotations

from pathlib import Path

from tests.examples.conftest import EXAMPLES, start, stop

ADVERTISER = '''
import asyncio
import binascii

import aioble
import bluetooth


async def main():
    addr_type, addr = aioble.config("mac")
    print("mac", binascii.hexlify(addr, ":").decode(), addr_type)
    await aioble.advertise(
        100000,
        name="scan-me",
        services=[bluetooth.UUID(0x181A), bluetooth.UUID("6e400001-b5a3-f393-e0a9-e50e24dcca9e")],
        manufacturer=(0xFFFF, b"\\x01\\x02\\x03"),
        timeout_ms=60000,
    )


asyncio.run(main())
'''


def test_scanner_lists_an_advertiser_started_in_another_process(
        tmp_path: Path, shared_air_env: dict[str, str]) -> None:
    (tmp_path / "advertiser.py").write_text(ADVERTISER)
    advertiser = start(["advertiser.py"], shared_air_env, tmp_path)
    try:
        assert advertiser.stdout is not None
        first = advertiser.stdout.readline().split()
        assert first[:1] == ["mac"], first
        address, addr_type = first[1], "random" if first[2] != "0" else "public"
        scanner = start([str(EXAMPLES / "scanner.py"), "2"], shared_air_env, tmp_path)
        out, _ = scanner.communicate(timeout=60)
    finally:
        stop(advertiser)
    assert scanner.returncode == 0, out
    summary = out.split("device(s):\n", 1)[1].splitlines()
    lines = [line.split() for line in summary if line.split()[:1] == [address]]
    assert len(lines) == 1, out
    assert lines[0][:3] == [address, addr_type, "rssi=-50"], out
    described = " ".join(lines[0][3:])
    assert "name='scan-me'" in described
    assert "services=[UUID(0x181a), UUID('6e400001-b5a3-f393-e0a9-e50e24dcca9e')]" in described
    assert "manufacturer=[0xffff:010203]" in described
    # The same device was printed as it was first seen, before the summary.
    assert any(line.startswith("+ " + address) for line in out.splitlines()), out
