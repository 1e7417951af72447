"""`aioble-hci pair` against a bonding peripheral on the process's virtual air, and `aioble-hci bonds`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from aioble_hci.address import Address
from aioble_hci.cli.main import main
from aioble_hci.controller.transport import VirtualTransport
from aioble_hci.host.host import Host
from aioble_hci.host.smp import SmpHostConfig, attach_smp
from aioble_hci.host.smp.bond_file import FileBondStore
from aioble_hci.smp.bonds import Bond
from aioble_hci.smp.config import SecurityConfig
from tests.smp_host.world import advertise, until

PERIPHERAL = Address.parse("33:44:55:66:77:88/public")
OTHER = Address.parse("c4:00:00:00:00:01/random")


async def run_cli(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def advertising_peripheral(tmp_path: Path, address: Address, security: SecurityConfig | None = None) -> Host:
    host = Host(VirtualTransport("virtual", address=address))  # the process's shared air, as `-t virtual`
    await host.start()
    await attach_smp(host, SmpHostConfig(security=security or SecurityConfig(),
                                         bond_path=tmp_path / "peripheral-bonds.json",
                                         irk_path=tmp_path / "peripheral-irk.json"))
    await advertise(host)
    return host


@pytest.mark.parametrize(("flags", "method", "level_line"), [
    ((), "just-works (LE Secure Connections)", "Security level: 2 (encrypted, unauthenticated)"),
    (("--legacy",), "just-works (LE legacy pairing)", "Security level: 2 (encrypted, unauthenticated)"),
], ids=["sc", "legacy"])
async def test_pair_command_prints_the_method_and_security_level_and_bonds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: tuple[str, ...], method: str, level_line: str,
) -> None:
    bonds = tmp_path / "cli-bonds.json"
    peripheral = await advertising_peripheral(tmp_path, PERIPHERAL)
    try:
        code = await run_cli("pair", "-t", "virtual", "33:44:55:66:77:88", "--bond", "--bonds", str(bonds),
                             "--timeout", "10", *flags)
        await until(lambda: not peripheral.connections)
    finally:
        await peripheral.close()
    captured = capsys.readouterr()
    out = captured.out
    assert code == 0, captured.err
    assert f"Method:         {method}" in out
    assert level_line in out
    assert "Bonded:         yes" in out
    assert FileBondStore(bonds).get(PERIPHERAL) is not None


@pytest.mark.parametrize(("allow", "code", "expected"), [
    (True, 0, "just-works (LE Secure Connections)"),
    (False, 1, "the peer sent Pairing Failed: AUTHENTICATION_REQUIREMENTS"),
], ids=["peer-allows-debug-keys", "peer-refuses-debug-keys"])
async def test_pair_command_with_the_debug_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], allow: bool, code: int, expected: str,
) -> None:
    peripheral = await advertising_peripheral(tmp_path, PERIPHERAL, SecurityConfig(allow_debug_keys=allow))
    try:
        result = await run_cli("pair", "-t", "virtual", "33:44:55:66:77:88", "--debug-key",
                               "--bonds", str(tmp_path / "cli-bonds.json"), "--timeout", "10")
        await until(lambda: not peripheral.connections)
    finally:
        await peripheral.close()
    captured = capsys.readouterr()
    assert result == code, captured.err
    assert expected in captured.out + captured.err


async def test_pair_command_without_bond_keeps_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bonds = tmp_path / "cli-bonds.json"
    address = Address.parse("33:44:55:66:77:99/public")
    peripheral = await advertising_peripheral(tmp_path, address)
    try:
        code = await run_cli("pair", "-t", "virtual", f"{address}/public", "--bonds", str(bonds), "--timeout", "10")
    finally:
        await peripheral.close()
    assert code == 0
    assert "Bonded:         no" in capsys.readouterr().out
    assert len(FileBondStore(bonds)) == 0


def store_with_two_bonds(path: Path) -> FileBondStore:
    store = FileBondStore(path)
    store.put(Bond(PERIPHERAL, 16, True, True, ltk=bytes(range(16)), peer_irk=bytes(16)))
    store.put(Bond(OTHER, 16, False, False, peer_ltk=bytes(16)))
    return store


def test_bonds_command_lists_every_bond(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bonds.json"
    store_with_two_bonds(path)
    assert main(["bonds", "--bonds", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 bond(s)" in out
    assert "33:44:55:66:77:88/public  level 4  LE Secure Connections, authenticated" in out
    assert "c4:00:00:00:00:01/random  level 2  legacy, unauthenticated" in out


def test_bonds_delete_removes_only_that_bond(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bonds.json"
    store_with_two_bonds(path)
    assert main(["bonds", "--bonds", str(path), "--delete", "33:44:55:66:77:88"]) == 0
    assert "Deleted the bond with 33:44:55:66:77:88/public" in capsys.readouterr().out
    remaining = FileBondStore(path)
    assert remaining.get(PERIPHERAL) is None and remaining.get(OTHER) is not None


def test_bonds_delete_of_an_unknown_peer_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bonds.json"
    store_with_two_bonds(path)
    assert main(["bonds", "--bonds", str(path), "--delete", "01:02:03:04:05:06/public"]) == 1
    assert "no bond with" in capsys.readouterr().err
    assert len(FileBondStore(path)) == 2
